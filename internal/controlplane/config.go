// Package controlplane generates the cluster objects of an Istio control-plane revision,
// as Istio's istio-discovery chart renders them: the istiod Service, the sidecar injector's
// MutatingWebhookConfiguration, the ValidatingWebhookConfiguration, and revision tags.
package controlplane

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"

	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/keyscan"
)

// Kind is the typed kind of the function config.
const Kind = "ControlPlaneRevision"

// Spec is the configuration of generate-revision.
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

var _ fnconfig.Spec = (*Spec)(nil)

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

// Validate reports every problem of the spec.
func (s *Spec) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, fnconfig.FieldError(field, format, args...))
	}
	if s.Revision == nil {
		add("spec.revision", "required (use \"default\" for the default revision)")
	} else if !istio.IsDefaultRevision(*s.Revision) {
		if err := istio.ValidateRevision(*s.Revision); err != nil {
			add("spec.revision", "%v", err)
		}
	}
	if err := istio.ValidateRevision(s.Namespace); err != nil {
		add("spec.namespace", "%v", err)
	}
	seen := map[string]bool{}
	for _, tag := range s.Tags {
		switch {
		case seen[tag]:
			add("spec.tags", "tag %q is listed twice", tag)
		case istio.ValidateRevision(tag) != nil:
			add("spec.tags", "%v", istio.ValidateRevision(tag))
		case s.Revision != nil && tag == istio.DefaultRevision && istio.IsDefaultRevision(*s.Revision):
			add("spec.tags", "tag \"default\" on the default revision would install its default webhooks twice")
		case s.Revision != nil && tag == *s.Revision:
			add("spec.tags", "tag %q has the name of the revision it points at", tag)
		}
		seen[tag] = true
	}
	oneOf(add, "spec.failurePolicy", s.FailurePolicy, "Fail", "Ignore")
	oneOf(add, "spec.validationFailurePolicy", s.ValidationFailurePolicy, "Fail", "Ignore")
	oneOf(add, "spec.reinvocationPolicy", s.ReinvocationPolicy, "Never", "IfNeeded")
	if s.CABundle != "" {
		if err := checkCABundle(s.CABundle); err != nil {
			add("spec.caBundle", "%v", err)
		}
	}
	for _, u := range [][2]string{{"spec.injectionURL", s.InjectionURL}, {"spec.validationURL", s.ValidationURL}} {
		if u[1] != "" {
			if err := checkWebhookURL(u[1]); err != nil {
				add(u[0], "%v", err)
			}
		}
	}
	if len(s.InjectionPath) == 0 || s.InjectionPath[0] != '/' {
		add("spec.injectionPath", "%q must start with /", s.InjectionPath)
	}
	errs = append(errs, builtin.CheckImage(s.Hub, s.Tag, "spec.")...)
	errs = append(errs, builtin.CheckRelease(s.Tag, s.IstioVersion, "spec.")...)
	errs = append(errs, builtin.CheckValues(s.Values, "spec.values")...)
	if *s.Validation && s.InjectionURL != "" && s.ValidationURL == "" {
		add("spec.validationURL", "required when validation is on for a remote control plane (spec.injectionURL is set)")
	}
	return errors.Join(errs...)
}

func oneOf(add func(string, string, ...any), field, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	add(field, "%q is not one of %v", value, allowed)
}

// checkCABundle requires base64-encoded PEM certificates, which is what the API server reads.
func checkCABundle(b64 string) error {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return errors.New("not base64: encode the PEM bundle with base64 -w0")
	}
	if f, ok := keyscan.Find(raw); ok {
		return fmt.Errorf("holds private key material (%s, once decoded); only certificates belong in a CA bundle", f)
	}
	found := false
	for {
		var block *pem.Block
		block, raw = pem.Decode(raw)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return errors.New("holds a " + block.Type + " PEM block; only certificates belong in a CA bundle")
		}
		found = true
	}
	if !found {
		return errors.New("decodes to no PEM certificate")
	}
	return nil
}

// checkWebhookURL applies the API server's rules for webhook URLs.
func checkWebhookURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return err
	case u.Scheme != "https":
		return errors.New("must use https")
	case u.Host == "":
		return errors.New("has no host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return errors.New("must not contain user info, a query or a fragment")
	}
	return nil
}
