package inject

import (
	"fmt"

	"github.com/meshfn/meshfn/internal/inject/meshconfig"
	meshv1 "istio.io/api/mesh/v1alpha1"
	"k8s.io/apimachinery/pkg/labels"
)

// Variant is the flavour of injection, chosen once and carried in each Request: Istio's
// admission webhook (Webhook) or istioctl kube-inject (KubeInject). Each field is one thing
// the two do differently.
type Variant struct {
	// Name names the variant in messages.
	Name string
	// templates are the default templates and the aliases the variant renders with.
	templates func(c *Config) (defaults []string, aliases map[string][]string)
	// injectedAnnotations are the annotations added to every injected pod.
	injectedAnnotations func(c *Config) map[string]string
	// namespace is the namespace templates see on the pod, from the pod's own and the
	// namespace the request names.
	namespace func(pod, request string) string
	// config is the mesh config the templates see and the proxy config of the pod.
	config func(s *Settings, req Request, res *Result) (*meshv1.MeshConfig, *meshv1.ProxyConfig, error)
	// policy is the injection policy and the never- and always-inject selectors applied.
	policy func(s *Settings) (policy string, never, always []labels.Selector)
}

// Webhook is injection as Istio's webhook does it at admission: the injector config's
// default templates, aliases and injectedAnnotations; the pod in the request's namespace;
// ProxyConfig resources and the pod's proxy.istio.io/config (ignored with a warning when
// invalid) over the mesh's proxy defaults; the injector's policy and selectors. A Request
// without a Variant is injected so.
var Webhook = Variant{
	Name: "webhook",
	templates: func(c *Config) ([]string, map[string][]string) {
		return c.DefaultTemplates, c.Aliases
	},
	injectedAnnotations: func(c *Config) map[string]string { return c.InjectedAnnotations },
	namespace: func(pod, request string) string {
		if pod == "" {
			return request
		}
		return pod
	},
	config: func(s *Settings, req Request, res *Result) (*meshv1.MeshConfig, *meshv1.ProxyConfig, error) {
		return s.Mesh, s.webhookProxyConfig(req, res), nil
	},
	policy: func(s *Settings) (string, []labels.Selector, []labels.Selector) {
		return s.Config.Policy, s.neverInject, s.alwaysInject
	},
}

// KubeInject is injection as istioctl kube-inject does it to a manifest: always the
// "sidecar" template, no aliases and no injectedAnnotations; the pod's namespace as
// written; the pod's proxy.istio.io/config applied to the mesh config itself (an invalid
// one is an error) and no ProxyConfig resources; every pod injected unless it opts out.
var KubeInject = Variant{
	Name: "kube-inject",
	templates: func(*Config) ([]string, map[string][]string) {
		return []string{SidecarTemplate}, nil
	},
	injectedAnnotations: func(*Config) map[string]string { return nil },
	namespace:           func(pod, _ string) string { return pod },
	config:              kubeInjectConfig,
	policy: func(*Settings) (string, []labels.Selector, []labels.Selector) {
		return PolicyEnabled, nil, nil
	},
}

// variant is the request's variant, Webhook when it names none.
func (r *Request) variant() Variant {
	if r.Variant.Name == "" {
		return Webhook
	}
	return r.Variant
}

// kubeInjectConfig applies the pod's proxy.istio.io/config to the mesh config.
func kubeInjectConfig(s *Settings, req Request, _ *Result) (*meshv1.MeshConfig, *meshv1.ProxyConfig, error) {
	pca, ok := req.Pod.Annotations[annotationProxyConfig]
	if !ok {
		return s.Mesh, s.Mesh.GetDefaultConfig(), nil
	}
	withPod, err := meshconfig.ApplyProxyConfig(pca, s.Mesh)
	if err != nil {
		return nil, nil, fmt.Errorf("annotation %s: %w", annotationProxyConfig, err)
	}
	return withPod, withPod.GetDefaultConfig(), nil
}
