package ambientcheck

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"

	"github.com/meshfn/meshfn/internal/fleet"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ambientView is what the ambient checks know of the package: its namespaces' labels, its
// workloads with whether each runs in ambient mode, its Services and its waypoints.
type ambientView struct {
	namespaces map[string]map[string]string // name -> labels
	nsObjects  map[string]*yaml.RNode
	rootNS     string // Istio's root namespace: its policies apply mesh-wide
	workloads  []ambientWorkload
	services   []*yaml.RNode
	waypoints  map[string]*yaml.RNode // namespace/name -> Gateway of class istio-waypoint
	gateways   map[string]*yaml.RNode // namespace/name -> any other Gateway
}

// ambientWorkload is a workload and the labels of its pods.
type ambientWorkload struct {
	pod     check.Pod
	labels  map[string]string
	ambient bool
}

// Check is the ambient checks: namespaces, policies, routes and waypoint bindings that do
// not work for workloads in ambient mode.
var Check = check.Check{Name: "ambient", Run: run, Codes: []string{
	check.CodeAmbientAndSidecar, check.CodeL7PolicyOnAmbient, check.CodeRoutesWithoutWaypoint, check.CodeMissingWaypoint,
}}

// run reads the package for the ambient checks and runs them.
func run(p *check.Package) ([]*check.Finding, error) {
	return readAmbient(p).check(p.Items), nil
}

// readAmbient reads the package for the ambient checks; which pods run in ambient mode,
// the package's reading says (check.Pod's Ambient).
func readAmbient(p *check.Package) *ambientView {
	items, namespaces, pods, views, rootNS := p.Items, p.Namespaces, p.Pods, p.Views, p.Settings.IstioNamespace
	av := &ambientView{namespaces: map[string]map[string]string{}, nsObjects: map[string]*yaml.RNode{}, rootNS: rootNS,
		waypoints: map[string]*yaml.RNode{}, gateways: map[string]*yaml.RNode{}}
	for _, ns := range namespaces {
		l, _ := krm.Labels(ns)
		av.namespaces[ns.GetName()], av.nsObjects[ns.GetName()] = l, ns
	}
	for i, pod := range pods {
		av.workloads = append(av.workloads, ambientWorkload{pod: pod, labels: views[i].Labels, ambient: pod.Ambient})
	}
	for _, it := range items {
		key := it.GetNamespace() + "/" + it.GetName()
		switch {
		case it.GetKind() == "Service" && it.GetApiVersion() == "v1":
			av.services = append(av.services, it)
		case istio.IsWaypoint(it):
			av.waypoints[key] = it
		case istio.IsGateway(it):
			av.gateways[key] = it
		}
	}
	return av
}

// nsLabels are a namespace's labels as the cluster's controllers read them.
func (av *ambientView) nsLabels(ns string) map[string]string {
	return fleet.NamespaceLabels(ns, av.namespaces[ns])
}

// check runs every ambient check.
func (av *ambientView) check(items []*yaml.RNode) []*check.Finding {
	fs := av.checkNamespaces()
	for _, it := range items {
		switch {
		case it.GetKind() == "AuthorizationPolicy" && strings.HasPrefix(it.GetApiVersion(), "security.istio.io/"):
			fs = append(fs, av.checkAuthorizationPolicy(it)...)
		case it.GetKind() == "VirtualService" && strings.HasPrefix(it.GetApiVersion(), "networking.istio.io/"):
			fs = append(fs, av.checkVirtualService(it)...)
		}
	}
	return append(fs, av.checkUseWaypoint(items)...)
}

// checkNamespaces reports namespaces labelled for ambient mode that an injection label
// also selects: the sidecar takes precedence, and the ambient label does nothing.
func (av *ambientView) checkNamespaces() []*check.Finding {
	var fs []*check.Finding
	for _, name := range slices.Sorted(maps.Keys(av.namespaces)) {
		l := av.nsLabels(name)
		if l[istio.DataplaneModeLabel] != istio.DataplaneModeAmbient {
			continue
		}
		req, ok := fleet.Requested(l, nil)
		if !ok {
			continue
		}
		fs = append(fs, &check.Finding{Code: check.CodeAmbientAndSidecar, Level: check.LevelWarning, Item: av.nsObjects[name], Message: fmt.Sprintf(
			"it is labelled for ambient mode (%s=%s) and for sidecar injection (%s): Istio's injector ignores the ambient label, and the "+
				"sidecars it injects take precedence, so its pods run with sidecars. For ambient mode, label it %s=disabled "+
				"(set-namespace-revision dataplaneMode: ambient writes the labels Istio expects); for sidecars, remove %s",
			istio.DataplaneModeLabel, istio.DataplaneModeAmbient, req.Label, istio.InjectionLabel, istio.DataplaneModeLabel)})
	}
	return fs
}
