package ambientcheck

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/istio"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// authzPolicy is what the ambient check reads of an AuthorizationPolicy.
type authzPolicy struct {
	Spec struct {
		Selector *struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		TargetRef  json.RawMessage   `json:"targetRef"`
		TargetRefs []json.RawMessage `json:"targetRefs"`
		Action     string            `json:"action"`
		Rules      []struct {
			From []struct {
				Source map[string]json.RawMessage `json:"source"`
			} `json:"from"`
			To []struct {
				Operation map[string]json.RawMessage `json:"operation"`
			} `json:"to"`
			When []struct {
				Key string `json:"key"`
			} `json:"when"`
		} `json:"rules"`
	} `json:"spec"`
}

// What ztunnel cannot enforce, as Istio's conversion of AuthorizationPolicies for ztunnel
// lists it (pilot/pkg/serviceregistry/ambient/authorization.go, Istio 1.31): these
// operation and source fields, and conditions on any key but these.
var (
	httpOperationFields = []string{"hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"}
	httpSourceFields    = []string{"remoteIpBlocks", "notRemoteIpBlocks", "requestPrincipals", "notRequestPrincipals"}
	l4ConditionKeys     = []string{"source.ip", "source.namespace", "source.principal", "destination.ip", "destination.port"}
)

// httpAttributes lists what of the policy only a waypoint (or a sidecar) can enforce:
// its action when ztunnel has none like it, and its HTTP attributes.
func (p *authzPolicy) httpAttributes() []string {
	var found []string
	if p.Spec.Action == "CUSTOM" || p.Spec.Action == "AUDIT" {
		found = append(found, "action "+p.Spec.Action)
	}
	add := func(what string) {
		if !slices.Contains(found, what) {
			found = append(found, what)
		}
	}
	for _, r := range p.Spec.Rules {
		for _, to := range r.To {
			for _, f := range httpOperationFields {
				if _, ok := to.Operation[f]; ok {
					add("to.operation." + f)
				}
			}
		}
		for _, from := range r.From {
			for _, f := range httpSourceFields {
				if _, ok := from.Source[f]; ok {
					add("from.source." + f)
				}
			}
		}
		for _, w := range r.When {
			if !slices.Contains(l4ConditionKeys, w.Key) {
				add("when " + w.Key)
			}
		}
	}
	return found
}

// checkAuthorizationPolicy reports a policy with HTTP attributes (or a CUSTOM or AUDIT
// action) that selects workloads in ambient mode by a workload selector, or by none (the
// namespace, or the mesh from the root namespace), instead of targeting a waypoint:
// ztunnel enforces it, and cannot read HTTP.
func (av *ambientView) checkAuthorizationPolicy(it *yaml.RNode) []*check.Finding {
	b, err := it.MarshalJSON()
	var p authzPolicy
	if err != nil || json.Unmarshal(b, &p) != nil || len(p.Spec.TargetRefs) > 0 || len(p.Spec.TargetRef) > 0 {
		return nil // unreadable (Istio's analyzers say so), or for a waypoint or gateway
	}
	attrs := p.httpAttributes()
	if len(attrs) == 0 {
		return nil
	}
	var selector labels.Selector = labels.Everything()
	if p.Spec.Selector != nil {
		selector = labels.SelectorFromSet(p.Spec.Selector.MatchLabels)
	}
	var selected []string
	for _, w := range av.workloads {
		inScope := it.GetNamespace() == av.rootNS || w.pod.Namespace == it.GetNamespace()
		if w.ambient && inScope && selector.Matches(labels.Set(w.labels)) {
			selected = append(selected, workloadName(w.pod))
		}
	}
	if len(selected) == 0 {
		return nil
	}
	how := "by its selector"
	if p.Spec.Selector == nil {
		how = "as it has no selector (every workload of its namespace, or of the mesh in the root namespace)"
	}
	return []*check.Finding{{Code: check.CodeL7PolicyOnAmbient, Level: check.LevelError, Item: it, Message: fmt.Sprintf(
		"it uses %s, which only a waypoint can enforce, and applies %s to workloads in ambient mode: %s. ztunnel enforces it "+
			"without them: an ALLOW policy loses those rules and denies the traffic they would allow (all of it when no other rule is left), "+
			"a DENY policy denies more than asked, and ztunnel does not run CUSTOM or AUDIT policies at all. Target the waypoint instead: "+
			"replace spec.selector with spec.targetRefs naming the Service the waypoint serves ({kind: Service, group: \"\", name: NAME}) "+
			"or the waypoint ({kind: Gateway, group: gateway.networking.k8s.io, name: NAME}), with the namespace or the Service "+
			"labelled %s (generate-waypoint)",
		strings.Join(attrs, ", "), how, strings.Join(selected, ", "), istio.UseWaypointLabel)}}
}
