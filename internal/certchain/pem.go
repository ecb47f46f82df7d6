// Package certchain is the one place meshfn decides whether a CA certificate chain is
// one istiod can load: how PEM certificates are read (strictly, within limits), written
// (re-encoded from DER), which keys are strong enough, and what makes a chain valid
// (CA and keyUsage of the CA certificate, order, signatures, path lengths counting the
// CA certificate itself, validity, and x509 verification as istiod does it). hsm-tool
// (verify, csr sign, bundle export) and generate-ca-secrets both use it, so they cannot
// disagree.
package certchain

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/meshfn/meshfn/internal/keyscan"
)

// Limits on what one PEM field or file may hold. A CA chain is a handful of
// certificates of a few kilobytes; a Kubernetes Secret holds at most 1 MiB, and the
// plugged-in flow puts three such fields into one.
const (
	MaxPEMBytes     = 64 << 10
	MaxCertificates = 8
)

// ErrPrivateKey is what every error about private key material found where only
// certificates belong wraps (see KeyError).
var ErrPrivateKey = errors.New("private keys never go into Git (keep the key in the HSM, or in the secret store caKey points at)")

// KeyError is the error for key material keyscan found: what it is and where, never
// the key; it wraps ErrPrivateKey.
func KeyError(f keyscan.Finding) error {
	return fmt.Errorf("holds private key material (%s): %w", f, ErrPrivateKey)
}

// ParsePEM reads PEM certificates strictly: only CERTIFICATE blocks with no PEM headers
// (a header can carry anything, a key among them), nothing but white space around them,
// at most MaxPEMBytes and MaxCertificates, each certificate parsing. Errors name the
// block, counted from 1; key material anywhere, in any form keyscan knows, is a KeyError.
func ParsePEM(data []byte) ([]*x509.Certificate, error) {
	if f, ok := keyscan.Find(data); ok {
		return nil, KeyError(f)
	}
	if len(data) > MaxPEMBytes {
		return nil, fmt.Errorf("is %d bytes, more than the %d a CA chain needs", len(data), MaxPEMBytes)
	}
	var certs []*x509.Certificate
	rest := data
	for n := 1; ; n++ {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		if !bytes.HasPrefix(rest, []byte("-----BEGIN ")) {
			if n == 1 {
				return nil, errors.New("not PEM: expected -----BEGIN CERTIFICATE-----")
			}
			return nil, fmt.Errorf("text after PEM block %d: only PEM certificates belong here", n-1)
		}
		if n > MaxCertificates {
			return nil, fmt.Errorf("holds more than %d certificates: a CA chain has a few", MaxCertificates)
		}
		block, next := pem.Decode(rest)
		consumed := rest[:len(rest)-len(next)]
		// pem.Decode skips a block it cannot decode and returns the next one; a block
		// that consumed two BEGIN lines means the first one was cut short.
		if block == nil || bytes.Count(consumed, []byte("-----BEGIN ")) > 1 {
			return nil, fmt.Errorf("PEM block %d is truncated or corrupt (no matching -----END line, or bad base64)", n)
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %d is a %s: only certificates belong here", n, block.Type)
		}
		if len(block.Headers) > 0 {
			return nil, fmt.Errorf("PEM block %d has headers: a certificate has none (they can hide anything)", n)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d is not a valid certificate (truncated?): %v", n, err)
		}
		certs = append(certs, cert)
		rest = next
	}
	if len(certs) == 0 {
		return nil, errors.New("holds no certificate")
	}
	return certs, nil
}

// EncodePEM writes certificates as PEM from their DER encoding: whatever surrounded
// them where they were read (headers, text, other line breaks) is gone.
func EncodePEM(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}
