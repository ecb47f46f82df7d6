package ambientcheck

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/istio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// checkVirtualService reports a VirtualService for the mesh whose host is a Service of
// the package without a waypoint, in a namespace where workloads run in ambient mode:
// their traffic goes through ztunnel, which applies no routes (only clients with sidecars,
// or a waypoint, do).
func (av *ambientView) checkVirtualService(it *yaml.RNode) []*check.Finding {
	b, err := it.MarshalJSON()
	var vs struct {
		Spec struct {
			Hosts    []string `json:"hosts"`
			Gateways []string `json:"gateways"`
		} `json:"spec"`
	}
	if err != nil || json.Unmarshal(b, &vs) != nil {
		return nil
	}
	if len(vs.Spec.Gateways) > 0 && !slices.Contains(vs.Spec.Gateways, "mesh") {
		return nil // for gateways only
	}
	var fs []*check.Finding
	for _, host := range vs.Spec.Hosts {
		svc := av.service(host, it.GetNamespace())
		if svc == nil || av.usesWaypoint(svc) {
			continue
		}
		ambient := av.ambientIn(svc.GetNamespace())
		if len(ambient) == 0 {
			continue
		}
		fs = append(fs, &check.Finding{Code: check.CodeRoutesWithoutWaypoint, Level: check.LevelWarning, Item: it, Message: fmt.Sprintf(
			"its routes for host %s (Service %s/%s) reach workloads in ambient mode only through a waypoint, and the Service has none: "+
				"the traffic of %s goes through ztunnel, which applies no VirtualService (only clients with sidecars still do). "+
				"Enroll the Service in a waypoint (generate-waypoint: enrollServices or enrollNamespace), and move the routes to an "+
				"HTTPRoute whose parentRefs name the Service ({group: \"\", kind: Service, name: %s}); Istio supports VirtualServices "+
				"on waypoints only as alpha", host, svc.GetNamespace(), svc.GetName(), strings.Join(ambient, ", "), svc.GetName())})
	}
	return fs
}

// service resolves a VirtualService host, in namespace ns, to a Service of the package
// (check.ParseServiceHost).
func (av *ambientView) service(host, ns string) *yaml.RNode {
	h, ok := check.ParseServiceHost(host, ns)
	if !ok {
		return nil
	}
	for _, s := range av.services {
		if s.GetName() == h.Name && s.GetNamespace() == h.Namespace {
			return s
		}
	}
	return nil
}

// usesWaypoint reports whether a Service's traffic goes through a waypoint: its own
// istio.io/use-waypoint label, else its namespace's ("none" opts out).
func (av *ambientView) usesWaypoint(svc *yaml.RNode) bool {
	v, ok := svc.GetLabels()[istio.UseWaypointLabel]
	if !ok {
		v = av.namespaces[svc.GetNamespace()][istio.UseWaypointLabel]
	}
	return v != "" && v != istio.NoWaypoint
}

// ambientIn names the workloads of a namespace that run in ambient mode.
func (av *ambientView) ambientIn(ns string) []string {
	var out []string
	for _, w := range av.workloads {
		if w.ambient && w.pod.Namespace == ns {
			out = append(out, workloadName(w.pod))
		}
	}
	return out
}

// checkUseWaypoint reports Namespaces, Services, workloads' pod templates and Pods whose
// istio.io/use-waypoint label names a waypoint that is not in its namespace, when the
// package holds that namespace (else the waypoint may live elsewhere).
func (av *ambientView) checkUseWaypoint(items []*yaml.RNode) []*check.Finding {
	var fs []*check.Finding
	check := func(item *yaml.RNode, what, ns string, l map[string]string) {
		name, ok := l[istio.UseWaypointLabel]
		if !ok || name == "" || name == istio.NoWaypoint {
			return
		}
		if other := l[istio.UseWaypointNamespaceLabel]; other != "" {
			ns = other
		}
		if _, known := av.nsObjects[ns]; !known || av.waypoints[ns+"/"+name] != nil {
			return
		}
		problem := fmt.Sprintf("the package holds no waypoint %s in namespace %s", name, ns)
		if gw := av.gateways[ns+"/"+name]; gw != nil {
			problem = fmt.Sprintf("Gateway %s/%s is not a waypoint (its gatewayClassName is not istio-waypoint)", ns, name)
		}
		fs = append(fs, &check.Finding{Code: check.CodeMissingWaypoint, Level: check.LevelError, Item: item, Message: fmt.Sprintf(
			"%s sends its traffic through waypoint %s (%s=%s), but %s: Istio reports the binding as failed and the traffic bypasses "+
				"the layer-7 policies meant for it. Generate the waypoint (generate-waypoint with namespace %s and name %s), "+
				"or point the label at an existing waypoint, or remove it", what, name, istio.UseWaypointLabel, name, problem, ns, name)})
	}
	for _, it := range items {
		if it.GetApiVersion() != "v1" {
			continue
		}
		switch it.GetKind() {
		case "Namespace":
			check(it, "the namespace", it.GetName(), it.GetLabels())
		case "Service", "Pod":
			check(it, "it", it.GetNamespace(), it.GetLabels())
		}
	}
	for _, w := range av.workloads {
		check(w.pod.Workload, "its pods", w.pod.Namespace, w.labels)
	}
	return fs
}

// workloadName is "Kind namespace/name".
func workloadName(p check.Pod) string {
	return p.Workload.GetKind() + " " + p.Namespace + "/" + p.Workload.GetName()
}
