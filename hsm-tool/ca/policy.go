package ca

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshfn/meshfn/internal/certchain"
)

// KeyPolicy says which intermediate keys may be certified: the one key policy of
// meshfn's certificate chains (certchain), so hsm-tool never issues what
// generate-ca-secrets would refuse.
type KeyPolicy = certchain.KeyPolicy

// Policy is what SignIntermediate enforces on a CSR and puts in the
// certificate. Zero fields take the defaults documented on each.
type Policy struct {
	// MaxValidity caps the intermediate's lifetime; 0 means 730 days. The
	// root's NotAfter caps it further.
	MaxValidity time.Duration
	// Keys restricts the intermediate's key.
	Keys KeyPolicy
	// SubjectOrganization is the O of the issued subject; "" means "Istio".
	SubjectOrganization string
	// SubjectCommonName is the CN of the issued subject; "" means
	// "Intermediate CA". The cluster name goes in L.
	SubjectCommonName string
	// AllowedDNSSANs are the DNS SANs a CSR may carry: exact names, or
	// "*.suffix" for one more label in front of suffix. nil means
	// istiod.istio-system.svc only; an empty non-nil slice allows none.
	AllowedDNSSANs []string
	// AllowedURISANs are the URI SANs a CSR may carry: exact URIs, or a
	// prefix followed by "*". nil or empty allows none.
	AllowedURISANs []string
}

// withDefaults fills the zero fields and checks the rest.
func (p Policy) withDefaults() (Policy, error) {
	if p.MaxValidity == 0 {
		p.MaxValidity = DefaultIntermediateValidity
	}
	if p.MaxValidity < 0 {
		return p, fmt.Errorf("the policy's maximum validity %v is negative", p.MaxValidity)
	}
	p.Keys = p.Keys.WithDefaults()
	if p.SubjectOrganization == "" {
		p.SubjectOrganization = DefaultOrganization
	}
	if p.SubjectCommonName == "" {
		p.SubjectCommonName = DefaultIntermediateCommonName
	}
	if p.AllowedDNSSANs == nil {
		p.AllowedDNSSANs = []string{DefaultIstiodDNSSAN}
	}
	if err := checkName("organization", p.SubjectOrganization); err != nil {
		return p, fmt.Errorf("the policy's subject %w", err)
	}
	if err := checkName("common name", p.SubjectCommonName); err != nil {
		return p, fmt.Errorf("the policy's subject %w", err)
	}
	return p, nil
}

// dnsAllowed reports whether name matches one of the patterns. Matching is
// case-insensitive; "*.suffix" matches exactly one non-empty label before
// suffix, and a wildcard in name itself only matches the identical pattern.
func dnsAllowed(patterns []string, name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSuffix(p, "."))
		if name == p {
			return true
		}
		suffix, ok := strings.CutPrefix(p, "*.")
		if !ok || strings.HasPrefix(name, "*") {
			continue
		}
		label, ok := strings.CutSuffix(name, "."+suffix)
		if ok && label != "" && !strings.Contains(label, ".") {
			return true
		}
	}
	return false
}

// uriAllowed reports whether uri equals a pattern or starts with the part of a
// pattern before its trailing "*".
func uriAllowed(patterns []string, uri string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(uri, prefix) {
			return true
		}
		if uri == p {
			return true
		}
	}
	return false
}
