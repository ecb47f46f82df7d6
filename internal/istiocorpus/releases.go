package istiocorpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/missing"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ReleasesEnvVar names the environment variable that overrides where the per-release
// corpora are.
const ReleasesEnvVar = "MESHFN_ISTIO_RELEASE_CORPORA"

// Release is the corpus of one Istio release: the cases of its own TestInjection that run
// on the default settings, and its default injector ConfigMaps.
type Release struct {
	Version string // the release, e.g. 1.29.6
	Dir     string
}

// Releases finds the per-release corpora: $MESHFN_ISTIO_RELEASE_CORPORA, or
// shared/istio-release-corpora beside the repository; one folder per release. It skips
// the test when they are not there (fails under MESHFN_REQUIRE_CORPORA).
func Releases(t testing.TB) []Release {
	t.Helper()
	dir := os.Getenv(ReleasesEnvVar)
	if dir == "" {
		dir = filepath.Join(repoRoot(), "..", "shared", "istio-release-corpora")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		missing.Corpus(t, "Istio's per-release injection corpora are not at %s (set %s): %v", dir, ReleasesEnvVar, err)
	}
	var out []Release
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, Release{Version: e.Name(), Dir: filepath.Join(dir, e.Name())})
		}
	}
	if len(out) == 0 {
		missing.Corpus(t, "no release under %s", dir)
	}
	return out
}

// ConfigMaps reads the release's two default ConfigMaps, the injector's first.
func (r Release) ConfigMaps(t testing.TB) []*yaml.RNode {
	t.Helper()
	return []*yaml.RNode{readOne(t, filepath.Join(r.Dir, "settings", InjectorFile)), readOne(t, filepath.Join(r.Dir, "settings", MeshFile))}
}

// ReleaseCase is a case of a release's corpus, as a Case (its revision is the default
// one), with the proxy image its expected output names.
type ReleaseCase struct {
	Case
	// Proxy is the hub and tag of the images in expected.yaml.
	Proxy struct {
		Hub string `json:"hub"`
		Tag string `json:"tag"`
	} `json:"proxy"`
}

// Cases reads the release's cases, in the order of their names.
func (r Release) Cases(t testing.TB) []ReleaseCase {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(r.Dir, "cases"))
	if err != nil {
		t.Fatal(err)
	}
	var out []ReleaseCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c := ReleaseCase{}
		c.Dir = filepath.Join(r.Dir, "cases", e.Name())
		ReadYAML(t, filepath.Join(c.Dir, "case.yaml"), &c)
		c.Name = e.Name()
		out = append(out, c)
	}
	return out
}

// ImagesTagged returns a change of expected output for a case rendered with a proxy
// tag of its own: every image HUB/NAME:TAG of the case's proxy hub and tag reads
// HUB/NAME:tag instead (the suffix of an image type kept).
func (c ReleaseCase) ImagesTagged(tag string) func(any) any {
	prefix := c.Proxy.Hub + "/"
	var fix func(any) any
	fix = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "image" && strings.HasPrefix(s, prefix) {
					if name, t, ok := strings.Cut(strings.TrimPrefix(s, prefix), ":"); ok && strings.HasPrefix(t, c.Proxy.Tag) {
						x[k] = prefix + name + ":" + tag + strings.TrimPrefix(t, c.Proxy.Tag)
					}
					continue
				}
				x[k] = fix(e)
			}
		case []any:
			for i, e := range x {
				x[i] = fix(e)
			}
		}
		return v
	}
	return fix
}
