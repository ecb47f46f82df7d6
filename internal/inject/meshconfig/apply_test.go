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

// providerNames lists extension provider names in order.
func providerNames(eps []*meshv1.MeshConfig_ExtensionProvider) string {
	names := make([]string, 0, len(eps))
	for _, ep := range eps {
		names = append(names, ep.GetName())
	}
	return strings.Join(names, ",")
}

// customBase is Default() with a few non-default values that the merge rules
// must preserve or combine.
func customBase() *meshv1.MeshConfig {
	mc := Default()
	mc.DefaultConfig.ProxyMetadata = map[string]string{"KEEP": "base", "OVERRIDE": "base"}
	mc.DefaultConfig.Concurrency = wrapperspb.Int32(2)
	mc.DefaultProviders = &meshv1.MeshConfig_DefaultProviders{Metrics: []string{"prometheus"}}
	mc.TrustDomainAliases = []string{"zeta.local", "both.local"}
	return mc
}

// applySemanticsCases are mesh texts applied over a base, with a check of the
// result.
var applySemanticsCases = []struct {
	name  string
	base  func() *meshv1.MeshConfig
	text  string
	check func(t *testing.T, got *meshv1.MeshConfig)
}{{
	name: "empty text keeps the base",
	base: customBase,
	text: "",
	check: func(t *testing.T, got *meshv1.MeshConfig) {
		want := customBase()
		want.TrustDomainAliases = []string{"both.local", "zeta.local"}
		requireEqual(t, "result", want, got)
	},
}, {
	name: "scalars, lists and messages are replaced; null and unknown fields are ignored",
	base: customBase,
	text: `
ingressClass: other
enableTracing: null
defaultServiceExportTo: [".", "foo"]
outboundTrafficPolicy: {}
localityLbSetting: null
notAMeshField: {x: 1}
connectTimeout: 1m
ingressControllerMode: 1
access_log_file: /dev/stdout`,
	check: func(t *testing.T, got *meshv1.MeshConfig) {
		want := customBase()
		want.TrustDomainAliases = []string{"both.local", "zeta.local"}
		want.IngressClass = "other"
		want.DefaultServiceExportTo = []string{".", "foo"}
		want.OutboundTrafficPolicy = &meshv1.MeshConfig_OutboundTrafficPolicy{}
		want.ConnectTimeout = durationpb.New(time.Minute)
		want.IngressControllerMode = meshv1.MeshConfig_OFF
		want.AccessLogFile = "/dev/stdout"
		requireEqual(t, "result", want, got)
	},
}, {
	name: "defaultConfig is merged into the base proxy config",
	base: customBase,
	text: `
defaultConfig:
  discoveryAddress: istiod.other.svc:15012
  proxyMetadata: {OVERRIDE: text, NEW: text}
  drainDuration: 23s
  concurrency: null`,
	check: func(t *testing.T, got *meshv1.MeshConfig) {
		want := customBase().DefaultConfig
		want.DiscoveryAddress = "istiod.other.svc:15012"
		want.ProxyMetadata = map[string]string{"KEEP": "base", "OVERRIDE": "text", "NEW": "text"}
		want.DrainDuration = durationpb.New(23 * time.Second)
		requireEqual(t, "defaultConfig", want, got.DefaultConfig)
	},
}, {
	name: "snake_case default_config is ignored like in Istio",
	base: customBase,
	text: "default_config: {discoveryAddress: ignored:1}",
	check: func(t *testing.T, got *meshv1.MeshConfig) {
		requireEqual(t, "defaultConfig", customBase().DefaultConfig, got.DefaultConfig)
	},
}, {
	name: "defaultProviders is laid over the base field by field",
	base: customBase,
	text: "defaultProviders: {tracing: [zipkin]}",
	check: func(t *testing.T, got *meshv1.MeshConfig) {
		want := &meshv1.MeshConfig_DefaultProviders{Metrics: []string{"prometheus"}, Tracing: []string{"zipkin"}}
		requireEqual(t, "defaultProviders", want, got.DefaultProviders)
	},
}, {
	name: "extension providers are merged by name",
	base: Default,
	text: `
extensionProviders:
- name: envoy
  envoyFileAccessLog: {path: /dev/stderr}
- name: otel
  opentelemetry: {service: otel.svc, port: 4317}`,
	check: func(t *testing.T, got *meshv1.MeshConfig) {
		if names := providerNames(got.ExtensionProviders); names != "prometheus,stackdriver,envoy,otel" {
			t.Errorf("providers = %s", names)
		}
		if p := got.ExtensionProviders[2].GetEnvoyFileAccessLog().GetPath(); p != "/dev/stderr" {
			t.Errorf("envoy provider path = %q, want /dev/stderr", p)
		}
	},
}, {
	name: "trust domain aliases become the sorted union",
	base: customBase,
	text: "trustDomainAliases: [alpha.local, both.local]",
	check: func(t *testing.T, got *meshv1.MeshConfig) {
		if a := strings.Join(got.TrustDomainAliases, ","); a != "alpha.local,both.local,zeta.local" {
			t.Errorf("aliases = %s", a)
		}
	},
}, {
	name: "proxy headers left unset keep the base values",
	base: func() *meshv1.MeshConfig {
		mc := Default()
		mc.DefaultConfig.ProxyHeaders = &meshv1.ProxyConfig_ProxyHeaders{
			ForwardedClientCert: meshv1.ForwardClientCertDetails_APPEND_FORWARD,
			Server:              &meshv1.ProxyConfig_ProxyHeaders_Server{Value: "srv"},
		}
		return mc
	},
	text: "defaultConfig: {proxyHeaders: {requestId: {disabled: true}}}",
	check: func(t *testing.T, got *meshv1.MeshConfig) {
		want := &meshv1.ProxyConfig_ProxyHeaders{
			ForwardedClientCert: meshv1.ForwardClientCertDetails_APPEND_FORWARD,
			Server:              &meshv1.ProxyConfig_ProxyHeaders_Server{Value: "srv"},
			RequestId:           &meshv1.ProxyConfig_ProxyHeaders_RequestId{Disabled: wrapperspb.Bool(true)},
		}
		requireEqual(t, "proxyHeaders", want, got.DefaultConfig.ProxyHeaders)
	},
}}

func TestApplySemantics(t *testing.T) {
	for _, tc := range applySemanticsCases {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base()
			before := proto.Clone(base)
			got, err := Apply(tc.text, base)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			tc.check(t, got)
			requireEqual(t, "base after Apply (must be unchanged)", before, base)
		})
	}
}

func TestApplyErrors(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"invalid YAML", "defaultConfig: [unclosed", "parsing mesh config"},
		{"top level is a list", "- a\n- b", "parsing mesh config"},
		{"string for a bool", "enableTracing: maybe", "cannot unmarshal string"},
		{"string for a port", "proxyListenPort: abc", "invalid character"},
		{"object for a string", "ingressClass: {a: b}", "cannot unmarshal object"},
		{"unknown enum name", "ingressControllerMode: SOMETIMES", "unknown value"},
		{"bad duration", "connectTimeout: soon", "bad Duration"},
		{"number for a duration", "connectTimeout: 10", "cannot unmarshal number"},
		{"wrong type inside defaultConfig", "defaultConfig: {concurrency: lots}", "parsing mesh config"},
		{"defaultConfig is a string", "defaultConfig: hello", "parsing mesh config"},
		{"wrong type inside defaultProviders", "defaultProviders: {metrics: prometheus}", "parsing mesh config"},
		{"validation: port out of range", "proxyListenPort: 70000", "invalid proxy listen port"},
		{"validation: connect timeout too small", "connectTimeout: 100us", "invalid connect timeout"},
		{"validation: drain duration precision", "defaultConfig: {drainDuration: 1500ms}", "seconds precision"},
		{"validation: discovery address", "defaultConfig: {discoveryAddress: nocolon}", "invalid discovery address"},
		{"validation: trust domain", "trustDomain: bad_domain", "trustDomain"},
		{"validation: trust domain alias", "trustDomainAliases: [good.local, 'bad domain']", "trustDomainAliases[0]"},
		{"validation: service settings host", "serviceSettings: [{hosts: ['a.*.com']}]", "serviceSettings[0]"},
		{"validation: locality distribute weights", "localityLbSetting: {distribute: [{from: a/b, to: {c/d: 40}}]}", "total locality weight"},
		{"validation: zipkin address", "defaultConfig: {tracing: {zipkin: {address: zipkin}}}", "invalid zipkin config"},
		{"validation: status port", "defaultConfig: {statusPort: 0}", "invalid status port"},
		{"validation: mesh mTLS curves", "meshMTLS: {ecdhCurves: [P-256]}", "ECDH"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := Default()
			got, err := Apply(tc.text, base)
			if err == nil {
				t.Fatalf("Apply succeeded, want error containing %q; got %v", tc.want, got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if got != nil {
				t.Errorf("result should be nil on error")
			}
			requireEqual(t, "base after failed Apply", Default(), base)
		})
	}
}

func TestApplyNilAndEmptyBase(t *testing.T) {
	if _, err := Apply("", nil); err == nil || !strings.Contains(err.Error(), "missing default config") {
		t.Errorf("Apply over nil base: err = %v, want missing default config", err)
	}
	// A base without proxy config or default providers: the text provides them.
	text := `
connectTimeout: 10s
trustDomain: cluster.local
proxyListenPort: 15001
defaultProviders: {metrics: [prometheus]}
defaultConfig:
  configPath: ./etc/istio/proxy
  binaryPath: /usr/local/bin/envoy
  serviceCluster: istio-proxy
  drainDuration: 45s
  discoveryAddress: istiod.istio-system.svc:15012
  proxyAdminPort: 15000
  statusPort: 15020`
	got, err := Apply(text, &meshv1.MeshConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetDefaultConfig().GetStatusPort() != 15020 || len(got.GetDefaultProviders().GetMetrics()) != 1 {
		t.Errorf("unexpected result %v", got)
	}
}
