package fleet

import (
	"errors"
	"fmt"
	"strings"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Release is the Istio release a revision injects as: its istiod's templates (the
// built-in ones of that release, unless the package holds the revision's ConfigMaps) and
// engine rules.
type Release struct {
	// Version is the release; meaningful when Known.
	Version istio.Version
	// Known is false when nothing names the release of a revision with its own ConfigMaps.
	Known bool
	// From says where the release was read, for messages ("the proxy tag of RevisionInjector
	// istio-system/asm-1-29").
	From string
}

func (r Release) String() string {
	if !r.Known {
		return "an unknown release"
	}
	return "Istio " + r.Version.String()
}

// releaseOfTag is the release a proxy tag names, if it names one.
func releaseOfTag(tag, from string) (Release, bool) {
	v, ok := istio.VersionOfTag(tag)
	return Release{Version: v, Known: true, From: from}, ok
}

// releaseOfText reads a declared istioVersion.
func releaseOfText(text, from string) (Release, bool, error) {
	if text == "" {
		return Release{}, false, nil
	}
	v, err := istio.ParseVersion(text)
	if err != nil {
		return Release{}, false, fmt.Errorf("%s: %w", from, err)
	}
	return Release{Version: v, Known: true, From: from}, true, nil
}

// builtinRelease decides the proxy tag and release of a revision that injects with the
// built-in injector, from what it declares (d; nil for none) and what the function
// sets for revisions that declare nothing. The first that applies wins:
//  1. the revision's tag, when it is a version; then its istioVersion;
//  2. the function's tag, when the revision declares neither; then its istioVersion;
//  3. the newest release meshfn knows (builtin.DefaultVersion), said in a note.
//
// The tag is the revision's, else the function's for a revision that declares no release,
// else the release's version.
func (m *Mesh) builtinRelease(r *Revision) (tag string, rel Release, err error) {
	var declaredTag, declaredVersion, what string
	if d := r.declared; d != nil {
		declaredTag, declaredVersion, what = d.Tag, d.IstioVersion, krm.Describe(r.Injector)
	}
	if rel, ok := releaseOfTag(declaredTag, "the proxy tag of "+what); ok {
		return declaredTag, rel, nil
	}
	rel, ok, err := releaseOfText(declaredVersion, "spec.istioVersion of "+what)
	if err != nil || ok {
		return orDefault(declaredTag, tagOf(rel)), rel, err
	}
	tag = orDefault(declaredTag, m.opts.Tag)
	if rel, ok := releaseOfTag(m.opts.Tag, "the function's tag"); ok && declaredTag == "" {
		return tag, rel, nil
	}
	if rel, ok, err := releaseOfText(m.opts.IstioVersion, "the function's istioVersion"); err != nil || ok {
		return orDefault(tag, tagOf(rel)), rel, err
	}
	v := builtin.DefaultVersion()
	rel = Release{Version: v, Known: true, From: "meshfn's default"}
	if tag != "" {
		m.Notes = append(m.Notes, Note{Object: declaration(r), Message: fmt.Sprintf(
			"revision %s: proxy tag %q names no Istio release; injecting as Istio %s, the default (set istioVersion to choose)",
			r.Label(), tag, v)})
	}
	return orDefault(tag, v.String()), rel, nil
}

// tagOf is the proxy tag of a release named without a tag: the patch release meshfn
// injects it as (1.29.6 for 1.29), or the release as written when it has no built-in
// injector (using it is an error).
func tagOf(rel Release) string {
	if b, err := builtin.Lookup(rel.Version); err == nil {
		return b.Version.String()
	}
	return rel.Version.String()
}

// configMapRelease decides the release of a revision whose injector ConfigMaps are in the
// package: their global.tag, when it is a version; else the revision's declared
// istioVersion; else the chart version their labels name; else the function's istioVersion.
func (m *Mesh) configMapRelease(r *Revision, cm *yaml.RNode, values inject.Values) (Release, error) {
	what := krm.Describe(cm)
	if rel, ok := releaseOfTag(values.String("global", "tag"), "global.tag of "+what); ok {
		return rel, nil
	}
	if d := r.declared; d != nil {
		if rel, ok, err := releaseOfText(d.IstioVersion, "spec.istioVersion of "+krm.Describe(r.Injector)); err != nil || ok {
			return rel, err
		}
	}
	if rel, ok := chartRelease(cm); ok {
		return rel, nil
	}
	rel, ok, err := releaseOfText(m.opts.IstioVersion, "the function's istioVersion")
	if err != nil || ok {
		return rel, err
	}
	return Release{From: what}, nil
}

// developmentChart is the version of Istio's charts outside a release build.
const developmentChart = "1.0.0"

// chartRelease reads the release from the labels Istio's chart puts on its ConfigMaps
// (app.kubernetes.io/version, helm.sh/chart: istiod-VERSION).
func chartRelease(cm *yaml.RNode) (Release, bool) {
	labels := cm.GetLabels()
	for _, v := range []string{labels["app.kubernetes.io/version"], strings.TrimPrefix(labels["helm.sh/chart"], "istiod-")} {
		if v == "" || v == developmentChart {
			continue
		}
		if rel, ok := releaseOfTag(v, "the chart labels of "+krm.Describe(cm)); ok {
			return rel, true
		}
	}
	return Release{}, false
}

// rulesFor returns the engine rules of a revision with its own ConfigMaps. A release
// without a built-in injector still injects (the ConfigMaps hold its templates), with the
// rules of the nearest supported release, and a note says so; so does an unknown one.
func (m *Mesh) rulesFor(r *Revision, cm *yaml.RNode) inject.Rules {
	rel := r.Release
	v := rel.Version
	if !rel.Known {
		v = builtin.Newest()
	}
	b, err := builtin.Lookup(v)
	var unsupported *builtin.UnsupportedError
	switch {
	case errors.As(err, &unsupported):
		nearest := builtin.Newest()
		if v.Compare(nearest) < 0 {
			nearest = builtin.Oldest()
		}
		b = builtin.MustLookup(nearest)
		m.Notes = append(m.Notes, Note{Warning: true, Object: cm, Message: fmt.Sprintf(
			"revision %s: %s (%s) has no engine rules in meshfn, which knows %s: injecting with its ConfigMaps' templates and the engine rules of Istio %s",
			r.Label(), rel, rel.From, builtin.SupportedText(), nearest)})
	case !rel.Known:
		m.Notes = append(m.Notes, Note{Warning: true, Object: cm, Message: fmt.Sprintf(
			"revision %s: nothing says which Istio release its ConfigMaps are from (no version in global.tag or the chart labels, no istioVersion): injecting with the engine rules of Istio %s; set istioVersion to choose",
			r.Label(), v)})
	default:
		m.noteRelease(r, b, cm, "with the engine rules of")
	}
	return b.Rules
}

// noteRelease says when a revision injects as another release than the one asked for: a
// patch newer than meshfn has read, or a line with no release yet.
// how says what of the release is used: "as" (the built-in injector) or "with the
// engine rules of" (the revision's own ConfigMaps).
func (m *Mesh) noteRelease(r *Revision, b *builtin.Release, obj *yaml.RNode, how string) {
	switch {
	case b.Beyond():
		m.Notes = append(m.Notes, Note{Object: obj, Message: fmt.Sprintf(
			"revision %s: Istio %s is newer than the newest %s patch meshfn knows; injecting %s Istio %s (%s)",
			r.Label(), b.Asked, b.Version.Line(), how, b.Version, r.Release.From)})
	case b.Preview != "":
		m.Notes = append(m.Notes, Note{Object: obj, Message: fmt.Sprintf(
			"revision %s: Istio %s has no release yet; injecting %s %s, which meshfn follows (%s)",
			r.Label(), b.Version.Line(), how, b.Preview, r.Release.From)})
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
