package cabundle

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"strings"
)

// ParseCertificates reads the PEM certificates of one field. Everything in it must be a
// CERTIFICATE block: a truncated block, text outside the blocks, a block of another type
// (a private key above all) or a certificate that does not parse is an error naming the
// field and the block (counted from 1).
func ParseCertificates(field, s string) ([]*x509.Certificate, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fieldErr(field, "required: PEM certificates")
	}
	var certs []*x509.Certificate
	rest := []byte(s)
	for n := 1; ; n++ {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		if !bytes.HasPrefix(rest, []byte("-----BEGIN ")) {
			if n == 1 {
				return nil, fieldErr(field, "not PEM: expected -----BEGIN CERTIFICATE-----")
			}
			return nil, fieldErr(field, "text after PEM block %d: only PEM certificates belong here", n-1)
		}
		block, next := pem.Decode(rest)
		consumed := rest[:len(rest)-len(next)]
		// pem.Decode skips a block it cannot decode and returns the next one; a block
		// that consumed two BEGIN lines means the first one was cut short.
		if block == nil || bytes.Count(consumed, []byte("-----BEGIN ")) > 1 {
			return nil, fieldErr(field, "PEM block %d is truncated or corrupt (no matching -----END line, or bad base64)", n)
		}
		if privateKeyPEM.Match(consumed) {
			return nil, fieldErr(field, "%s", errPrivateKey)
		}
		if block.Type != "CERTIFICATE" {
			return nil, fieldErr(field, "PEM block %d is a %s: only certificates belong here", n, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fieldErr(field, "PEM block %d is not a valid certificate (truncated?): %v", n, err)
		}
		certs = append(certs, cert)
		rest = next
	}
	return certs, nil
}
