package nsrevision

import (
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/krmtest"
)

// namespacesOfEveryShape are Namespaces as users write them: with comments and other
// labels, with the legacy injection label, already in a mode, and with no labels at all.
const namespacesOfEveryShape = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: shop
    labels:
      team: shop # owner
      # the revision
      istio.io/rev: asm-1-29
      tier: "web"
- apiVersion: v1
  kind: Namespace
  metadata:
    name: legacy
    labels:
      istio-injection: enabled
- apiVersion: v1
  kind: Namespace
  metadata:
    name: ingress
    labels:
      istio.io/dataplane-mode: none
      istio-injection: disabled
      istio.io/rev: asm-1-29
- apiVersion: v1
  kind: Namespace
  metadata:
    name: bare
`

// withMode returns the ResourceList rl with a config that puts every namespace on
// asm-1-29 in the given mode.
func withMode(t *testing.T, rl []byte, mode string) []byte {
	t.Helper()
	parsed, err := fn.ParseResourceList(rl)
	if err != nil {
		t.Fatal(err)
	}
	parsed.Results = nil
	cfg, err := fn.ParseKubeObject([]byte(typedConfig("  revision: asm-1-29\n  namespaces: [shop, legacy, ingress, bare]\n  dataplaneMode: " + mode + "\n")))
	if err != nil {
		t.Fatal(err)
	}
	parsed.FunctionConfig = cfg
	out, err := parsed.ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestModesRoundTrip moves Namespaces from the sidecar mode to another mode and back, in
// every order, and checks that the labels come back byte for byte.
func TestModesRoundTrip(t *testing.T) {
	start, ok := krmtest.Run(t, Run, withMode(t, []byte(namespacesOfEveryShape), ModeSidecar))
	if !ok {
		t.Fatalf("sidecar mode failed:\n%s", start)
	}
	start = withMode(t, start, ModeSidecar)
	for _, path := range [][]string{
		{ModeAmbient, ModeSidecar},
		{ModeNone, ModeSidecar},
		{ModeAmbient, ModeNone, ModeSidecar},
		{ModeNone, ModeAmbient, ModeAmbient, ModeSidecar},
	} {
		rl := start
		for _, mode := range path {
			var ok bool
			if rl, ok = krmtest.Run(t, Run, withMode(t, rl, mode)); !ok {
				t.Fatalf("%v: mode %s failed:\n%s", path, mode, rl)
			}
		}
		if got := withMode(t, rl, ModeSidecar); string(got) != string(start) {
			t.Errorf("%v: the labels did not come back:\n%s", path, krmtest.Diff(string(start), string(got)))
		}
	}
}
