package waypoint

import (
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// What istioctl writes into every waypoint (istioctl/pkg/waypoint, Istio 1.31), besides
// the Gateway's apiVersion, kind and class (internal/istio).
const (
	// listenerName, hbonePort and hboneProtocol make the waypoint's one listener: HBONE,
	// Istio's mTLS tunnel, on port 15008.
	listenerName  = "mesh"
	hbonePort     = 15008
	hboneProtocol = "HBONE"
)

// Gateway returns the waypoint as `istioctl waypoint generate` writes it for these
// settings: --name, --namespace, --revision (the istio.io/rev label) and --for (the
// istio.io/waypoint-for label), each label only when set; the labels in istioctl's
// (sorted) order.
func Gateway(s *Spec) *yaml.RNode {
	var labels []krm.Field
	if s.Revision != "" {
		labels = append(labels, krm.F(istio.RevisionLabel, s.Revision))
	}
	if s.For != "" {
		labels = append(labels, krm.F(istio.WaypointForLabel, s.For))
	}
	var labelMap any // no labels: none at all, as istioctl writes it
	if len(labels) > 0 {
		labelMap = krm.Map(labels...)
	}
	return krm.Map(
		krm.F("apiVersion", istio.GatewayAPIVersion),
		krm.F("kind", istio.GatewayKind),
		krm.F("metadata", krm.Map(
			krm.F("name", s.Name),
			krm.F("namespace", s.Namespace),
			krm.F("labels", labelMap))),
		krm.F("spec", krm.Map(
			krm.F("gatewayClassName", istio.WaypointClass),
			krm.F("listeners", krm.List(krm.Map(
				krm.F("name", listenerName),
				krm.F("port", hbonePort),
				krm.F("protocol", hboneProtocol)))))))
}
