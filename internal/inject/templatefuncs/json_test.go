package templatefuncs

import (
	"math"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestToJSON(t *testing.T) {
	cases := []struct {
		in   map[string]string
		want string
	}{
		{nil, "{}"},
		{map[string]string{}, "{}"},
		{map[string]string{"b": "2", "a": "1"}, `{"a":"1","b":"2"}`},
		{map[string]string{"k": `<&> "q"`}, `{"k":"\u003c\u0026\u003e \"q\""}`},
	}
	for _, c := range cases {
		if got := toJSON(c.in); got != c.want {
			t.Errorf("toJSON(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestStructToJSON(t *testing.T) {
	type probe struct {
		Path string `json:"path,omitempty"`
		Port int    `json:"port"`
	}
	var nilMap map[string]any
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "{}"},
		{"nil map in interface", nilMap, "null"},
		{"map sorted", map[string]any{"z": 1, "a": []any{true, nil}}, `{"a":[true,null],"z":1}`},
		{"struct tags", probe{Port: 8080}, `{"port":8080}`},
		{"k8s probe", &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)},
			`{"path":"/healthz","port":8080}`},
		{"string", "a<b", `"a\u003cb"`},
		{"unsupported", math.Inf(1), "{}"},
		{"channel", make(chan int), "{}"},
	}
	for _, c := range cases {
		if got := structToJSON(c.in); got != c.want {
			t.Errorf("%s: structToJSON = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestToJSONMap(t *testing.T) {
	cases := []struct {
		name string
		in   []map[string]string
		want string
	}{
		{"no args", nil, "null"},
		{"one nil", []map[string]string{nil}, "{}"},
		{"merged, later wins", []map[string]string{{"b": "1", "a": "x"}, {"b": "2"}}, `{"a":"x","b":"2"}`},
	}
	for _, c := range cases {
		if got := toJSONMap(c.in...); got != c.want {
			t.Errorf("%s: toJsonMap = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestFromJSON(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{`{"a":[1,"x",null,true]}`, map[string]any{"a": []any{1.0, "x", nil, true}}},
		{`[]`, []any{}},
		{`"s"`, "s"},
		{`12`, 12.0},
		{`null`, nil},
		{`{bad`, "{}"},
		{``, "{}"},
	}
	for _, c := range cases {
		if got := fromJSON(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("fromJSON(%q) = %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestToYaml(t *testing.T) {
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "null\n"},
		{"empty map", map[string]any{}, "{}\n"},
		{"nested sorted", map[string]any{"limits": map[string]any{"memory": "1Gi", "cpu": "2"}, "a": []any{1.0, "x"}},
			"a:\n- 1\n- x\nlimits:\n  cpu: \"2\"\n  memory: 1Gi\n"},
		{"string", "hello", "hello\n"},
		{"json tags", corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			"type: RuntimeDefault\n"},
		{"unsupported", make(chan int), ""},
	}
	for _, c := range cases {
		if got := toYaml(c.in); got != c.want {
			t.Errorf("%s: toYaml = %q, want %q", c.name, got, c.want)
		}
	}
}

// defaultProxyConfig mirrors Istio's built-in proxy defaults.
func defaultProxyConfig() *meshv1.ProxyConfig {
	return &meshv1.ProxyConfig{
		ConfigPath:               "./etc/istio/proxy",
		BinaryPath:               "/usr/local/bin/envoy",
		ClusterName:              &meshv1.ProxyConfig_ServiceCluster{ServiceCluster: "istio-proxy"},
		DrainDuration:            durationpb.New(45 * time.Second),
		TerminationDrainDuration: durationpb.New(5 * time.Second),
		ProxyAdminPort:           15000,
		ControlPlaneAuthPolicy:   meshv1.AuthenticationPolicy_MUTUAL_TLS,
		DiscoveryAddress:         "istiod.istio-system.svc:15012",
		StatNameLength:           189,
		StatusPort:               15020,
	}
}

func modifiedProxyConfig(change func(pc *meshv1.ProxyConfig)) *meshv1.ProxyConfig {
	pc := defaultProxyConfig()
	change(pc)
	return pc
}

func TestProtoToJSON(t *testing.T) {
	cases := []struct {
		name string
		in   proto.Message
		want string
	}{
		{"untyped nil", nil, "{}"},
		{"typed nil proxy config", (*meshv1.ProxyConfig)(nil), "{}"},
		{"typed nil other message", (*meshv1.MeshConfig)(nil), "{}"},
		{"empty", &meshv1.ProxyConfig{}, "{}"},
		{"defaults are dropped", defaultProxyConfig(), "{}"},
		{"overrides in declaration order", modifiedProxyConfig(func(pc *meshv1.ProxyConfig) {
			pc.ProxyMetadata = map[string]string{"foo": "barr"}
			pc.DrainDuration = durationpb.New(7 * time.Second)
			pc.ConfigPath = "/foo/bar"
		}), `{"configPath":"/foo/bar","drainDuration":"7s","proxyMetadata":{"foo":"barr"}}`},
		{"map keys sorted, html escaped", &meshv1.ProxyConfig{ProxyMetadata: map[string]string{"B": "<x>", "A": "&"}},
			`{"proxyMetadata":{"A":"\u0026","B":"\u003cx\u003e"}}`},
		{"present empty message kept", modifiedProxyConfig(func(pc *meshv1.ProxyConfig) {
			pc.Tracing = &meshv1.Tracing{}
		}), `{"tracing":{}}`},
		{"zero wrapper kept", modifiedProxyConfig(func(pc *meshv1.ProxyConfig) {
			pc.DiscoveryAddress = "foo:123"
			pc.Concurrency = wrapperspb.Int32(0)
		}), `{"discoveryAddress":"foo:123","concurrency":0}`},
		{"bool wrapper false", &meshv1.ProxyConfig{HoldApplicationUntilProxyStarts: wrapperspb.Bool(false)},
			`{"holdApplicationUntilProxyStarts":false}`},
		{"enum by name", &meshv1.ProxyConfig{InterceptionMode: meshv1.ProxyConfig_TPROXY},
			`{"interceptionMode":"TPROXY"}`},
		{"non-default auth policy kept", &meshv1.ProxyConfig{ControlPlaneAuthPolicy: meshv1.AuthenticationPolicy_INHERIT},
			`{"controlPlaneAuthPolicy":"INHERIT"}`},
		{"other cluster name oneof kept", &meshv1.ProxyConfig{
			ClusterName: &meshv1.ProxyConfig_TracingServiceName_{TracingServiceName: meshv1.ProxyConfig_APP_LABEL_AND_NAMESPACE},
		}, `{"tracingServiceName":"APP_LABEL_AND_NAMESPACE"}`},
		{"custom service cluster kept", &meshv1.ProxyConfig{
			ClusterName: &meshv1.ProxyConfig_ServiceCluster{ServiceCluster: "mine"},
		}, `{"serviceCluster":"mine"}`},
		{"fractional durations", &meshv1.ProxyConfig{
			DrainDuration:            durationpb.New(1500 * time.Millisecond),
			TerminationDrainDuration: durationpb.New(time.Microsecond),
			DiscoveryRefreshDelay:    durationpb.New(-2 * time.Second),
		}, `{"drainDuration":"1.500s","discoveryRefreshDelay":"-2s","terminationDrainDuration":"0.000001s"}`},
		{"duration message", durationpb.New(45 * time.Second), `"45s"`},
		{"struct message", mustStruct(t, map[string]any{"b": 1.5, "a": []any{"x", nil}}), `{"a":["x",null],"b":1.5}`},
		// Fields follow their declaration order in the .proto files, not their numbers.
		{"mesh config untouched", &meshv1.MeshConfig{
			DefaultConfig: defaultProxyConfig(), EnableTracing: true,
		}, `{"enableTracing":true,"defaultConfig":{"configPath":"./etc/istio/proxy","binaryPath":"/usr/local/bin/envoy",` +
			`"serviceCluster":"istio-proxy","drainDuration":"45s",` +
			`"discoveryAddress":"istiod.istio-system.svc:15012","proxyAdminPort":15000,` +
			`"controlPlaneAuthPolicy":"MUTUAL_TLS","statNameLength":189,"statusPort":15020,` +
			`"terminationDrainDuration":"5s"}}`},
	}
	for _, c := range cases {
		if got := protoToJSON(c.in); got != c.want {
			t.Errorf("%s: protoToJSON =\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
}

func TestProtoToJSONLeavesInputAlone(t *testing.T) {
	pc := defaultProxyConfig()
	_ = protoToJSON(pc)
	if !proto.Equal(pc, defaultProxyConfig()) {
		t.Errorf("protoToJSON modified its argument: %v", pc)
	}
}

func mustStruct(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
