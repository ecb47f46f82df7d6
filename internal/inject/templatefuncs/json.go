package templatefuncs

import (
	"encoding/json"
	"reflect"

	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	meshv1 "istio.io/api/mesh/v1alpha1"
	"sigs.k8s.io/yaml"
)

// toJSON renders a string map as compact JSON with sorted keys (and
// encoding/json's HTML escaping); nil, or a marshalling failure, gives "{}".
func toJSON(m map[string]string) string {
	if m == nil {
		return "{}"
	}
	return marshalOr(m, "{}")
}

// structToJSON renders any value with encoding/json; nil, or a marshalling
// failure, gives "{}".
func structToJSON(v any) string {
	if v == nil {
		return "{}"
	}
	return marshalOr(v, "{}")
}

// toJSONMap merges the maps as mergeMaps does and renders the result as
// JSON. With no arguments the merged map is nil, which renders as "null".
func toJSONMap(maps ...map[string]string) string {
	return marshalOr(mergeMaps(maps...), "")
}

// marshalOr is json.Marshal as a string, or fallback on error.
func marshalOr(v any, fallback string) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fallback
	}
	return string(b)
}

// fromJSON decodes JSON text into plain Go values (map[string]any, []any,
// float64, string, bool, nil). Invalid JSON gives the string "{}".
func fromJSON(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return "{}"
	}
	return v
}

// toYaml renders v with sigs.k8s.io/yaml (JSON tags, sorted keys, trailing
// newline; nil renders as "null\n"). A marshalling failure gives "".
func toYaml(v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// protoToJSON renders a protobuf message in the compact JSON form of the
// legacy jsonpb marshaler with default options, which is what Istio's
// protomarshal.ToJSON uses: camelCase field names, fields in declaration
// order, enums by name, 64-bit integers quoted, no whitespace. A ProxyConfig
// is first stripped of the fields that equal Istio's proxy defaults. A nil
// message (untyped or typed) or a marshalling failure gives "{}".
func protoToJSON(m proto.Message) string {
	m = withoutProxyDefaults(m)
	if m == nil || isNilPointer(m) {
		return "{}"
	}
	s, err := marshalLegacyJSON(m)
	if err != nil {
		return "{}"
	}
	return s
}

// marshalLegacyJSON marshals m with a private copy of the jsonpb marshaler
// that istio.io/api's generated MarshalJSON methods use, every option pinned
// to its zero value (compact, camelCase names, enums as names, unset fields
// omitted, the global type registry for Any): the configuration of Istio's
// protomarshal.ToJSON.
func marshalLegacyJSON(m proto.Message) (string, error) {
	jm := *meshv1.ProxyMarshaler
	jm.OrigName = false
	jm.EnumsAsInts = false
	jm.EmitDefaults = false
	jm.Indent = ""
	jm.AnyResolver = nil
	return jm.MarshalToString(protoadapt.MessageV1Of(m))
}

func isNilPointer(m proto.Message) bool {
	v := reflect.ValueOf(m)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// withoutProxyDefaults returns m unchanged unless it is a non-nil
// *ProxyConfig; then it returns a copy in which the fields Istio checks are
// cleared when they equal Istio's defaults, to keep the rendered config
// small. Durations are compared with proto.Equal. Istio also clears
// envoyMetricsService, envoyAccessLogService, tracing and concurrency when
// they equal its defaults, but those defaults are unset, so that never
// changes anything: an empty but present message (tracing: {}) or a zero
// concurrency is kept. Likewise an empty proxyMetadata is never rendered.
func withoutProxyDefaults(m proto.Message) proto.Message {
	orig, ok := m.(*meshv1.ProxyConfig)
	if !ok || orig == nil {
		return m
	}
	pc := proto.Clone(orig).(*meshv1.ProxyConfig)
	d := proxyconfig.Default()
	if pc.ConfigPath == d.ConfigPath {
		pc.ConfigPath = ""
	}
	if pc.BinaryPath == d.BinaryPath {
		pc.BinaryPath = ""
	}
	if pc.ControlPlaneAuthPolicy == d.ControlPlaneAuthPolicy {
		pc.ControlPlaneAuthPolicy = meshv1.AuthenticationPolicy_NONE
	}
	if sc, ok := pc.ClusterName.(*meshv1.ProxyConfig_ServiceCluster); ok && sc.ServiceCluster == d.GetServiceCluster() {
		pc.ClusterName = nil
	}
	if proto.Equal(pc.DrainDuration, d.DrainDuration) {
		pc.DrainDuration = nil
	}
	if proto.Equal(pc.TerminationDrainDuration, d.TerminationDrainDuration) {
		pc.TerminationDrainDuration = nil
	}
	if pc.DiscoveryAddress == d.DiscoveryAddress {
		pc.DiscoveryAddress = ""
	}
	if pc.ProxyAdminPort == d.ProxyAdminPort {
		pc.ProxyAdminPort = 0
	}
	if pc.StatNameLength == d.StatNameLength {
		pc.StatNameLength = 0
	}
	if pc.StatusPort == d.StatusPort {
		pc.StatusPort = 0
	}
	return pc
}
