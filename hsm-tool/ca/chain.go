package ca

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/meshfn/meshfn/internal/certchain"
)

// Chain returns the PEM files istiod's cacerts Secret takes: ca-cert.pem (the
// intermediate), cert-chain.pem (the intermediate, then the root, as Istio's
// Makefile.selfsigned.mk concatenates them) and root-cert.pem.
func Chain(intermediate, root *x509.Certificate) (caCertPEM, certChainPEM, rootCertPEM []byte) {
	return certchain.EncodePEM(intermediate), certchain.EncodePEM(intermediate, root), certchain.EncodePEM(root)
}

// VerifyChain checks a cert-chain.pem as istiod would before using it, with
// certchain, the check generate-ca-secrets applies too: every PEM block is a
// certificate without headers, the first is a CA allowed to sign certificates,
// the chain (with root appended when it does not end with it) passes
// certchain.Check at now under p.
func VerifyChain(chainPEM []byte, root *x509.Certificate, now time.Time, p certchain.Policy) error {
	if root == nil {
		return fmt.Errorf("failed to verify the chain: no root given")
	}
	certs, err := certchain.ParsePEM(chainPEM)
	if err != nil {
		return fmt.Errorf("failed to verify the chain: %w", err)
	}
	if last := certs[len(certs)-1]; len(certs) == 1 || !isSelfSigned(last) {
		certs = append(certs, root)
	}
	var errs []error
	for _, pr := range certchain.Check(certs, root, now, p) {
		errs = append(errs, fmt.Errorf("%s%s", where(pr), pr.Msg))
	}
	if len(errs) > 0 {
		return fmt.Errorf("failed to verify the chain: %w", errors.Join(errs...))
	}
	return nil
}

// where names the certificate a problem is about, as the chain file counts them.
func where(p certchain.Problem) string {
	switch {
	case p.Role == certchain.Root:
		return "the root: "
	case p.Role == certchain.Order || p.Index < 0:
		return ""
	}
	return fmt.Sprintf("certificate %d: ", p.Index+1)
}

// isSelfSigned reports whether c is signed by its own key.
func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}
