package proxyconfig

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	meshv1 "istio.io/api/mesh/v1alpha1"
	networkingv1 "istio.io/api/networking/v1alpha3"
)

func TestDefaultIsValid(t *testing.T) {
	if err := Validate(Default()); err != nil {
		t.Fatalf("Default() does not validate: %v", err)
	}
	a := Default()
	a.DrainDuration.Seconds = 1
	if !proto.Equal(Default().DrainDuration, durationpb.New(45*time.Second)) {
		t.Error("Default() shares state between calls")
	}
}

// TestValidate covers what the annotation and mesh config tests of the
// callers do not: list entries that each carry the prefix, the configmap://
// name checks, and a stable choice among nil custom tags.
func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(pc *meshv1.ProxyConfig)
		want string // "" for valid
	}{{
		name: "no cluster name",
		edit: func(pc *meshv1.ProxyConfig) { pc.ClusterName = nil },
		want: list("oneof service cluster or tracing service name must be specified"),
	}, {
		name: "no discovery address",
		edit: func(pc *meshv1.ProxyConfig) { pc.DiscoveryAddress = "" },
		want: list("discovery address must be set to the proxy discovery service"),
	}, {
		name: "drain duration sub-millisecond",
		edit: func(pc *meshv1.ProxyConfig) { pc.DrainDuration = durationpb.New(1500 * time.Microsecond) },
		want: list("invalid drain duration: only durations to ms precision are supported"),
	}, {
		name: "no drain duration",
		edit: func(pc *meshv1.ProxyConfig) { pc.DrainDuration = nil },
		want: list("invalid drain duration: duration must be greater than 1ms"),
	}, {
		name: "empty private key provider: both problems prefixed",
		edit: func(pc *meshv1.ProxyConfig) { pc.PrivateKeyProvider = &meshv1.PrivateKeyProvider{} },
		want: list("invalid private key provider configuration: private key provider configuration is required",
			"invalid private key provider configuration: unknown private key provider"),
	}, {
		name: "qat without poll delay",
		edit: func(pc *meshv1.ProxyConfig) {
			pc.PrivateKeyProvider = &meshv1.PrivateKeyProvider{
				Provider: &meshv1.PrivateKeyProvider_Qat{Qat: &meshv1.PrivateKeyProvider_QAT{}},
			}
		},
		want: list("invalid private key provider configuration: pollDelay is required"),
	}, {
		name: "lightstep: every entry prefixed",
		edit: func(pc *meshv1.ProxyConfig) {
			pc.Tracing = &meshv1.Tracing{Tracer: &meshv1.Tracing_Lightstep_{Lightstep: &meshv1.Tracing_Lightstep{Address: "ls"}}}
		},
		want: list(`invalid lightstep config: invalid lightstep address: unable to split "ls": address ls: missing port in address`,
			"invalid lightstep config: access token is required"),
	}, {
		name: "configmap credential without name",
		edit: func(pc *meshv1.ProxyConfig) {
			pc.Tracing = &meshv1.Tracing{TlsSettings: &networkingv1.ClientTLSSettings{
				Mode: networkingv1.ClientTLSSettings_SIMPLE, CredentialName: "configmap://ns/",
			}}
		},
		want: list(`invalid tracing TLS config: invalid configmap:// credentialName: invalid resource name "configmap://ns/". Expected name`),
	}, {
		name: "configmap credential without namespace",
		edit: func(pc *meshv1.ProxyConfig) {
			pc.Tracing = &meshv1.Tracing{TlsSettings: &networkingv1.ClientTLSSettings{CredentialName: "configmap://only"}}
		},
		want: list(`invalid tracing TLS config: invalid configmap:// credentialName: invalid resource name "configmap://only". Expected namespace and name`),
	}, {
		name: "mutual TLS with credential name and files",
		edit: func(pc *meshv1.ProxyConfig) {
			pc.Tracing = &meshv1.Tracing{TlsSettings: &networkingv1.ClientTLSSettings{
				Mode: networkingv1.ClientTLSSettings_MUTUAL, CredentialName: "cred", PrivateKey: "/key.pem",
			}}
		},
		want: list("invalid tracing TLS config: cannot specify client certificates or CA certificate or CA CRL If credentialName is set"),
	}, {
		name: "nil custom tags: the first by name",
		edit: func(pc *meshv1.ProxyConfig) {
			pc.Tracing = &meshv1.Tracing{CustomTags: map[string]*meshv1.Tracing_CustomTag{
				"zeta": nil, "alpha": nil, "ok": {},
			}}
		},
		want: list("invalid tracing custom tags: encountered nil value for custom tag: alpha"),
	}, {
		name: "deprecated metrics service address",
		edit: func(pc *meshv1.ProxyConfig) {
			pc.EnvoyMetricsServiceAddress = "ms:0" //nolint:staticcheck // deprecated, still validated
		},
		want: list(`invalid envoy metrics service address "ms:0": port number 0 must be in the range 1..65535`),
	}, {
		name: "connection settings at their limits",
		edit: func(pc *meshv1.ProxyConfig) {
			pc.ConnectionSettings = &meshv1.ProxyConfig_ConnectionSettings{
				ListenerPerConnectionBufferLimitBytes: wrapperspb.Int32(0),
				HttpMaxConcurrentStreams:              wrapperspb.Int32(1),
				Http2InitialStreamWindowSize:          wrapperspb.Int32(65535),
				HttpIdleTimeout:                       durationpb.New(0),
			}
		},
	}, {
		name: "connection settings below their limits",
		edit: func(pc *meshv1.ProxyConfig) {
			pc.ConnectionSettings = &meshv1.ProxyConfig_ConnectionSettings{
				HttpMaxStreamDuration:            durationpb.New(-1),
				Http2InitialConnectionWindowSize: wrapperspb.Int32(65534),
				GlobalDownstreamConnectionLimit:  wrapperspb.Int32(0),
			}
		},
		want: list("invalid connection settings: http_max_stream_duration must be non-negative",
			"invalid connection settings: http2_initial_connection_window_size must be at least 65535",
			"invalid connection settings: global_downstream_connection_limit must be positive"),
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pc := Default()
			tc.edit(pc)
			err := Validate(pc)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}
