package ca

import (
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"time"
)

// SignIntermediate issues the intermediate CA certificate of one cluster from
// a CSR, signed by root's key through signer (which may live in an HSM).
//
// It refuses the CSR unless its signature verifies, its key passes p.Keys,
// it requests no basic constraints other than CA:TRUE pathlen 0, its subject
// asks for nothing the policy does not issue, and its SANs are allowed (never
// IP or email). The certificate is a CA with pathlen 0, keyUsage
// keyCertSign|cRLSign|digitalSignature, the subject O=<policy>,
// CN=<policy>, L=<cluster>, the CSR's allowed DNS and URI SANs, an SKI, the
// root's SKI as AKI, a random 128-bit serial, and validity from now for
// min(p.MaxValidity, root.NotAfter-now).
func SignIntermediate(csr *x509.CertificateRequest, cluster string, root *x509.Certificate,
	signer crypto.Signer, p Policy, now time.Time, random io.Reader) (*x509.Certificate, error) {
	p, err := p.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("failed to sign the intermediate: %w", err)
	}
	if err := checkName("cluster name", cluster); err != nil {
		return nil, fmt.Errorf("failed to sign the intermediate: %w", err)
	}
	if err := checkRoot(root, signer, now); err != nil {
		return nil, fmt.Errorf("failed to sign the intermediate: %w", err)
	}
	if err := checkCSR(csr, cluster, p); err != nil {
		return nil, fmt.Errorf("failed to sign the intermediate for cluster %q: %w", cluster, err)
	}
	tmpl, err := intermediateTemplate(csr, cluster, root, p, now, random)
	if err != nil {
		return nil, fmt.Errorf("failed to sign the intermediate: %w", err)
	}
	der, err := x509.CreateCertificate(random, tmpl, root, csr.PublicKey, signer)
	if err != nil {
		return nil, fmt.Errorf("failed to sign the intermediate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("failed to parse the issued intermediate: %w", err)
	}
	return cert, nil
}

// intermediateTemplate builds the certificate template from a checked CSR.
func intermediateTemplate(csr *x509.CertificateRequest, cluster string, root *x509.Certificate,
	p Policy, now time.Time, random io.Reader) (*x509.Certificate, error) {
	notAfter := now.Add(p.MaxValidity)
	if root.NotAfter.Before(notAfter) {
		notAfter = root.NotAfter
	}
	serial, err := randomSerial(random)
	if err != nil {
		return nil, err
	}
	ski, err := subjectKeyID(csr.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber:          serial,
		Subject:               issuedSubject(cluster, p),
		NotBefore:             now,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		SubjectKeyId:          ski,
		AuthorityKeyId:        root.SubjectKeyId,
		DNSNames:              normalizeDNSNames(csr.DNSNames),
		URIs:                  csr.URIs,
	}, nil
}

// normalizeDNSNames issues DNS names as a resolver compares them: lower case, without
// a trailing dot, each once, in the CSR's order.
func normalizeDNSNames(names []string) []string {
	var out []string
	for _, n := range names {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// checkRoot requires a root that is a currently valid CA allowed to sign
// CAs, has an SKI, and whose key is the signer's.
func checkRoot(root *x509.Certificate, signer crypto.Signer, now time.Time) error {
	switch {
	case root == nil:
		return fmt.Errorf("no root certificate given")
	case signer == nil:
		return fmt.Errorf("no root signer given")
	case !root.IsCA || !root.BasicConstraintsValid:
		return fmt.Errorf("the root %q is not a CA", describe(root))
	case root.KeyUsage != 0 && root.KeyUsage&x509.KeyUsageCertSign == 0:
		return fmt.Errorf("the root %q may not sign certificates (no keyCertSign)", describe(root))
	case root.MaxPathLen == 0 && root.MaxPathLenZero:
		return fmt.Errorf("the root %q has pathlen 0 and cannot certify an intermediate CA", describe(root))
	case len(root.SubjectKeyId) == 0:
		return fmt.Errorf("the root %q has no subject key identifier to use as authority key identifier", describe(root))
	case now.Before(root.NotBefore):
		return fmt.Errorf("the root %q is not valid until %s", describe(root), root.NotBefore.UTC().Format(time.RFC3339))
	case !now.Before(root.NotAfter):
		return fmt.Errorf("the root %q expired at %s", describe(root), root.NotAfter.UTC().Format(time.RFC3339))
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(root.PublicKey) {
		return fmt.Errorf("the signer's key is not the key of the root %q", describe(root))
	}
	return nil
}

// randomSerial returns a positive random 128-bit serial number.
func randomSerial(random io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, fmt.Errorf("failed to read a random serial: %w", err)
	}
	serial := new(big.Int).SetBytes(b)
	if serial.Sign() == 0 {
		return nil, fmt.Errorf("failed to make a serial: the random source returned zeros")
	}
	return serial, nil
}

// subjectKeyID is RFC 5280 §4.2.1.2 method 1: the SHA-1 of the
// subjectPublicKey BIT STRING, as openssl's subjectKeyIdentifier=hash.
func subjectKeyID(spki []byte) ([]byte, error) {
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(spki, &info); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("failed to read the CSR's public key info")
	}
	sum := sha1.Sum(info.PublicKey.Bytes)
	return sum[:], nil
}

// describe names a certificate in errors.
func describe(c *x509.Certificate) string {
	s := c.Subject.String()
	if strings.TrimSpace(s) == "" {
		s = "serial " + c.SerialNumber.String()
	}
	return s
}
