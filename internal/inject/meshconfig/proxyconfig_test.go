package meshconfig

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	meshv1 "istio.io/api/mesh/v1alpha1"
)

// annotatedBase is Default() with mesh-level proxy settings an annotation can
// merge with or override.
func annotatedBase() *meshv1.MeshConfig {
	mc := Default()
	pc := mc.DefaultConfig
	pc.ProxyMetadata = map[string]string{
		"ISTIO_META_TLS_CLIENT_KEY": "/etc/identity/client/keys/client-key.pem",
		"SHARED":                    "mesh",
	}
	pc.Concurrency = wrapperspb.Int32(2)
	pc.Tracing = &meshv1.Tracing{
		Sampling: 10,
		Tracer:   &meshv1.Tracing_Zipkin_{Zipkin: &meshv1.Tracing_Zipkin{Address: "zipkin.istio-system:9411"}},
	}
	pc.ProxyHeaders = &meshv1.ProxyConfig_ProxyHeaders{
		ForwardedClientCert: meshv1.ForwardClientCertDetails_SANITIZE,
		Server:              &meshv1.ProxyConfig_ProxyHeaders_Server{Value: "mesh-server"},
		AttemptCount:        &meshv1.ProxyConfig_ProxyHeaders_AttemptCount{Disabled: wrapperspb.Bool(true)},
	}
	return mc
}

// proxyConfigCases are annotations applied over annotatedBase().
var proxyConfigCases = []struct {
	name       string
	annotation string
	// edit turns the base proxy config into the expected one.
	edit func(pc *meshv1.ProxyConfig)
}{{
	name:       "proxyMetadata is merged key by key",
	annotation: "proxyMetadata:\n  FOO: bar\n  SHARED: pod\n",
	edit: func(pc *meshv1.ProxyConfig) {
		pc.ProxyMetadata["FOO"] = "bar"
		pc.ProxyMetadata["SHARED"] = "pod"
	},
}, {
	name:       "empty or null proxyMetadata keeps the mesh entries",
	annotation: "proxyMetadata: {}\nconcurrency: null",
	edit:       func(*meshv1.ProxyConfig) {},
}, {
	name:       "holdApplicationUntilProxyStarts true as JSON",
	annotation: `{ "holdApplicationUntilProxyStarts": true }`,
	edit: func(pc *meshv1.ProxyConfig) {
		pc.HoldApplicationUntilProxyStarts = wrapperspb.Bool(true)
	},
}, {
	name:       "holdApplicationUntilProxyStarts false is an explicit value",
	annotation: `{ "holdApplicationUntilProxyStarts": false }`,
	edit: func(pc *meshv1.ProxyConfig) {
		pc.HoldApplicationUntilProxyStarts = wrapperspb.Bool(false)
	},
}, {
	name:       "concurrency 0 is set, not dropped",
	annotation: "concurrency: 0",
	edit:       func(pc *meshv1.ProxyConfig) { pc.Concurrency = wrapperspb.Int32(0) },
}, {
	name:       "concurrency may be quoted",
	annotation: `concurrency: "4"`,
	edit:       func(pc *meshv1.ProxyConfig) { pc.Concurrency = wrapperspb.Int32(4) },
}, {
	name:       "tracing replaces the mesh tracing as a whole",
	annotation: "tracing:\n  datadog:\n    address: $(HOST_IP):8126\n",
	edit: func(pc *meshv1.ProxyConfig) {
		pc.Tracing = &meshv1.Tracing{
			Tracer: &meshv1.Tracing_Datadog_{Datadog: &meshv1.Tracing_Datadog{Address: "$(HOST_IP):8126"}},
		}
	},
}, {
	name:       "empty tracing disables the mesh tracer",
	annotation: "tracing: {}",
	edit:       func(pc *meshv1.ProxyConfig) { pc.Tracing = &meshv1.Tracing{} },
}, {
	name: "the traffic-annotations corpus case",
	annotation: "discoveryAddress: foo:123\nconcurrency: 0\nproxyMetadata:\n  FOO: bar\n" +
		"  ISTIO_META_TLS_CLIENT_KEY: /etc/identity2/client/keys/client-key.pem",
	edit: func(pc *meshv1.ProxyConfig) {
		pc.DiscoveryAddress = "foo:123"
		pc.Concurrency = wrapperspb.Int32(0)
		pc.ProxyMetadata["FOO"] = "bar"
		pc.ProxyMetadata["ISTIO_META_TLS_CLIENT_KEY"] = "/etc/identity2/client/keys/client-key.pem"
	},
}, {
	name:       "durations, enum names and numbers, snake_case names",
	annotation: "drainDuration: 1m\ninterceptionMode: TPROXY\ncontrol_plane_auth_policy: 0\nterminationDrainDuration: 1.5s",
	edit: func(pc *meshv1.ProxyConfig) {
		pc.DrainDuration = durationpb.New(time.Minute)
		pc.InterceptionMode = meshv1.ProxyConfig_TPROXY
		pc.ControlPlaneAuthPolicy = meshv1.AuthenticationPolicy_NONE
		pc.TerminationDrainDuration = durationpb.New(1500 * time.Millisecond)
	},
}, {
	name:       "unknown fields are ignored",
	annotation: "notAField: 1\nstatusPort: 15021",
	edit:       func(pc *meshv1.ProxyConfig) { pc.StatusPort = 15021 },
}, {
	name:       "proxyHeaders sub-settings left unset keep the mesh values",
	annotation: "proxyHeaders:\n  requestId: {disabled: true}\n  server: {disabled: true}",
	edit: func(pc *meshv1.ProxyConfig) {
		pc.ProxyHeaders.RequestId = &meshv1.ProxyConfig_ProxyHeaders_RequestId{Disabled: wrapperspb.Bool(true)}
		pc.ProxyHeaders.Server = &meshv1.ProxyConfig_ProxyHeaders_Server{Disabled: wrapperspb.Bool(true)}
	},
}, {
	name:       "empty text changes nothing",
	annotation: "",
	edit:       func(*meshv1.ProxyConfig) {},
}}

func TestApplyProxyConfig(t *testing.T) {
	for _, tc := range proxyConfigCases {
		t.Run(tc.name, func(t *testing.T) {
			base := annotatedBase()
			got, err := ApplyProxyConfig(tc.annotation, base)
			if err != nil {
				t.Fatalf("ApplyProxyConfig: %v", err)
			}
			want := annotatedBase()
			tc.edit(want.DefaultConfig)
			requireEqual(t, "mesh config", want, got)
			requireEqual(t, "base after ApplyProxyConfig (must be unchanged)", annotatedBase(), base)
		})
	}
}

func TestApplyProxyConfigErrors(t *testing.T) {
	cases := []struct{ name, annotation, want string }{
		{"invalid YAML", "proxyMetadata: {FOO: [", "parsing proxy config"},
		{"not an object", "- a", "cannot unmarshal array"},
		{"wrong type", "concurrency: many", "invalid character"},
		{"bool as string", `holdApplicationUntilProxyStarts: "yes"`, "cannot unmarshal string"},
		{"unknown enum", "interceptionMode: SIDEWAYS", "unknown value"},
		{"bad duration", "drainDuration: 5 seconds", "bad Duration"},
		{"metadata value not a string", "proxyMetadata: {FOO: {a: b}}", "cannot unmarshal object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ApplyProxyConfig(tc.annotation, Default())
			if err == nil {
				t.Fatalf("no error, got %v", got)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "parsing proxy config") {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestApplyProxyConfigNoValidation(t *testing.T) {
	// Istio does not validate the merged proxy config here.
	got, err := ApplyProxyConfig("statusPort: 0\ndiscoveryAddress: ''", Default())
	if err != nil {
		t.Fatalf("ApplyProxyConfig: %v", err)
	}
	if got.DefaultConfig.StatusPort != 0 || got.DefaultConfig.DiscoveryAddress != "" {
		t.Errorf("unexpected proxy config %v", got.DefaultConfig)
	}
	// A mesh without default config starts from an empty proxy config.
	got, err = ApplyProxyConfig("proxyMetadata: {A: b}", &meshv1.MeshConfig{})
	if err != nil {
		t.Fatal(err)
	}
	want := &meshv1.ProxyConfig{ProxyMetadata: map[string]string{"A": "b"}}
	if !proto.Equal(got.DefaultConfig, want) {
		t.Errorf("got %v, want %v", got.DefaultConfig, want)
	}
}
