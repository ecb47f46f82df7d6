// Package meshconfig reproduces how Istio builds the effective MeshConfig:
// its built-in defaults (mesh.DefaultMeshConfig; the proxy defaults and
// proxy config validation come from package proxyconfig), how the `mesh`
// text of the `istio` ConfigMap is applied over them (mesh.ApplyMeshConfig,
// including the validation it runs), and how the pod annotation
// proxy.istio.io/config is merged into the proxy defaults
// (mesh.ApplyProxyConfig).
//
// The defaults and rules follow Istio at the commit of the injection test
// corpus (86c9f01fd735fb01d8192f5bcaf0d424afb7f14c).
package meshconfig

import (
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	"sigs.k8s.io/yaml"

	"github.com/meshfn/meshfn/internal/inject/pboverlay"
	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
	meshv1 "istio.io/api/mesh/v1alpha1"
	networkingv1 "istio.io/api/networking/v1alpha3"
)

// Default returns the MeshConfig Istio uses when nothing is configured
// (mesh.DefaultMeshConfig). Every call returns a new object.
func Default() *meshv1.MeshConfig {
	return &meshv1.MeshConfig{
		EnableTracing:                  true,
		AccessLogEncoding:              meshv1.MeshConfig_TEXT,
		ProtocolDetectionTimeout:       durationpb.New(0),
		IngressService:                 "istio-ingressgateway",
		IngressControllerMode:          meshv1.MeshConfig_STRICT,
		IngressClass:                   "istio",
		TrustDomain:                    "cluster.local",
		TrustDomainAliases:             []string{},
		EnableAutoMtls:                 wrapperspb.Bool(true),
		OutboundTrafficPolicy:          &meshv1.MeshConfig_OutboundTrafficPolicy{Mode: meshv1.MeshConfig_OutboundTrafficPolicy_ALLOW_ANY},
		InboundTrafficPolicy:           &meshv1.MeshConfig_InboundTrafficPolicy{Mode: meshv1.MeshConfig_InboundTrafficPolicy_PASSTHROUGH},
		LocalityLbSetting:              &networkingv1.LocalityLoadBalancerSetting{Enabled: wrapperspb.Bool(true)},
		Certificates:                   []*meshv1.Certificate{},
		DefaultConfig:                  proxyconfig.Default(),
		RootNamespace:                  "istio-system",
		ProxyListenPort:                15001,
		ProxyInboundListenPort:         15006,
		ConnectTimeout:                 durationpb.New(10 * time.Second),
		DefaultServiceExportTo:         []string{"*"},
		DefaultVirtualServiceExportTo:  []string{"*"},
		DefaultDestinationRuleExportTo: []string{"*"},
		DnsRefreshRate:                 durationpb.New(60 * time.Second),
		ServiceSettings:                []*meshv1.MeshConfig_ServiceSettings{},
		EnablePrometheusMerge:          wrapperspb.Bool(true),
		DefaultProviders:               &meshv1.MeshConfig_DefaultProviders{},
		ExtensionProviders:             defaultExtensionProviders(),
	}
}

func defaultExtensionProviders() []*meshv1.MeshConfig_ExtensionProvider {
	return []*meshv1.MeshConfig_ExtensionProvider{
		{
			Name: "prometheus",
			Provider: &meshv1.MeshConfig_ExtensionProvider_Prometheus{
				Prometheus: &meshv1.MeshConfig_ExtensionProvider_PrometheusMetricsProvider{},
			},
		},
		{
			Name: "stackdriver",
			Provider: &meshv1.MeshConfig_ExtensionProvider_Stackdriver{
				Stackdriver: &meshv1.MeshConfig_ExtensionProvider_StackdriverProvider{},
			},
		},
		{
			Name: "envoy",
			Provider: &meshv1.MeshConfig_ExtensionProvider_EnvoyFileAccessLog{
				EnvoyFileAccessLog: &meshv1.MeshConfig_ExtensionProvider_EnvoyFileAccessLogProvider{Path: "/dev/stdout"},
			},
		},
	}
}

// Apply reads a mesh config written in YAML (the `mesh` key of the `istio`
// ConfigMap) over base with the semantics of Istio's mesh.ApplyMeshConfig:
//
//   - top-level fields present in the text replace the base value as a whole
//     (lists, maps and messages are not merged); null and absent fields keep it;
//     unknown fields are ignored, as Istio does;
//   - defaultConfig is laid over base.defaultConfig field by field, with
//     proxyMetadata merged key by key and the proxyHeaders sub-settings that the
//     text leaves unset kept from the base (see ApplyProxyConfig);
//   - defaultProviders is laid over base.defaultProviders field by field;
//   - extensionProviders are merged by name: a provider with a known name
//     replaces that entry's provider in place, others are appended;
//   - trustDomainAliases become the sorted union of the text's and the base's;
//   - the result is validated like Istio's ValidateMeshConfig (errors only;
//     Istio merely logs warnings).
//
// Only the camelCase keys `defaultConfig` and `defaultProviders` get the
// merging treatment; their snake_case spellings are ignored, as in Istio.
// Apply returns a new object; base is not modified. A nil base is treated as
// an empty MeshConfig. Where Istio would crash on a base without defaultConfig
// or defaultProviders that the text sets, Apply starts from an empty message.
func Apply(yamlText string, base *meshv1.MeshConfig) (*meshv1.MeshConfig, error) {
	out := &meshv1.MeshConfig{}
	if base != nil {
		out = proto.Clone(base).(*meshv1.MeshConfig)
	}
	prevProxy := out.DefaultConfig
	prevProviders := out.DefaultProviders
	prevExtensions := out.ExtensionProviders
	prevAliases := out.TrustDomainAliases

	// The whole text is decoded first (this is where type errors surface), then
	// the fields with special merge rules are restored and merged.
	out.DefaultConfig = nil
	if err := pboverlay.YAML(yamlText, out); err != nil {
		return nil, fmt.Errorf("parsing mesh config: %w", err)
	}
	out.DefaultConfig = prevProxy

	top := map[string]any{}
	if err := yaml.Unmarshal([]byte(yamlText), &top); err != nil {
		return nil, fmt.Errorf("parsing mesh config: %w", err)
	}
	if err := mergeDefaultConfig(out, top["defaultConfig"]); err != nil {
		return nil, err
	}
	out.DefaultProviders = prevProviders
	if err := mergeDefaultProviders(out, top["defaultProviders"]); err != nil {
		return nil, err
	}
	out.ExtensionProviders = mergeExtensionProviders(prevExtensions, out.ExtensionProviders)
	out.TrustDomainAliases = sortedUnion(out.TrustDomainAliases, prevAliases)

	if err := validateMeshConfig(out); err != nil {
		return nil, fmt.Errorf("invalid mesh config: %w", err)
	}
	return out, nil
}

// ApplyProxyConfig merges a ProxyConfig written as YAML or JSON (the pod
// annotation proxy.istio.io/config) into mesh.DefaultConfig with the
// semantics of Istio's mesh.ApplyProxyConfig: fields present in the text
// replace the default's value as a whole, except proxyMetadata, which is
// merged key by key, and proxyHeaders, whose forwardedClientCert, requestId,
// attemptCount, server and envoyDebugHeaders keep the default's value when the
// text leaves them unset. Unknown fields are ignored; no validation is run.
// It returns a new MeshConfig; mesh is not modified.
func ApplyProxyConfig(yamlText string, mesh *meshv1.MeshConfig) (*meshv1.MeshConfig, error) {
	out := &meshv1.MeshConfig{}
	if mesh != nil {
		out = proto.Clone(mesh).(*meshv1.MeshConfig)
	}
	if out.DefaultConfig == nil {
		out.DefaultConfig = &meshv1.ProxyConfig{}
	}
	js, err := pboverlay.YAMLToJSON(yamlText)
	if err != nil {
		return nil, fmt.Errorf("parsing proxy config: %w", err)
	}
	if err := mergeProxyConfig(js, out.DefaultConfig); err != nil {
		return nil, fmt.Errorf("parsing proxy config: %w", err)
	}
	return out, nil
}

// subtreeJSON turns one value of the generically decoded mesh text back into
// JSON. Like Istio, it goes through YAML again, so numbers have passed through
// float64 by then.
func subtreeJSON(v any) ([]byte, error) {
	y, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	return yaml.YAMLToJSON(y)
}

func mergeDefaultConfig(out *meshv1.MeshConfig, sub any) error {
	if sub == nil {
		return nil
	}
	js, err := subtreeJSON(sub)
	if err != nil {
		return fmt.Errorf("parsing mesh config: defaultConfig: %w", err)
	}
	if out.DefaultConfig == nil {
		// Istio dereferences the base proxy config here; start from empty instead.
		out.DefaultConfig = &meshv1.ProxyConfig{}
	}
	if err := mergeProxyConfig(js, out.DefaultConfig); err != nil {
		return fmt.Errorf("parsing mesh config: defaultConfig: %w", err)
	}
	return nil
}

func mergeDefaultProviders(out *meshv1.MeshConfig, sub any) error {
	if sub == nil {
		return nil
	}
	js, err := subtreeJSON(sub)
	if err != nil {
		return fmt.Errorf("parsing mesh config: defaultProviders: %w", err)
	}
	target := out.DefaultProviders
	if target == nil {
		target = &meshv1.MeshConfig_DefaultProviders{}
	}
	if err := pboverlay.JSON(js, target); err != nil {
		return fmt.Errorf("parsing mesh config: defaultProviders: %w", err)
	}
	// Istio decodes into the base's message; when the base has none, an empty
	// overlay leaves it unset (a non-empty one would crash Istio).
	if out.DefaultProviders != nil || proto.Size(target) > 0 {
		out.DefaultProviders = target
	}
	return nil
}

// mergeProxyConfig lays the JSON over pc in place with Istio's
// MergeProxyConfig rules.
func mergeProxyConfig(js []byte, pc *meshv1.ProxyConfig) error {
	origMetadata := pc.ProxyMetadata
	origHeaders := pc.ProxyHeaders
	if err := pboverlay.JSON(js, pc); err != nil {
		return err
	}
	pc.ProxyMetadata = mergeStringMaps(origMetadata, pc.ProxyMetadata)
	keepUnsetProxyHeaders(pc.ProxyHeaders, origHeaders)
	return nil
}

// mergeStringMaps writes the entries of overlay into base (allocating it when
// needed) and returns it; nil when both are nil.
func mergeStringMaps(base, overlay map[string]string) map[string]string {
	if base == nil && overlay == nil {
		return nil
	}
	if base == nil {
		base = make(map[string]string, len(overlay))
	}
	for k, v := range overlay {
		base[k] = v
	}
	return base
}

// keepUnsetProxyHeaders copies into ph the header settings that the overlay
// left at their zero value, for the fields Istio treats that way.
func keepUnsetProxyHeaders(ph, orig *meshv1.ProxyConfig_ProxyHeaders) {
	if ph == nil || orig == nil || ph == orig {
		return
	}
	if ph.ForwardedClientCert == meshv1.ForwardClientCertDetails_UNDEFINED {
		ph.ForwardedClientCert = orig.ForwardedClientCert
	}
	if ph.RequestId == nil {
		ph.RequestId = orig.RequestId
	}
	if ph.AttemptCount == nil {
		ph.AttemptCount = orig.AttemptCount
	}
	if ph.Server == nil {
		ph.Server = orig.Server
	}
	if ph.EnvoyDebugHeaders == nil {
		ph.EnvoyDebugHeaders = orig.EnvoyDebugHeaders
	}
}

// mergeExtensionProviders merges the decoded providers into the previous list
// by name, as Istio does: for each decoded provider the first entry with the
// same name gets its provider replaced, otherwise it is appended. When the text
// did not set the field, decoded is the previous list itself.
func mergeExtensionProviders(prev, decoded []*meshv1.MeshConfig_ExtensionProvider) []*meshv1.MeshConfig_ExtensionProvider {
	result := prev
	for _, p := range decoded {
		if p == nil {
			continue
		}
		idx := slices.IndexFunc(result, func(e *meshv1.MeshConfig_ExtensionProvider) bool {
			return e != nil && e.GetName() == p.GetName()
		})
		if idx < 0 {
			result = append(result, p)
			continue
		}
		if result[idx] != p {
			result[idx].Provider = proto.Clone(p).(*meshv1.MeshConfig_ExtensionProvider).Provider
		}
	}
	return result
}

// sortedUnion returns the sorted, de-duplicated union of a and b.
func sortedUnion(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	slices.Sort(out)
	return slices.Compact(out)
}
