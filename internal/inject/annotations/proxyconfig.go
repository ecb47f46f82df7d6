package annotations

import (
	"fmt"
	"strings"

	"github.com/golang/protobuf/jsonpb" //nolint:staticcheck // Istio decodes proxy.istio.io/config with it; its errors are part of the message
	protov1 "github.com/golang/protobuf/proto"
	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
	"github.com/meshfn/meshfn/internal/yamlnode"
	meshconfig "istio.io/api/mesh/v1alpha1"
	"sigs.k8s.io/yaml"
)

// checkProxyConfig is Istio's check of proxy.istio.io/config: the value is
// applied over the built-in proxy defaults and the result validated, without the
// fields the release does not know.
func checkProxyConfig(value string, unknown []string) error {
	cfg := proxyconfig.Default()
	if err := ApplyYAML(value, cfg); err != nil {
		return fmt.Errorf("failed to convert to apply proxy config: %v", err)
	}
	return proxyconfig.Validate(proxyconfig.WithoutFields(cfg, unknown))
}

// ApplyYAML overlays a YAML proxy config onto cfg as Istio does: YAML is
// turned into JSON and decoded with the legacy jsonpb decoder (top-level
// fields replace those of cfg), retrying with unknown fields allowed when
// the strict decode fails. YAML anchors and aliases are refused.
func ApplyYAML(value string, cfg *meshconfig.ProxyConfig) error {
	if err := yamlnode.TextNoAliases(value); err != nil {
		return err
	}
	js, err := yaml.YAMLToJSON([]byte(value))
	if err != nil {
		return err
	}
	strict := jsonpb.Unmarshaler{}
	if err := strict.Unmarshal(strings.NewReader(string(js)), protov1.MessageV1(cfg)); err == nil {
		return nil
	}
	lenient := jsonpb.Unmarshaler{AllowUnknownFields: true}
	return lenient.Unmarshal(strings.NewReader(string(js)), protov1.MessageV1(cfg))
}
