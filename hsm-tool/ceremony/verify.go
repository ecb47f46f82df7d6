package ceremony

import (
	"context"
	"crypto/x509"
	"fmt"

	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/meshfn/meshfn/internal/certchain"
)

// Verify checks the chain in the file chainFile the way istiod does before it loads a
// CA, and the way peers check the workload certificates it issues in the ceremony's
// trust domain, against the root certificate labelled rootLabel on the token.
func (c *Ceremony) Verify(ctx context.Context, chainFile, rootLabel string) error {
	return c.run(ctx, c.entry("verify", []string{rootLabel}, chainFile), func(s *step) error {
		chain, err := readInput(chainFile)
		if err != nil {
			return err
		}
		tok, err := s.token()
		if err != nil {
			return err
		}
		root, err := tok.Certificate(rootLabel)
		if err != nil {
			return fmt.Errorf("failed to find the root certificate %q on the token: %w", rootLabel, err)
		}
		s.entry.Certificates = map[string]string{"root": cabundle.Fingerprint(root)}
		if err := ca.VerifyChain(chain, root, c.now(), c.chainPolicy()); err != nil {
			return fmt.Errorf("%s: %w", chainFile, err)
		}
		return nil
	})
}

// ImportCA stores the CA certificate in the file in on the token, labelled label. An
// existing certificate with that label is never replaced.
func (c *Ceremony) ImportCA(ctx context.Context, in, label string) (*x509.Certificate, error) {
	var cert *x509.Certificate
	err := c.run(ctx, c.entry("ca import", []string{label}, in), func(s *step) error {
		var err error
		if cert, err = readCertificate(in); err != nil {
			return err
		}
		if !cert.IsCA {
			return fmt.Errorf("%s is not a CA certificate", in)
		}
		s.entry.Certificates = map[string]string{label: cabundle.Fingerprint(cert)}
		tok, err := s.token()
		if err != nil {
			return err
		}
		return tok.ImportCertificate(label, cert)
	})
	if err != nil {
		return nil, err
	}
	return cert, nil
}

// readCertificate reads a PEM file holding exactly one certificate and nothing else.
func readCertificate(path string) (*x509.Certificate, error) {
	certs, err := readCertificates(path)
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, fmt.Errorf("%s holds %d certificates: expected one", path, len(certs))
	}
	return certs[0], nil
}

// readCertificates reads a PEM file of certificates strictly (certchain.ParsePEM).
func readCertificates(path string) ([]*x509.Certificate, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, err
	}
	certs, err := certchain.ParsePEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs, nil
}
