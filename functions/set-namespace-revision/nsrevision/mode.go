package nsrevision

import "github.com/meshfn/meshfn/internal/istio"

// The data-plane modes a Namespace can be put in.
const (
	// ModeSidecar: the revision's injector gives every pod a sidecar.
	ModeSidecar = "sidecar"
	// ModeAmbient: ztunnel captures the pods, and no injector selects them.
	ModeAmbient = "ambient"
	// ModeNone: neither; the namespace stays outside the mesh's data plane.
	ModeNone = "none"
)

// labelEdit is one label a mode wants on a Namespace: set to value, or removed.
type labelEdit struct {
	key, value string
	remove     bool
}

// modes lists, for each data-plane mode, the labels it writes besides istio.io/rev=REV,
// in the order they are written. Every mode writes istio.io/rev: it names the control
// plane whose webhooks inject the namespace (sidecar), and the one that manages its
// gateways and waypoints (Istio's gateway controller reads a Gateway's own istio.io/rev,
// else its namespace's). Istio's injector knows nothing of ambient mode, and its revision
// webhook selects every namespace with istio.io/rev and no istio-injection label, so the
// ambient and none modes set istio-injection=disabled, which no webhook selects. This is
// how Istio's own test framework labels a namespace on a revision without injection.
// Every mode sets or removes the same keys, so moving back restores the labels exactly.
var modes = map[string][]labelEdit{
	ModeSidecar: {
		{key: istio.InjectionLabel, remove: true},
		{key: istio.DataplaneModeLabel, remove: true},
	},
	ModeAmbient: {
		{key: istio.InjectionLabel, value: "disabled"},
		{key: istio.DataplaneModeLabel, value: istio.DataplaneModeAmbient},
	},
	ModeNone: {
		{key: istio.InjectionLabel, value: "disabled"},
		{key: istio.DataplaneModeLabel, value: istio.DataplaneModeNone},
	},
}
