package ceremony

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/meshfn/meshfn/hsm-tool/atomicfile"
	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/hsm"
	"github.com/meshfn/meshfn/internal/cabundle"
)

// RootRequest is what CreateRoot makes.
type RootRequest struct {
	Label     string           // of the key pair and the certificate on the token
	Algorithm hsm.KeyAlgorithm // of the key pair
	Options   ca.RootOptions   // the certificate's subject and validity
	Out       string           // where the certificate is written (PEM)
}

// CreateRoot generates the root key pair on the token, signs its self-signed CA
// certificate with it, stores the certificate beside the key and writes it to r.Out.
// When a step after the key pair fails, the key pair it created (and nothing else,
// whatever its label) is destroyed, so the label is free for another attempt.
func (c *Ceremony) CreateRoot(ctx context.Context, r RootRequest) (*x509.Certificate, error) {
	var cert *x509.Certificate
	err := c.run(ctx, c.entry("root create", []string{r.Label}, r.Out), func(s *step) error {
		serial, err := randomSerial(c.rand())
		if err != nil {
			return err
		}
		tmpl, err := ca.RootTemplate(r.Options, c.now(), serial)
		if err != nil {
			return fmt.Errorf("failed to build the root certificate: %w", err)
		}
		tok, err := s.token()
		if err != nil {
			return err
		}
		cert, err = createRoot(tok, r.Label, r.Algorithm, tmpl, c.rand())
		if err != nil {
			return err
		}
		s.entry.Certificates = map[string]string{"root": cabundle.Fingerprint(cert)}
		return atomicfile.Write(r.Out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), atomicfile.Public)
	})
	if err != nil {
		return nil, err
	}
	return cert, nil
}

// createRoot makes the key pair and the certificate on the token, or nothing.
func createRoot(tok hsm.Store, label string, alg hsm.KeyAlgorithm, tmpl *x509.Certificate, random io.Reader) (*x509.Certificate, error) {
	signer, err := tok.GenerateKeyPair(label, alg)
	if err != nil {
		return nil, fmt.Errorf("failed to generate the root key pair %q: %w", label, err)
	}
	cert, err := selfSign(tok, label, tmpl, signer, random)
	if err != nil {
		if derr := tok.DestroyKeyPair(signer); derr != nil {
			return nil, errors.Join(err, fmt.Errorf("failed to remove the new key pair %q: %w", label, derr))
		}
		return nil, err
	}
	return cert, nil
}

// selfSign signs the root certificate with its key on the token and stores it there.
func selfSign(tok hsm.Store, label string, tmpl *x509.Certificate, signer crypto.Signer, random io.Reader) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(random, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("failed to sign the root certificate on the token: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	if err := tok.ImportCertificate(label, cert); err != nil {
		return nil, fmt.Errorf("failed to store the root certificate on the token: %w", err)
	}
	return cert, nil
}

// randomSerial is a positive random 128-bit serial number.
func randomSerial(random io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, fmt.Errorf("failed to draw a serial number: %w", err)
	}
	b[0] |= 0x40 // never zero, never short
	b[0] &= 0x7f
	return new(big.Int).SetBytes(b), nil
}
