package pboverlay

import (
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	meshv1 "istio.io/api/mesh/v1alpha1"
)

// TestOverlayRules pins the legacy jsonpb behaviours the decoder reproduces.
func TestOverlayRules(t *testing.T) {
	base := func() *meshv1.ProxyConfig {
		return &meshv1.ProxyConfig{
			DiscoveryAddress: "base:1",
			Concurrency:      wrapperspb.Int32(3),
			ClusterName:      &meshv1.ProxyConfig_ServiceCluster{ServiceCluster: "base"},
		}
	}
	cases := []struct {
		name string
		text string
		edit func(pc *meshv1.ProxyConfig)
	}{
		{"top-level null is a no-op", "null", func(*meshv1.ProxyConfig) {}},
		{"field null is a no-op", "discoveryAddress: null", func(*meshv1.ProxyConfig) {}},
		{"JSON name wins over proto name", "discovery_address: a:1\ndiscoveryAddress: b:1",
			func(pc *meshv1.ProxyConfig) { pc.DiscoveryAddress = "b:1" }},
		{"later oneof member in field order wins", "tracingServiceName: CANONICAL_NAME_ONLY\nserviceCluster: other",
			func(pc *meshv1.ProxyConfig) {
				pc.ClusterName = &meshv1.ProxyConfig_TracingServiceName_{
					TracingServiceName: meshv1.ProxyConfig_CANONICAL_NAME_ONLY,
				}
			}},
		{"null list elements decode to zero values", "includeIPRanges: ~\nproxyStatsMatcher: {inclusionPrefixes: [a, null]}",
			func(pc *meshv1.ProxyConfig) {
				pc.ProxyStatsMatcher = &meshv1.ProxyConfig_ProxyStatsMatcher{InclusionPrefixes: []string{"a", ""}}
			}},
		{"null map values decode to zero values", "runtimeValues: {a: x, b: null}",
			func(pc *meshv1.ProxyConfig) { pc.RuntimeValues = map[string]string{"a": "x", "b": ""} }},
		{"quoted integers and floats", "statNameLength: '100'\ntracing: {sampling: '2.5'}",
			func(pc *meshv1.ProxyConfig) {
				pc.StatNameLength = 100
				pc.Tracing = &meshv1.Tracing{Sampling: 2.5}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := base()
			if err := YAML(tc.text, got); err != nil {
				t.Fatalf("overlay: %v", err)
			}
			want := base()
			tc.edit(want)
			requireEqual(t, "proxy config", want, got)
		})
	}
}

func TestOverlayStruct(t *testing.T) {
	text := `
envoyFileAccessLog:
  logFormat:
    labels: {s: text, num: 1.5, b: true, z: null, l: [1, x], o: {k: v}}`
	got := &meshv1.MeshConfig_ExtensionProvider{}
	if err := YAML(text, got); err != nil {
		t.Fatal(err)
	}
	labels, err := structpb.NewStruct(map[string]any{
		"s": "text", "num": 1.5, "b": true, "z": nil, "l": []any{1, "x"}, "o": map[string]any{"k": "v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &meshv1.MeshConfig_ExtensionProvider{
		Provider: &meshv1.MeshConfig_ExtensionProvider_EnvoyFileAccessLog{
			EnvoyFileAccessLog: &meshv1.MeshConfig_ExtensionProvider_EnvoyFileAccessLogProvider{
				LogFormat: &meshv1.MeshConfig_ExtensionProvider_EnvoyFileAccessLogProvider_LogFormat{
					LogFormat: &meshv1.MeshConfig_ExtensionProvider_EnvoyFileAccessLogProvider_LogFormat_Labels{Labels: labels},
				},
			},
		},
	}
	requireEqual(t, "extension provider", want, got)
}

// requireEqual fails with a line diff of the protojson forms when the messages differ.
func requireEqual(t *testing.T, what string, want, got proto.Message) {
	t.Helper()
	if proto.Equal(want, got) {
		return
	}
	opts := protojson.MarshalOptions{Multiline: true, Indent: "  "}
	w, _ := opts.Marshal(want)
	g, _ := opts.Marshal(got)
	t.Errorf("%s: not equal (- want, + got):\n%s", what, krmtest.Diff(string(w), string(g)))
}
