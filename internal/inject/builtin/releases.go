package builtin

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/inject/annotations"
	"github.com/meshfn/meshfn/internal/istio"
)

// A revision renders as its own Istio release: the injection templates, values and engine
// rules of that release's istiod. The built-in templates (proxy.tmpl and the others) are
// those of the newest supported line; each older line's file (release_1_28.go, ...) lists
// the changes that line made, and how the releases before each change render. A release's
// injector is the newest one with every change it predates undone.
//
// Adding the next release is a small change, described in the maintainer's checklist of
// README.md beside this file: its changes go into a file of its own, each with the blocks
// and rules of the releases before it, and the built-in templates become the new
// release's.

// line is one minor line of Istio releases and the changes it made.
type line struct {
	version istio.Version // the minor line: 1.29
	// latest is the newest patch release whose facts were read; later patches of the line
	// render as it.
	latest int
	// preview marks a line with no release yet: meshfn follows its release candidate.
	preview string
	changes []change
}

// change is one thing a release changed in what injection produces or accepts.
type change struct {
	what string // the change, in a sentence, with Istio's pull request
	// since is the first release with the change; backports the first patch of each
	// older line that got it too.
	since     string
	backports []string
	// blocks are the built-in templates' blocks as the releases before the change render
	// them, by name; rules turns the engine rules into those of the releases before it.
	blocks map[string]string
	rules  func(*inject.Rules)
}

// lines are the supported lines, oldest first.
var lines = []*line{&line128, &line129, &line130, &line131}

// newestRules are the engine rules of the newest supported line.
func newestRules() inject.Rules {
	return inject.Rules{
		Annotations:          annotations.AllChecks,
		ProxyInitImage:       true,
		ScrapeChecks:         true,
		SecurePortAnnotation: true,
	}
}

// Release is the built-in injector of one Istio release.
type Release struct {
	// Version is the patch release injected as (the newest known patch of the line when
	// only the line, or a newer patch, was asked for).
	Version istio.Version
	// Asked is the release asked for.
	Asked istio.Version
	// Preview says, when the line has no release yet, which release candidate it follows.
	Preview string
	// Rules are the engine rules of the release.
	Rules inject.Rules

	templates map[string]string
}

// UnsupportedError is a release without a built-in injector.
type UnsupportedError struct {
	Version istio.Version
}

func (e *UnsupportedError) Error() string {
	oldest, newest := lines[0].version, lines[len(lines)-1].version
	why := "is not a release meshfn knows"
	switch {
	case e.Version.Compare(oldest) < 0:
		why = fmt.Sprintf("is older than the oldest release with a built-in injector (%s)", oldest)
	case e.Version.Compare(newest.Line()) > 0:
		why = fmt.Sprintf("is newer than the newest release with a built-in injector (%s)", newest)
	}
	return fmt.Sprintf("Istio %s %s", e.Version, why)
}

// Supported lists the lines with a built-in injector, oldest first ("1.28", ...).
func Supported() []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.version.String()
	}
	return out
}

// SupportedText is Supported for messages: "1.28, 1.29, 1.30 and 1.31".
func SupportedText() string {
	s := Supported()
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// DefaultVersion is the release a revision that names none injects as: the newest patch
// meshfn knows of the newest line with a release.
func DefaultVersion() istio.Version {
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i].preview == "" {
			return lines[i].patch(lines[i].latest)
		}
	}
	panic("builtin: no released line") // a test keeps one
}

// Newest is the newest patch meshfn knows of the newest supported line, released or not.
func Newest() istio.Version {
	l := lines[len(lines)-1]
	return l.patch(l.latest)
}

// Oldest is the oldest patch meshfn knows of the oldest supported line.
func Oldest() istio.Version { return lines[0].patch(0) }

// MustLookup is Lookup of a release the table has, for tests and defaults.
func MustLookup(v istio.Version) *Release {
	r, err := Lookup(v)
	if err != nil {
		panic(err)
	}
	return r
}

func (l *line) patch(p int) istio.Version {
	return istio.Version{Major: l.version.Major, Minor: l.version.Minor, Patch: p}
}

// releases caches each release's injector, made once.
var releases sync.Map // istio.Version (resolved) -> *Release

// Lookup returns the built-in injector of release v ("1.29" or "1.29.6"), or an
// *UnsupportedError.
func Lookup(v istio.Version) (*Release, error) {
	i := slices.IndexFunc(lines, func(l *line) bool { return l.version == v.Line() })
	if i < 0 {
		return nil, &UnsupportedError{Version: v}
	}
	l := lines[i]
	resolved := l.patch(l.latest)
	if v.HasPatch() && v.Patch < l.latest {
		resolved = v
	}
	if r, ok := releases.Load(resolved); ok {
		return r.(*Release).asked(v), nil
	}
	r, err := build(resolved, l.preview)
	if err != nil {
		panic(err) // the release table is wrong: TestEveryReleaseBuilds builds every release
	}
	actual, _ := releases.LoadOrStore(resolved, r)
	return actual.(*Release).asked(v), nil
}

func (r *Release) asked(v istio.Version) *Release {
	c := *r
	c.Asked = v
	return &c
}

// Beyond reports whether the release asked for is a patch newer than any meshfn read
// the facts of, injected as the newest one it knows.
func (r *Release) Beyond() bool { return r.Asked.HasPatch() && r.Asked.Patch > r.Version.Patch }

// build makes the injector of release v: the newest templates and rules with every
// change v predates undone.
func build(v istio.Version, preview string) (*Release, error) {
	r := &Release{Version: v, Preview: preview, Rules: newestRules()}
	r.Rules.Release = v.String()
	blocks := map[string]string{}
	for _, l := range lines {
		for _, c := range l.changes {
			if !c.predates(v) {
				continue
			}
			for name, body := range c.blocks {
				if _, twice := blocks[name]; twice {
					return nil, fmt.Errorf("builtin: two changes replace block %q for %s", name, v)
				}
				blocks[name] = body
			}
			if c.rules != nil {
				c.rules(&r.Rules)
			}
		}
	}
	r.templates = map[string]string{}
	replaced := map[string]bool{}
	for name, text := range newestTemplates() {
		t, err := replaceBlocks(text, blocks, replaced)
		if err != nil {
			return nil, fmt.Errorf("builtin: the %s template of Istio %s: %w", name, v, err)
		}
		r.templates[name] = t
	}
	for name := range blocks {
		if !replaced[name] {
			return nil, fmt.Errorf("builtin: Istio %s replaces block %q, which no template has", v, name)
		}
	}
	return r, nil
}

// predates reports whether release v comes before the change: older than the release
// that made it, and not a patch of a line that got it later.
func (c change) predates(v istio.Version) bool {
	if v.Compare(mustVersion(c.since)) >= 0 {
		return false
	}
	for _, b := range c.backports {
		bv := mustVersion(b)
		if bv.Line() == v.Line() && v.Compare(bv) >= 0 {
			return false
		}
	}
	return true
}

func mustVersion(s string) istio.Version {
	v, err := istio.ParseVersion(s)
	if err != nil {
		panic(fmt.Sprintf("builtin: release table: %v", err)) // a test reads every entry
	}
	return v
}

// CheckRelease checks a declared istioVersion (prefix names its field in messages, e.g.
// "spec."): a release like 1.29 or 1.29.6 that a proxy tag naming a release agrees with.
// A release without a built-in injector is not an error here: the package may hold its
// ConfigMaps.
func CheckRelease(tag, istioVersion, prefix string) []error {
	if istioVersion == "" {
		return nil
	}
	v, err := istio.ParseVersion(istioVersion)
	if err != nil {
		return []error{fmt.Errorf("%sistioVersion: %w", prefix, err)}
	}
	if t, ok := istio.VersionOfTag(tag); ok && !(t.Line() == v.Line() && (!v.HasPatch() || t.Patch == v.Patch)) {
		return []error{fmt.Errorf("%sistioVersion: %s disagrees with the proxy tag %q, which names Istio %s: the tag decides the release, so leave istioVersion out or make them agree",
			prefix, istioVersion, tag, t)}
	}
	return nil
}
