package revision

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"

	"github.com/meshfn/meshfn/internal/controlplane"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/keyscan"
)

// Kind is the typed kind of the function config.
const Kind = "ControlPlaneRevision"

// Spec is the configuration of generate-revision: the settings of the revision it
// generates, as controlplane.Spec documents them, checked by Validate. It is a type of its
// own rather than one embedding controlplane.Spec so that decoding errors name a field as
// the config spells it (spec.tags, not spec.Spec.tags).
type Spec controlplane.Spec

var _ fnconfig.Spec = (*Spec)(nil)

// Default fills in the chart's defaults (controlplane.Spec.Default).
func (s *Spec) Default() { (*controlplane.Spec)(s).Default() }

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
