package fleet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/controlplane"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// generated is what generate-revision generates for a spec: webhooks, Service, RevisionInjector.
func generated(t *testing.T, rev, namespace string, tags ...string) []*yaml.RNode {
	t.Helper()
	spec := controlplane.Spec{Revision: &rev, Namespace: namespace, Tags: tags, Hub: "hub.example/" + rev}
	spec.Default()
	return controlplane.Objects(spec)
}

func only(objs []*yaml.RNode, kind string) []*yaml.RNode {
	var out []*yaml.RNode
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func configMap(name, revLabel string) *yaml.RNode {
	labels := ""
	if revLabel != "" {
		labels = "\n  labels:\n    istio.io/rev: " + revLabel
	}
	return yaml.MustParse(fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: %s
  namespace: istio-system%s
data:
  config: |
    policy: enabled
    templates:
      sidecar: "spec: {}"
  values: '{}'
`, name, labels))
}

// describe sums up a mesh: each revision as label@namespace[tags](evidence), and whether assumed.
func describe(m *Mesh) string {
	var parts []string
	for _, r := range m.Revisions() {
		var evidence []string
		for _, e := range []struct {
			name string
			obj  *yaml.RNode
		}{{"webhooks", r.Webhooks}, {"injector", r.Injector}, {"configmap", r.ConfigMap}} {
			if e.obj != nil {
				evidence = append(evidence, e.name)
			}
		}
		parts = append(parts, fmt.Sprintf("%s@%s%v(%s)", r.Label(), r.Namespace, r.Tags, strings.Join(evidence, ",")))
	}
	if m.Assumed() {
		parts = append(parts, "assumed")
	}
	return strings.Join(parts, " ")
}

func TestRead(t *testing.T) {
	stable := generated(t, "asm-1-29", "istio-system", "prod")
	canary := generated(t, "asm-1-30", "mesh-system")
	tests := []struct {
		name  string
		items []*yaml.RNode
		want  string
		names string
	}{
		{name: "nothing: the configured revision is assumed", want: "asm-1-29@istio-system[]() assumed", names: "asm-1-29"},
		{name: "generate-revision's output", items: append(append([]*yaml.RNode{}, stable...), canary...),
			want:  "asm-1-29@istio-system[prod](webhooks,injector) asm-1-30@mesh-system[](webhooks,injector)",
			names: "asm-1-29, asm-1-30, prod (tag of asm-1-29)"},
		{name: "webhooks alone", items: only(stable, "MutatingWebhookConfiguration"),
			want: "asm-1-29@istio-system[prod](webhooks)", names: "asm-1-29, prod (tag of asm-1-29)"},
		{name: "a RevisionInjector alone", items: only(canary, "RevisionInjector"),
			want: "asm-1-30@mesh-system[](injector)", names: "asm-1-30"},
		{name: "injector ConfigMaps: label, suffix, default",
			items: []*yaml.RNode{configMap("istio-sidecar-injector-canary", "canary"), configMap("istio-sidecar-injector-x", "other"),
				configMap("istio-sidecar-injector-blue", ""), configMap("istio-sidecar-injector", "")},
			want:  "default@istio-system[](configmap) blue@istio-system[](configmap) canary@istio-system[](configmap) other@istio-system[](configmap)",
			names: "default, blue, canary, other"},
		{name: "ConfigMaps beside generated revisions",
			items: append(only(stable, "MutatingWebhookConfiguration"), configMap("istio-sidecar-injector-canary", "canary")),
			want:  "asm-1-29@istio-system[prod](webhooks) canary@istio-system[](configmap)",
			names: "asm-1-29, canary, prod (tag of asm-1-29)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Read(tt.items, Options{Assume: "asm-1-29"})
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(m); got != tt.want {
				t.Errorf("revisions %s, want %s", got, tt.want)
			}
			if got := m.Names(); got != tt.names {
				t.Errorf("names %q, want %q", got, tt.names)
			}
		})
	}
}

func TestReadRefuses(t *testing.T) {
	badInjector := only(generated(t, "asm-1-29", "istio-system"), "RevisionInjector")[0]
	if err := badInjector.PipeE(yaml.SetField("spec", yaml.MustParse("values: {global: {hub: x}}"))); err != nil {
		t.Fatal(err)
	}
	twice := append(only(generated(t, "asm-1-29", "istio-system"), "RevisionInjector"),
		only(generated(t, "asm-1-29", "istio-system"), "RevisionInjector")...)
	badHook := yaml.MustParse(`apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: bad
webhooks:
- name: x.sidecar-injector.istio.io
  namespaceSelector:
    matchExpressions:
    - key: a
      operator: Wrong
`)
	tagTwice := append(only(generated(t, "asm-1-29", "istio-system", "prod"), "MutatingWebhookConfiguration"),
		only(generated(t, "asm-1-30", "istio-system", "prod"), "MutatingWebhookConfiguration")...)
	tests := []struct {
		name  string
		items []*yaml.RNode
		want  string
	}{
		{"a RevisionInjector setting a reserved value", []*yaml.RNode{badInjector},
			"RevisionInjector istio-system/asm-1-29: spec.values.global.hub: set by hub, not by values"},
		{"two RevisionInjectors for one revision", twice, "revision asm-1-29 is also declared by RevisionInjector istio-system/asm-1-29"},
		{"a malformed webhook selector", []*yaml.RNode{badHook}, "MutatingWebhookConfiguration bad: webhook x.sidecar-injector.istio.io: namespaceSelector"},
		{"one tag on two revisions", tagTwice, "revision tag prod points at revision asm-1-30 here and at asm-1-29 elsewhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(tt.items, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRequested(t *testing.T) {
	tests := []struct {
		ns, pod map[string]string
		want    string // name|label, or "" for nothing
	}{
		{nil, nil, ""},
		{map[string]string{"istio-injection": "enabled"}, nil, "default|namespace label istio-injection=enabled"},
		{map[string]string{"istio-injection": "disabled", "istio.io/rev": "a"}, map[string]string{"istio.io/rev": "b"}, ""},
		{map[string]string{"istio-injection": "enabled", "istio.io/rev": "a"}, nil, "default|namespace label istio-injection=enabled"},
		{map[string]string{"istio.io/rev": "a"}, map[string]string{"istio.io/rev": "b"}, "a|namespace label istio.io/rev=a"},
		{nil, map[string]string{"istio.io/rev": "b", "sidecar.istio.io/inject": "true"}, "b|pod label istio.io/rev=b"},
		{nil, map[string]string{"sidecar.istio.io/inject": "true"}, "default|pod label sidecar.istio.io/inject=true"},
		{nil, map[string]string{"sidecar.istio.io/inject": "false"}, ""},
	}
	for _, tt := range tests {
		req, ok := Requested(tt.ns, tt.pod)
		got := ""
		if ok {
			got = req.Name + "|" + req.Label
		}
		if got != tt.want {
			t.Errorf("Requested(%v, %v) = %q, want %q", tt.ns, tt.pod, got, tt.want)
		}
	}
}

func TestServes(t *testing.T) {
	m, err := Read(append(only(generated(t, "asm-1-29", "istio-system", "prod", "default"), "MutatingWebhookConfiguration"),
		only(generated(t, "canary", "istio-system"), "RevisionInjector")...), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"asm-1-29": true, "prod": true, "default": true, "canary": true, "asm-1-99": false, "": false} {
		if got := m.Serves(name); got != want {
			t.Errorf("Serves(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestSettingsFollowTheDeclaration: the built-in injector of a revision takes the image,
// namespace and values its RevisionInjector declares, else the options' image; the
// revision's injector ConfigMap wins over both.
func TestSettingsFollowTheDeclaration(t *testing.T) {
	spec := controlplane.Spec{Revision: strp("asm-1-30"), Namespace: "mesh-system", Tag: "1.30.3",
		Values: map[string]any{"global": map[string]any{"logAsJson": true}}}
	spec.Default()
	items := append(controlplane.Objects(spec), configMap("istio-sidecar-injector-canary", "canary"))
	items = append(items, only(generated(t, "canary", "istio-system"), "RevisionInjector")...)
	m, err := Read(items, Options{Hub: "registry.example/istio", Tag: "1.31.9"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Settings("asm-1-30")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"global.hub": "registry.example/istio", "global.tag": "1.30.3",
		"global.istioNamespace": "mesh-system", "global.logAsJson": "true", "revision": "asm-1-30"} {
		if got := s.Values.String(strings.Split(path, ".")...); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if got := s.Mesh.GetDefaultConfig().GetDiscoveryAddress(); got != "istiod-asm-1-30.mesh-system.svc:15012" {
		t.Errorf("discovery address %q", got)
	}
	cm, err := m.Settings("canary")
	if err != nil {
		t.Fatal(err)
	}
	if cm.Values.String("global", "hub") != "" || !cm.HasTemplate("sidecar") || cm.HasTemplate("gateway") {
		t.Errorf("revision canary does not inject with its ConfigMap's settings: %v", cm.Values)
	}
	var noted bool
	for _, n := range m.Notes {
		noted = noted || strings.Contains(n.Message, "revision canary injects with the settings of ConfigMap istio-system/istio-sidecar-injector-canary")
	}
	if !noted {
		t.Errorf("no note that the ConfigMap wins: %v", m.Notes)
	}
}

func strp(s string) *string { return &s }
