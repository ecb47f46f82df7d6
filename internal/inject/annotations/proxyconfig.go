package annotations

import (
	"fmt"

	"github.com/meshfn/meshfn/internal/inject/pboverlay"
	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
)

// checkProxyConfig is Istio's check of proxy.istio.io/config: the value is
// applied over the built-in proxy defaults and the result validated, without the
// fields the release does not know. The value is laid over the defaults as
// Istio's jsonpb decoder does (top-level fields replace those of the defaults,
// unknown fields are ignored), with its error texts; YAML anchors and aliases
// are refused.
func checkProxyConfig(value string, unknown []string) error {
	cfg := proxyconfig.Default()
	if err := pboverlay.YAML(value, cfg); err != nil {
		return fmt.Errorf("failed to convert to apply proxy config: %v", err)
	}
	return proxyconfig.Validate(proxyconfig.WithoutFields(cfg, unknown))
}
