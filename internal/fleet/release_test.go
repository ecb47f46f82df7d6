package fleet

import (
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func injector(rev, spec string) *yaml.RNode {
	return yaml.MustParse(fmt.Sprintf(`apiVersion: meshfn.dev/v1alpha1
kind: RevisionInjector
metadata:
  name: %s
  namespace: istio-system
  labels:
    istio.io/rev: %s
  annotations:
    config.kubernetes.io/local-config: "true"
spec:
%s`, rev, rev, spec))
}

func releaseConfigMap(rev, labels, values string) *yaml.RNode {
	return yaml.MustParse(fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-sidecar-injector-%s
  namespace: istio-system
  labels:
    istio.io/rev: %s
%sdata:
  config: |
    policy: enabled
    templates:
      sidecar: "spec: {}"
  values: '%s'
`, rev, rev, labels, values))
}

// TestReleaseOfARevision: which Istio release (and proxy tag) each kind of declaration
// gives a revision, and what is said about it.
func TestReleaseOfARevision(t *testing.T) {
	tests := []struct {
		name     string
		items    []*yaml.RNode
		opts     Options
		release  string // "?" when unknown
		from     string
		tag      string // of a built-in revision
		note     string // a note that must be there
		warning  bool
		settings string // an error Settings must give
	}{
		{name: "the proxy tag is a version", items: []*yaml.RNode{injector("a", "  tag: 1.29.6-distroless\n")},
			release: "1.29.6", from: "the proxy tag of RevisionInjector istio-system/a", tag: "1.29.6-distroless"},
		{name: "istioVersion for a tag that is not a version", items: []*yaml.RNode{injector("a", "  tag: mirror-7\n  istioVersion: \"1.28\"\n")},
			release: "1.28", from: "spec.istioVersion of RevisionInjector istio-system/a", tag: "mirror-7"},
		{name: "a line names its newest patch as tag", items: []*yaml.RNode{injector("a", "  istioVersion: \"1.29\"\n")},
			opts: Options{Tag: "1.30.3"}, release: "1.29", tag: "1.29.6"},
		{name: "the function's tag for a revision that declares none", items: []*yaml.RNode{injector("a", "  hub: h.example\n")},
			opts: Options{Tag: "1.28.10"}, release: "1.28.10", from: "the function's tag", tag: "1.28.10"},
		{name: "the function's istioVersion", items: []*yaml.RNode{injector("a", "  tag: mirror-7\n")},
			opts: Options{IstioVersion: "1.30"}, release: "1.30", from: "the function's istioVersion", tag: "mirror-7"},
		{name: "the default, said when a tag names none", items: []*yaml.RNode{injector("a", "  tag: mirror-7\n")},
			release: "1.30.3", tag: "mirror-7", note: `revision a: proxy tag "mirror-7" names no Istio release; injecting as Istio 1.30.3, the default`},
		{name: "the default without any tag", items: []*yaml.RNode{injector("a", "  hub: h.example\n")}, release: "1.30.3", tag: "1.30.3"},
		{name: "a newer patch is said", items: []*yaml.RNode{injector("a", "  tag: 1.29.9\n")}, release: "1.29.9", tag: "1.29.9",
			note: "revision a: Istio 1.29.9 is newer than the newest 1.29 patch meshfn knows; injecting as Istio 1.29.6"},
		{name: "a line without a release is said", items: []*yaml.RNode{injector("a", "  tag: 1.31.0\n")}, release: "1.31.0", tag: "1.31.0",
			note: "revision a: Istio 1.31 has no release yet; injecting as 1.31.0-rc.0"},
		{name: "an unsupported release is an error with the ways out", items: []*yaml.RNode{injector("a", "  tag: 1.27.3\n")},
			release: "1.27.3", tag: "1.27.3",
			settings: "revision a: Istio 1.27.3 is older than the oldest release with a built-in injector (1.28) (the proxy tag of RevisionInjector istio-system/a): " +
				"it has no built-in injector; put the release's injector ConfigMaps (istio-sidecar-injector-a and istio-a) in the package, or use a supported release (1.28, 1.29, 1.30 and 1.31)"},
		{name: "ConfigMaps: global.tag", items: []*yaml.RNode{releaseConfigMap("a", "", `{"global": {"tag": "1.28.2"}}`)},
			release: "1.28.2", from: "global.tag of ConfigMap istio-system/istio-sidecar-injector-a"},
		{name: "ConfigMaps: the chart labels", items: []*yaml.RNode{releaseConfigMap("a", "    helm.sh/chart: istiod-1.29.3\n", `{"global": {"tag": "latest"}}`)},
			release: "1.29.3", from: "the chart labels of ConfigMap istio-system/istio-sidecar-injector-a"},
		{name: "ConfigMaps: a development chart says nothing", items: []*yaml.RNode{releaseConfigMap("a", "    app.kubernetes.io/version: 1.0.0\n", `{}`)},
			opts: Options{IstioVersion: "1.29.6"}, release: "1.29.6", from: "the function's istioVersion"},
		{name: "ConfigMaps: unknown is a warning", items: []*yaml.RNode{releaseConfigMap("a", "", `{}`)}, release: "?", warning: true,
			note: "revision a: nothing says which Istio release its ConfigMaps are from"},
		{name: "ConfigMaps of an unsupported release inject with the nearest rules", items: []*yaml.RNode{releaseConfigMap("a", "", `{"global": {"tag": "1.27.3"}}`)},
			release: "1.27.3", warning: true, note: "injecting with its ConfigMaps' templates and the engine rules of Istio 1.28.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Read(tt.items, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			r := m.Revision("a")
			got := "?"
			if r.Release.Known {
				got = r.Release.Version.String()
			}
			if got != tt.release || !strings.HasPrefix(r.Release.From, tt.from) || r.Tag != tt.tag {
				t.Errorf("release %s from %q, tag %q; want %s from %q, tag %q", got, r.Release.From, r.Tag, tt.release, tt.from, tt.tag)
			}
			if tt.note != "" && !hasNote(m, tt.note, tt.warning) {
				t.Errorf("no note %q (warning %t) in %+v", tt.note, tt.warning, m.Notes)
			}
			_, err = m.Settings("a")
			if (err == nil) != (tt.settings == "") || (err != nil && err.Error() != tt.settings) {
				t.Errorf("Settings: %v; want %q", err, tt.settings)
			}
		})
	}
}

func hasNote(m *Mesh, prefix string, warning bool) bool {
	for _, n := range m.Notes {
		if strings.Contains(n.Message, prefix) && n.Warning == warning {
			return true
		}
	}
	return false
}
