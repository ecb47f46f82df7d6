package cabundle

import (
	"crypto/x509"
	"errors"
	"strings"

	"github.com/meshfn/meshfn/internal/certchain"
)

// ParseCertificates reads the PEM certificates of one field with certchain.ParsePEM:
// only CERTIFICATE blocks without headers, nothing around them, within its limits. A
// problem is an error naming the field and the block (counted from 1).
func ParseCertificates(field, s string) ([]*x509.Certificate, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fieldErr(field, "required: PEM certificates")
	}
	certs, err := certchain.ParsePEM([]byte(s))
	if errors.Is(err, certchain.ErrPrivateKey) {
		return nil, &FieldError{Field: field, Msg: err.Error(), err: certchain.ErrPrivateKey}
	}
	if err != nil {
		return nil, fieldErr(field, "%v", err)
	}
	return certs, nil
}

// Canonical returns the bundle's certificate fields re-encoded from DER, as the Secrets
// carry them: nothing that was around or inside the PEM blocks (headers, text) survives.
// The bundle must have passed Check.
func (b *CABundle) Canonical() (caCert, certChain, rootCert string, err error) {
	out := make([]string, 3)
	for i, f := range []struct{ field, value string }{
		{"spec.caCert", b.Spec.CACert}, {"spec.certChain", b.Spec.CertChain}, {"spec.rootCert", b.Spec.RootCert},
	} {
		certs, err := ParseCertificates(f.field, f.value)
		if err != nil {
			return "", "", "", err
		}
		out[i] = string(certchain.EncodePEM(certs...))
	}
	return out[0], out[1], out[2], nil
}
