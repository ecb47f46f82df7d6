package inject

import (
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/inject/annotations"
	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
)

// bomb is YAML whose aliases expand 10,000-fold.
const bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
	"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"

// TestPackageYAMLWithAliasesIsRefused: the injector's config, values and mesh config,
// and a proxy.istio.io/config annotation, come from the package as YAML text; anchors
// and aliases in them are an error naming them, not expanded.
func TestPackageYAMLWithAliasesIsRefused(t *testing.T) {
	const want = "YAML anchor &a: anchors and aliases are not allowed"
	cases := map[string]Sources{
		"config": {Config: "policy: enabled\ntemplates:\n  sidecar: &a x\n  other: *a\n"},
		"values": {Config: "policy: enabled\n", Values: bomb},
		"mesh":   {Config: "policy: enabled\n", Mesh: "defaultConfig: &a {concurrency: 2}\n"},
	}
	for name, src := range cases {
		if _, err := NewSettings("", src, newestRules, templatefuncs.Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, want)
		}
	}
	if err := annotations.Check("proxy.istio.io/config", "concurrency: &a 2\nstatusPort: *a\n"); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("proxy config annotation: error %v, want one containing %q", err, want)
	}
}

// TestTemplateOutputWithAliasesIsRefused: a template (from the package) that renders
// YAML whose aliases expand far beyond its text is an error, not a pod of millions of
// fields written into the package.
func TestTemplateOutputWithAliasesIsRefused(t *testing.T) {
	overlay := "spec:\n  containers:\n  - name: istio-proxy\n    args: &z [" + strings.Repeat("x, ", 999) + "x]\n    env: []\n" +
		"  initContainers:\n" + strings.Repeat("  - {name: i, args: *z}\n", 90)
	if _, err := parseOverlay([]byte(overlay)); err == nil || !strings.Contains(err.Error(), "aliases") {
		t.Errorf("error %v, want one about aliases", err)
	}
	if _, err := parseOverlay([]byte("spec:\n  containers:\n  - name: istio-proxy\n    args: [a, b]\n")); err != nil {
		t.Errorf("plain overlay: %v", err)
	}
}
