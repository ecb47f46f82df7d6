package ca

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
)

var oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}

// ParseCSR reads exactly one PEM "CERTIFICATE REQUEST" (or openssl's older
// "NEW CERTIFICATE REQUEST") block, as csrcrypt.Decrypt returns it, and
// nothing else: no text before or after it, no PEM headers, no second block.
// It does not check the signature; SignIntermediate does.
func ParseCSR(pemBytes []byte) (*x509.CertificateRequest, error) {
	trimmed := bytes.TrimLeft(pemBytes, " \t\r\n")
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN ")) {
		return nil, fmt.Errorf("failed to parse the CSR: no PEM block at the start (expected -----BEGIN CERTIFICATE REQUEST-----)")
	}
	block, rest := pem.Decode(trimmed)
	if block == nil {
		return nil, fmt.Errorf("failed to parse the CSR: the PEM block is truncated or corrupt")
	}
	if block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
		return nil, fmt.Errorf("failed to parse the CSR: the PEM block is a %q, not a CERTIFICATE REQUEST", block.Type)
	}
	if len(block.Headers) > 0 {
		return nil, fmt.Errorf("failed to parse the CSR: the PEM block has headers; a CSR has none")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("failed to parse the CSR: unexpected data after the PEM block (one CSR per file)")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("failed to parse the CSR: %w", err)
	}
	return csr, nil
}

// checkCSR applies the policy to a CSR: its signature, key, requested basic
// constraints, subject and SANs.
func checkCSR(csr *x509.CertificateRequest, cluster string, p Policy) error {
	if csr == nil {
		return fmt.Errorf("no CSR given")
	}
	if err := csr.CheckSignature(); err != nil {
		return fmt.Errorf("the CSR's signature does not verify: %w", err)
	}
	if err := p.Keys.Check(csr.PublicKey); err != nil {
		return fmt.Errorf("the CSR's key is refused: %w", err)
	}
	if err := checkRequestedBasicConstraints(csr.Extensions); err != nil {
		return err
	}
	if err := checkRequestedSubject(csr.Subject, issuedSubject(cluster, p)); err != nil {
		return err
	}
	return checkRequestedSANs(csr, p)
}

// checkRequestedBasicConstraints allows a CSR to request nothing, or CA:TRUE
// with pathlen 0 (what Istio's intermediate.conf requests). A larger or
// absent (unlimited) path length, or CA:FALSE, is refused.
func checkRequestedBasicConstraints(exts []pkix.Extension) error {
	for _, ext := range exts {
		if !ext.Id.Equal(oidBasicConstraints) {
			continue
		}
		var bc struct {
			IsCA       bool `asn1:"optional"`
			MaxPathLen int  `asn1:"optional,default:-1"`
		}
		rest, err := asn1.Unmarshal(ext.Value, &bc)
		if err != nil || len(rest) != 0 {
			return fmt.Errorf("the CSR's basicConstraints extension is malformed")
		}
		switch {
		case !bc.IsCA:
			return fmt.Errorf("the CSR requests basicConstraints CA:FALSE, but an intermediate CA is issued")
		case bc.MaxPathLen < 0:
			return fmt.Errorf("the CSR requests an unlimited CA path length; only pathlen 0 is issued")
		case bc.MaxPathLen > 0:
			return fmt.Errorf("the CSR requests CA path length %d; only pathlen 0 is issued", bc.MaxPathLen)
		}
	}
	return nil
}

// issuedSubject is the intermediate's subject: O and CN from the policy, L
// the cluster.
func issuedSubject(cluster string, p Policy) pkix.Name {
	return pkix.Name{
		Organization: []string{p.SubjectOrganization},
		CommonName:   p.SubjectCommonName,
		Locality:     []string{cluster},
	}
}

// checkRequestedSubject requires every attribute of the CSR's subject to be
// one the issued subject has, with the same value: a CSR may ask for less
// than the policy gives, never for something else.
func checkRequestedSubject(requested, issued pkix.Name) error {
	want := map[string]string{}
	for _, atv := range issued.ToRDNSequence() {
		for _, a := range atv {
			want[a.Type.String()] = fmt.Sprint(a.Value)
		}
	}
	for _, a := range requested.Names { // every parsed attribute, known or not
		got := fmt.Sprint(a.Value)
		name := attributeName(a.Type)
		w, ok := want[a.Type.String()]
		if !ok {
			return fmt.Errorf("the CSR's subject has %s=%q, which the policy does not issue", name, got)
		}
		if got != w {
			return fmt.Errorf("the CSR's subject has %s=%q; the policy issues %s=%q", name, got, name, w)
		}
	}
	return nil
}

// attributeName gives the short name of a subject attribute.
func attributeName(oid asn1.ObjectIdentifier) string {
	names := map[string]string{"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST",
		"2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.5": "serialNumber", "2.5.4.9": "street"}
	if n, ok := names[oid.String()]; ok {
		return n
	}
	return oid.String()
}

// checkRequestedSANs refuses IP and email SANs and any DNS or URI SAN the
// policy does not list.
func checkRequestedSANs(csr *x509.CertificateRequest, p Policy) error {
	if len(csr.IPAddresses) > 0 {
		return fmt.Errorf("the CSR requests IP SANs %v; an intermediate CA gets none", csr.IPAddresses)
	}
	if len(csr.EmailAddresses) > 0 {
		return fmt.Errorf("the CSR requests email SANs %q; an intermediate CA gets none", csr.EmailAddresses)
	}
	for _, name := range csr.DNSNames {
		if !dnsAllowed(p.AllowedDNSSANs, name) {
			return fmt.Errorf("the CSR requests DNS SAN %q, which the policy does not allow (allowed: %q)", name, p.AllowedDNSSANs)
		}
	}
	for _, u := range csr.URIs {
		if !uriAllowed(p.AllowedURISANs, u.String()) {
			return fmt.Errorf("the CSR requests URI SAN %q, which the policy does not allow (allowed: %q)", u, p.AllowedURISANs)
		}
	}
	return nil
}
