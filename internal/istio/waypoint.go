package istio

import (
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Gateway API's Gateway, of which Istio's waypoints are one class.
const (
	GatewayAPIVersion = "gateway.networking.k8s.io/v1"
	GatewayKind       = "Gateway"
	// WaypointClass is the GatewayClass of Istio's waypoints.
	WaypointClass = "istio-waypoint"
)

// IsGateway reports whether obj is a Gateway API Gateway (of any version of the API).
func IsGateway(obj *yaml.RNode) bool {
	return obj.GetKind() == GatewayKind && strings.HasPrefix(obj.GetApiVersion(), "gateway.networking.k8s.io/")
}

// IsWaypoint reports whether obj is a Gateway API Gateway of Istio's waypoint class.
func IsWaypoint(obj *yaml.RNode) bool {
	if !IsGateway(obj) {
		return false
	}
	class, err := obj.Pipe(yaml.Lookup("spec", "gatewayClassName"))
	return err == nil && class != nil && yaml.GetValue(class) == WaypointClass
}
