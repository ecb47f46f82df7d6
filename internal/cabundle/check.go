package cabundle

import (
	"crypto/x509"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/meshfn/meshfn/internal/certchain"
	"github.com/meshfn/meshfn/internal/keyscan"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Check validates a bundle the way istiod validates its CA files before it loads them, and
// a little more, so that a bad bundle fails at render time instead of in the cluster:
//
//   - every PEM field parses strictly and within limits (certchain.ParsePEM: a truncated
//     block, a PEM header, text around the blocks are errors naming the field), and holds
//     certificates only: private key material anywhere, in any form keyscan knows, is
//     an error;
//   - caCert is one certificate and certChain starts with it; rootCert is one certificate;
//   - the chain passes certchain.Check under p, the check hsm-tool applies too: caCert a
//     CA with keyCertSign, rootCert a self-signed CA, every key strong enough, the order
//     and signatures, path lengths counting caCert, validity at now, x509 verification
//     as istiod's keycertbundle.Verify, and a workload certificate of p's trust domain
//     verifying for client and server auth;
//   - a certificate that expires within renewBefore is a warning;
//   - fingerprints and notAfter, when present, match the certificates (a mismatch means
//     the bundle was edited after hsm-tool wrote it);
//   - flow is hsm-plugin or plugged-in; a plugged-in bundle names its key in
//     caKey.externalSecret, an hsm-plugin bundle has no caKey.
//
// It returns the warnings and every problem found (errors.Join of *FieldError).
func Check(b *CABundle, now time.Time, renewBefore time.Duration, p certchain.Policy) (warnings []string, err error) {
	errs := checkFields(b)
	caCert, chain, root, certErrs := parseChain(b.Spec)
	errs = append(errs, certErrs...)
	if len(certErrs) > 0 {
		return nil, joinErrs(errs)
	}
	warnings, chainErrs := checkChain(caCert, chain, root, now, renewBefore, p)
	errs = append(errs, chainErrs...)
	errs = append(errs, checkRecorded(b.Spec, caCert, root)...)
	return warnings, joinErrs(errs)
}

// checkFields checks what the bundle says besides its certificates: its kind, its name,
// cluster and namespace, its flow, and that no field but the PEM fields holds a key.
func checkFields(b *CABundle) []error {
	var errs []error
	fail := func(field, format string, args ...any) { errs = append(errs, fieldErr(field, format, args...)) }

	if b.APIVersion != "" && b.APIVersion != APIVersion || b.Kind != "" && b.Kind != Kind {
		fail("apiVersion", "expected apiVersion %s, kind %s; got %q, %q", APIVersion, Kind, b.APIVersion, b.Kind)
	}
	if b.Metadata.Name == "" {
		fail("metadata.name", "required")
	} else if msgs := validation.IsDNS1123Subdomain(b.Metadata.Name); len(msgs) > 0 {
		fail("metadata.name", "%q: %s", b.Metadata.Name, strings.Join(msgs, "; "))
	}
	s := b.Spec
	if s.Cluster == "" {
		fail("spec.cluster", "required")
	}
	if s.Namespace == "" {
		fail("spec.namespace", "required: the control-plane namespace the Secrets go to")
	} else if msgs := validation.IsDNS1123Label(s.Namespace); len(msgs) > 0 {
		fail("spec.namespace", "%q: %s", s.Namespace, strings.Join(msgs, "; "))
	}
	errs = append(errs, checkFlow(s)...)
	// The PEM fields are read by parseChain; a key anywhere else is found here.
	walkStrings(reflect.ValueOf(*b), "", func(field, v string) {
		if f, ok := keyscan.FindString(v); ok && !pemFields[field] {
			errs = append(errs, keyErr(field, "", f))
		}
	})
	return errs
}

// parseChain reads the PEM fields: one CA certificate, the chain, one root. errs holds
// every problem; the certificates are only set when there is none.
func parseChain(s Spec) (caCert *x509.Certificate, chain []*x509.Certificate, root *x509.Certificate, errs []error) {
	ca, caErr := ParseCertificates("spec.caCert", s.CACert)
	chain, chainErr := ParseCertificates("spec.certChain", s.CertChain)
	roots, rootErr := ParseCertificates("spec.rootCert", s.RootCert)
	for _, e := range []error{caErr, chainErr, rootErr} {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if caErr == nil && len(ca) != 1 {
		errs = append(errs, fieldErr("spec.caCert", "holds %d certificates: expected one, the CA certificate istiod signs with", len(ca)))
	}
	if rootErr == nil && len(roots) != 1 {
		errs = append(errs, fieldErr("spec.rootCert", "holds %d certificates: expected one, the root", len(roots)))
	}
	if len(errs) > 0 {
		return nil, nil, nil, errs
	}
	return ca[0], chain, roots[0], nil
}

// checkChain checks the chain: caCert first, then what certchain checks for hsm-tool
// too; a certificate that expires within renewBefore is a warning.
func checkChain(caCert *x509.Certificate, chain []*x509.Certificate, root *x509.Certificate, now time.Time,
	renewBefore time.Duration, p certchain.Policy) (warnings []string, errs []error) {
	if !chain[0].Equal(caCert) {
		return nil, []error{fieldErr("spec.certChain", "must start with caCert (%s), starts with %s", name(caCert), name(chain[0]))}
	}
	for _, pr := range certchain.Check(chain, root, now, p) {
		errs = append(errs, fieldErr(fieldOf(pr.Role, pr.Index), "%s", pr.Msg))
	}
	for _, l := range certchain.Certificates(chain, root) {
		if l.Cert.NotAfter.After(now) && l.Cert.NotAfter.Sub(now) < renewBefore {
			warnings = append(warnings, fmt.Sprintf("%s: %s expires on %s, within renewBefore (%s): export a renewed bundle with hsm-tool",
				fieldOf(l.Role, l.Index), name(l.Cert), FormatTime(l.Cert.NotAfter), FormatDuration(renewBefore)))
		}
	}
	return warnings, errs
}

// checkRecorded checks that the informational fields (fingerprints, notAfter) still
// describe the certificates.
func checkRecorded(s Spec, caCert, root *x509.Certificate) []error {
	var errs []error
	fail := func(field, format string, args ...any) { errs = append(errs, fieldErr(field, format, args...)) }
	if f := s.Fingerprints; f != nil {
		if f.CACert != "" && normalizeFingerprint(f.CACert) != normalizeFingerprint(Fingerprint(caCert)) {
			fail("spec.fingerprints.caCert", "%s does not match caCert (%s): the bundle was edited after export", f.CACert, Fingerprint(caCert))
		}
		if f.RootCert != "" && normalizeFingerprint(f.RootCert) != normalizeFingerprint(Fingerprint(root)) {
			fail("spec.fingerprints.rootCert", "%s does not match rootCert (%s): the bundle was edited after export", f.RootCert, Fingerprint(root))
		}
	}
	if s.NotAfter != "" {
		if t, err := time.Parse(time.RFC3339, s.NotAfter); err != nil {
			fail("spec.notAfter", "%q is not an RFC 3339 time (e.g. 2028-11-21T00:00:00Z)", s.NotAfter)
		} else if !t.Equal(caCert.NotAfter) {
			fail("spec.notAfter", "%s does not match caCert, which expires on %s: the bundle was edited after export",
				s.NotAfter, FormatTime(caCert.NotAfter))
		}
	}
	return errs
}

var pemFields = map[string]bool{"spec.caCert": true, "spec.certChain": true, "spec.rootCert": true}

// walkStrings calls fn with every string in v (a struct of the CABundle's types), named by
// its JSON path.
func walkStrings(v reflect.Value, path string, fn func(field, value string)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkStrings(v.Elem(), path, fn)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
				walkStrings(v.Field(i), join(path, name), fn)
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			fn(path, k.String())
			walkStrings(v.MapIndex(k), join(path, k.String()), fn)
		}
	case reflect.String:
		fn(path, v.String())
	}
}

func checkFlow(s Spec) []error {
	var errs []error
	fail := func(field, format string, args ...any) { errs = append(errs, fieldErr(field, format, args...)) }
	switch s.Flow {
	case FlowHSMPlugin:
		if s.CAKey != nil {
			fail("spec.caKey", "not allowed with flow %s: the key stays in the HSM", FlowHSMPlugin)
		}
	case FlowPluggedIn:
		if s.CAKey == nil || s.CAKey.ExternalSecret == nil {
			fail("spec.caKey.externalSecret", "required with flow %s: where the External Secrets Operator reads ca-key.pem from", FlowPluggedIn)
			break
		}
		ref := s.CAKey.ExternalSecret
		if ref.SecretStoreRef.Name == "" {
			fail("spec.caKey.externalSecret.secretStoreRef.name", "required")
		} else if msgs := validation.IsDNS1123Subdomain(ref.SecretStoreRef.Name); len(msgs) > 0 {
			fail("spec.caKey.externalSecret.secretStoreRef.name", "%q: %s", ref.SecretStoreRef.Name, strings.Join(msgs, "; "))
		}
		switch ref.SecretStoreRef.Kind {
		case "", "SecretStore", "ClusterSecretStore":
		default:
			fail("spec.caKey.externalSecret.secretStoreRef.kind", "%q is not SecretStore or ClusterSecretStore", ref.SecretStoreRef.Kind)
		}
		if ref.RemoteRef.Key == "" {
			fail("spec.caKey.externalSecret.remoteRef.key", "required")
		}
	case "":
		fail("spec.flow", "required: one of %s", strings.Join(Flows, ", "))
	default:
		fail("spec.flow", "%q is not one of %s", s.Flow, strings.Join(Flows, ", "))
	}
	return errs
}

// fieldOf names the field a certificate of the chain is checked under.
func fieldOf(r certchain.Role, index int) string {
	switch {
	case r == certchain.CA:
		return "spec.caCert"
	case r == certchain.Root:
		return "spec.rootCert"
	case r == certchain.Intermediate && index >= 0:
		return fmt.Sprintf("spec.certChain[%d]", index)
	}
	return "spec.certChain"
}

// name is how messages name a certificate.
func name(c *x509.Certificate) string { return certchain.Name(c) }

func normalizeFingerprint(s string) string {
	return strings.ToUpper(strings.NewReplacer(":", "", " ", "").Replace(s))
}

// FormatDuration writes a duration in whole hours when it is one ("720h"), as configs
// usually write it.
func FormatDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}
