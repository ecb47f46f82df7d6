// Package controlplane holds what the functions and internal/fleet share about an Istio
// control-plane revision: the cluster objects Istio's istio-discovery chart renders for it
// (the istiod Service, the sidecar injector's MutatingWebhookConfiguration, the
// ValidatingWebhookConfiguration, and revision tags), built from a Spec by Objects, and the
// RevisionInjector that declares the proxy it injects (written by Objects, read by
// ReadInjector). The generate-revision function (functions/generate-revision/revision)
// checks its config and writes these objects into a package.
package controlplane

import "github.com/meshfn/meshfn/internal/istio"

// Spec describes a control-plane revision: the settings of generate-revision's
// ControlPlaneRevision config, which checks them (Objects expects a Spec that passed those
// checks, defaulted).
type Spec struct {
	// Revision names the control plane; "default" or "" is the default revision. Required.
	Revision *string `json:"revision"`
	// Namespace is the control-plane namespace. Default istio-system.
	Namespace string `json:"namespace,omitempty"`
	// Tags are revision tags pointing at this revision; "default" makes it the default injector.
	Tags []string `json:"tags,omitempty"`
	// EnableNamespacesByDefault injects every namespace without labels (default revision or
	// tag only), like the chart's sidecarInjectorWebhook.enableNamespacesByDefault.
	EnableNamespacesByDefault bool `json:"enableNamespacesByDefault,omitempty"`
	// FailurePolicy of the injection webhooks: Fail (default) or Ignore.
	FailurePolicy string `json:"failurePolicy,omitempty"`
	// ReinvocationPolicy of the injection webhooks: Never (default) or IfNeeded.
	ReinvocationPolicy string `json:"reinvocationPolicy,omitempty"`
	// CABundle is the base64 PEM bundle the API server trusts for the webhooks. Optional:
	// istiod patches it in at run time when it is left out.
	CABundle string `json:"caBundle,omitempty"`
	// InjectionURL points the injection webhooks at a remote istiod (clientConfig.url);
	// the revision's local istiod Service is then not generated, as in Istio's remote
	// profile (tag Services still are, as the chart renders them).
	InjectionURL string `json:"injectionURL,omitempty"`
	// InjectionPath is the path of the injection service. Default /inject.
	InjectionPath string `json:"injectionPath,omitempty"`
	// Validation generates the ValidatingWebhookConfiguration. Default true, except with an
	// injectionURL (a remote control plane), where it defaults to false.
	Validation *bool `json:"validation,omitempty"`
	// ValidationURL points the validation webhook at a remote istiod.
	ValidationURL string `json:"validationURL,omitempty"`
	// ValidationFailurePolicy of the validation webhook: Ignore (the chart's value on a new
	// install; istiod turns it to Fail once it serves) or Fail. Default Ignore, or Fail
	// when caBundle is set, as in the chart.
	ValidationFailurePolicy string `json:"validationFailurePolicy,omitempty"`
	// Hub and Tag name the proxy image the revision injects (Istio's global.hub and
	// global.tag): hub/proxyv2:tag. A canary revision is usually a new Istio version, so it
	// declares its tag. Left out, the injecting function's own hub and tag apply
	// (SidecarInjection spec.hub and spec.tag, whose defaults are Istio's release hub and
	// the Istio version meshfn's built-in injector follows).
	Hub string `json:"hub,omitempty"`
	Tag string `json:"tag,omitempty"`
	// IstioVersion is the Istio release the revision runs, "1.29" or "1.29.6", when Tag
	// does not name it (a tag that is a version, such as 1.29.6-distroless, does): the
	// revision injects as that release. Left out, the injecting function's applies.
	IstioVersion string `json:"istioVersion,omitempty"`
	// Values are the injector values (Istio's chart values) the revision changes, such as
	// global.proxy.resources or global.logAsJson; builtin.ValueKeys lists those the
	// built-in injector reads, and anything else is refused.
	Values map[string]any `json:"values,omitempty"`
}

// Default fills in the chart's defaults.
func (s *Spec) Default() {
	if s.Namespace == "" {
		s.Namespace = istio.DefaultNamespace
	}
	if s.FailurePolicy == "" {
		s.FailurePolicy = "Fail"
	}
	if s.ReinvocationPolicy == "" {
		s.ReinvocationPolicy = "Never"
	}
	if s.InjectionPath == "" {
		s.InjectionPath = "/inject"
	}
	if s.Validation == nil {
		v := s.InjectionURL == ""
		s.Validation = &v
	}
	if s.ValidationFailurePolicy == "" {
		s.ValidationFailurePolicy = "Ignore"
		if s.CABundle != "" {
			s.ValidationFailurePolicy = "Fail"
		}
	}
}
