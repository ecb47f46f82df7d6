package ca

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Defaults, from Istio's tools/certs/common.mk.
const (
	DefaultOrganization           = "Istio"                   // ROOTCA_ORG, INTERMEDIATE_ORG
	DefaultRootCommonName         = "Root CA"                 // ROOTCA_CN
	DefaultIntermediateCommonName = "Intermediate CA"         // INTERMEDIATE_CN
	DefaultIstiodDNSSAN           = "istiod.istio-system.svc" // INTERMEDIATE_SAN_DNS
	DefaultRootValidity           = 3650 * 24 * time.Hour     // ROOTCA_DAYS
	DefaultIntermediateValidity   = 730 * 24 * time.Hour      // INTERMEDIATE_DAYS
	maxSerialBytes                = 20                        // RFC 5280 §4.1.2.2
	maxNameLength                 = 64                        // RFC 5280 ub-common-name, ub-organization-name (L allows 128)
)

// RootOptions chooses the root's subject and lifetime; zero fields take the
// defaults above.
type RootOptions struct {
	CommonName   string
	Organization string
	Validity     time.Duration
}

// RootTemplate returns the template of a self-signed root CA, to be signed by
// the root key: x509.CreateCertificate(rand, tmpl, tmpl, hsmKey.Public(),
// hsmKey). It is valid from now for opts.Validity, is a CA without a path
// length limit, may sign certificates and CRLs, and gets its SKI from
// CreateCertificate, which derives one for CA templates.
func RootTemplate(opts RootOptions, now time.Time, serial *big.Int) (*x509.Certificate, error) {
	opts = opts.withDefaults()
	if err := checkSerial(serial); err != nil {
		return nil, fmt.Errorf("failed to build the root template: %w", err)
	}
	if opts.Validity <= 0 {
		return nil, fmt.Errorf("failed to build the root template: validity %v is not positive", opts.Validity)
	}
	if err := checkName("common name", opts.CommonName); err != nil {
		return nil, fmt.Errorf("failed to build the root template: %w", err)
	}
	if err := checkName("organization", opts.Organization); err != nil {
		return nil, fmt.Errorf("failed to build the root template: %w", err)
	}
	return &x509.Certificate{
		SerialNumber:          new(big.Int).Set(serial),
		Subject:               pkix.Name{Organization: []string{opts.Organization}, CommonName: opts.CommonName},
		NotBefore:             now,
		NotAfter:              now.Add(opts.Validity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            -1,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil
}

func (o RootOptions) withDefaults() RootOptions {
	if o.CommonName == "" {
		o.CommonName = DefaultRootCommonName
	}
	if o.Organization == "" {
		o.Organization = DefaultOrganization
	}
	if o.Validity == 0 {
		o.Validity = DefaultRootValidity
	}
	return o
}

// checkSerial requires a positive serial of at most 20 octets.
func checkSerial(serial *big.Int) error {
	if serial == nil || serial.Sign() <= 0 {
		return fmt.Errorf("the serial number must be positive")
	}
	if (serial.BitLen()+8)/8 > maxSerialBytes { // DER adds a 0 byte when the top bit is set
		return fmt.Errorf("the serial number is longer than %d octets", maxSerialBytes)
	}
	return nil
}

// checkName refuses empty, over-long or control-character subject values.
func checkName(what, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return fmt.Errorf("the %s is empty", what)
	case len(v) > maxNameLength:
		return fmt.Errorf("the %s %q is longer than %d characters", what, v, maxNameLength)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("the %s %q contains control characters", what, v)
	}
	return nil
}
