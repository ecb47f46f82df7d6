package fleet

import (
	"fmt"
	"slices"

	"github.com/meshfn/meshfn/internal/istio"
)

// AmbientExcludedNamespaces are the namespaces Istio's CNI agent never captures, whatever
// their labels say: its chart's default excludeNamespaces.
var AmbientExcludedNamespaces = []string{"kube-system"}

// Ambient is what a pod's and its namespace's istio.io/dataplane-mode labels make of the
// pod, as Istio's CNI agent reads them with its default enablement selectors (Istio 1.31,
// istio-cni chart ambient.enablementSelectors; istio.io "Pod selection logic for ambient
// and sidecar modes"): the pod's own label ambient, or its namespace's when the pod's is
// not none, puts it in ambient mode. Whether it then runs in ambient mode depends on one
// more rule, which the caller applies: a pod that gets a sidecar is never captured (the
// sidecar takes precedence; the CNI agent skips pods with sidecar.istio.io/status).
type Ambient struct {
	// Captured is set when the labels put the pod in ambient mode.
	Captured bool
	// Label names the label that decided, such as "namespace label
	// istio.io/dataplane-mode=ambient" or "pod label istio.io/dataplane-mode=none"; ""
	// when no label speaks of ambient mode.
	Label string
	// ByPod is set when the pod's own label decided.
	ByPod bool
	// Excluded says why labels that ask for ambient mode do not count, "" when they do.
	Excluded string
}

// AmbientOf reads the data-plane mode labels of a pod (podLabels) in a namespace
// (nsLabels, as NamespaceLabels gives them). hostNetwork pods are never
// captured.
func AmbientOf(nsLabels, podLabels map[string]string, hostNetwork bool) Ambient {
	var a Ambient
	podMode, podHas := podLabels[istio.DataplaneModeLabel]
	switch {
	case podHas && podMode == istio.DataplaneModeAmbient:
		a = Ambient{Captured: true, ByPod: true, Label: "pod label " + istio.DataplaneModeLabel + "=" + podMode}
	case nsLabels[istio.DataplaneModeLabel] != istio.DataplaneModeAmbient:
		return Ambient{}
	case podHas && podMode == istio.DataplaneModeNone:
		return Ambient{ByPod: true, Label: "pod label " + istio.DataplaneModeLabel + "=" + podMode}
	default:
		a = Ambient{Captured: true, Label: "namespace label " + istio.DataplaneModeLabel + "=" + istio.DataplaneModeAmbient}
	}
	ns := nsLabels[istio.NamespaceNameLabel]
	switch {
	case hostNetwork:
		a.Captured, a.Excluded = false, "the pod uses the host's network, which ztunnel cannot capture"
	case slices.Contains(AmbientExcludedNamespaces, ns):
		a.Captured, a.Excluded = false, fmt.Sprintf("Istio's CNI agent excludes namespace %s", ns)
	}
	return a
}

// String says what the labels decided, for results: "ambient mode (namespace label
// istio.io/dataplane-mode=ambient)".
func (a Ambient) String() string {
	switch {
	case a.Excluded != "":
		return fmt.Sprintf("not in ambient mode despite its %s: %s", a.Label, a.Excluded)
	case a.Captured:
		return fmt.Sprintf("ambient mode (%s)", a.Label)
	case a.Label != "":
		return fmt.Sprintf("kept out of ambient mode by its %s", a.Label)
	}
	return "not in ambient mode"
}
