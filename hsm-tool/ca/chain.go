package ca

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"
)

// Chain returns the PEM files istiod's cacerts Secret takes: ca-cert.pem (the
// intermediate), cert-chain.pem (the intermediate, then the root, as Istio's
// Makefile.selfsigned.mk concatenates them) and root-cert.pem.
func Chain(intermediate, root *x509.Certificate) (caCertPEM, certChainPEM, rootCertPEM []byte) {
	caCertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: intermediate.Raw})
	rootCertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw})
	certChainPEM = append(append([]byte(nil), caCertPEM...), rootCertPEM...)
	return caCertPEM, certChainPEM, rootCertPEM
}

// VerifyChain checks a cert-chain.pem as istiod would before using it: every
// PEM block is a certificate that parses, the first is a CA allowed to sign
// certificates, every certificate and the root are valid at now, and the first
// chains to root through the others (x509.Verify with istiod's options).
func VerifyChain(chainPEM []byte, root *x509.Certificate, now time.Time) error {
	if root == nil {
		return fmt.Errorf("failed to verify the chain: no root given")
	}
	certs, err := parsePEMCertificates(chainPEM)
	if err != nil {
		return fmt.Errorf("failed to verify the chain: %w", err)
	}
	leaf := certs[0]
	if !leaf.IsCA || !leaf.BasicConstraintsValid {
		return fmt.Errorf("failed to verify the chain: certificate 1 (%s) is not a CA", describe(leaf))
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fmt.Errorf("failed to verify the chain: certificate 1 (%s) may not sign certificates (no keyCertSign)", describe(leaf))
	}
	for i, c := range certs {
		if err := checkValidAt(c, now); err != nil {
			return fmt.Errorf("failed to verify the chain: certificate %d %w", i+1, err)
		}
	}
	if err := checkValidAt(root, now); err != nil {
		return fmt.Errorf("failed to verify the chain: the root %w", err)
	}
	if last := certs[len(certs)-1]; len(certs) > 1 && isSelfSigned(last) && !last.Equal(root) {
		return fmt.Errorf("failed to verify the chain: it ends with the root %s, not the expected root %s",
			describe(last), describe(root))
	}
	opts := x509.VerifyOptions{Roots: x509.NewCertPool(), Intermediates: x509.NewCertPool(), CurrentTime: now}
	opts.Roots.AddCert(root)
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := leaf.Verify(opts); err != nil {
		return fmt.Errorf("failed to verify the chain: certificate 1 (%s) does not chain to the root %s: %w",
			describe(leaf), describe(root), err)
	}
	return nil
}

// parsePEMCertificates parses every PEM block of data, refusing non-certificate
// blocks, truncated blocks and stray text.
func parsePEMCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := data
	for n := 1; ; n++ {
		if len(bytes.TrimSpace(rest)) == 0 {
			break
		}
		block, after := pem.Decode(rest)
		if block == nil {
			if bytes.Contains(rest, []byte("-----BEGIN")) {
				return nil, fmt.Errorf("PEM block %d is truncated or malformed", n)
			}
			return nil, fmt.Errorf("unexpected data after PEM block %d", n-1)
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %d is a %q, not a CERTIFICATE", n, block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("failed to parse certificate %d: %w", n, err)
		}
		certs = append(certs, c)
		rest = after
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("no certificate in the chain")
	}
	return certs, nil
}

// checkValidAt says, after "certificate N" or "the root", why c is not valid
// at now.
func checkValidAt(c *x509.Certificate, now time.Time) error {
	if now.Before(c.NotBefore) {
		return fmt.Errorf("(%s) is not valid until %s", describe(c), c.NotBefore.UTC().Format(time.RFC3339))
	}
	if now.After(c.NotAfter) {
		return fmt.Errorf("(%s) expired at %s", describe(c), c.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// isSelfSigned reports whether c is signed by its own key.
func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}
