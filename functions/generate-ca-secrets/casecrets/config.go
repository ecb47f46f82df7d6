// Package casecrets is the generate-ca-secrets function: it checks the CABundles of a
// package (see internal/cabundle) and renders each into the Secrets istiod reads its CA
// from, in the bundle's control-plane namespace.
package casecrets

import (
	"errors"
	"strings"
	"time"

	"github.com/meshfn/meshfn/internal/certchain"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Kind is the typed kind of the function config.
const Kind = "CASecrets"

// DefaultRenewBefore is renewBefore when the config leaves it out: 30 days.
const DefaultRenewBefore = "720h"

// Spec is the configuration of generate-ca-secrets.
type Spec struct {
	// RenewBefore is a Go duration ("720h"): a certificate that expires within it is a
	// warning. "0s" turns the warning off.
	RenewBefore string `json:"renewBefore,omitempty"`
	// Bundles names the CABundles to render (metadata.name). Default: every CABundle in
	// the package.
	Bundles []string `json:"bundles,omitempty"`
	// TrustDomain is the mesh's SPIFFE trust domain (meshConfig.trustDomain). A chain
	// whose CA cannot issue workload certificates in it (name constraints, extended key
	// usages) is refused. Default: cluster.local.
	TrustDomain string `json:"trustDomain,omitempty"`
}

var _ fnconfig.Spec = (*Spec)(nil)

// Default fills in renewBefore and trustDomain.
func (s *Spec) Default() {
	if s.RenewBefore == "" {
		s.RenewBefore = DefaultRenewBefore
	}
	if s.TrustDomain == "" {
		s.TrustDomain = certchain.DefaultTrustDomain
	}
}

// Validate reports every problem of the spec.
func (s *Spec) Validate() error {
	var errs []error
	if d, err := time.ParseDuration(s.RenewBefore); err != nil {
		errs = append(errs, fnconfig.FieldError("spec.renewBefore", "%q is not a duration: use hours, e.g. 720h for 30 days", s.RenewBefore))
	} else if d < 0 {
		errs = append(errs, fnconfig.FieldError("spec.renewBefore", "%q is negative", s.RenewBefore))
	}
	if err := certchain.CheckTrustDomain(s.TrustDomain); err != nil {
		errs = append(errs, fnconfig.FieldError("spec.trustDomain", "%v", err))
	}
	seen := map[string]bool{}
	for _, b := range s.Bundles {
		switch {
		case seen[b]:
			errs = append(errs, fnconfig.FieldError("spec.bundles", "%q is listed twice", b))
		case len(validation.IsDNS1123Subdomain(b)) > 0:
			errs = append(errs, fnconfig.FieldError("spec.bundles", "%q is not a resource name: %s", b,
				strings.Join(validation.IsDNS1123Subdomain(b), "; ")))
		}
		seen[b] = true
	}
	return errors.Join(errs...)
}

// renewWindow is renewBefore as a duration (Validate has checked it).
func (s *Spec) renewWindow() time.Duration {
	d, _ := time.ParseDuration(s.RenewBefore)
	return d
}

// selects reports whether the config renders the CABundle named name.
func (s *Spec) selects(name string) bool {
	if len(s.Bundles) == 0 {
		return true
	}
	for _, b := range s.Bundles {
		if b == name {
			return true
		}
	}
	return false
}
