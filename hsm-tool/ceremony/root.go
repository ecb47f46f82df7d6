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
// r.Out is checked before the token is opened, so a path that would be refused leaves
// the token untouched; when anything after the key pair fails (writing r.Out
// included), the key pair and certificate this run created, and nothing else whatever
// its label, are destroyed, so the label is free for another attempt.
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
		if err := atomicfile.Check(r.Out); err != nil {
			return err
		}
		tok, err := s.token()
		if err != nil {
			return err
		}
		var undo func() error
		cert, undo, err = createRoot(tok, r.Label, r.Algorithm, tmpl, c.rand())
		if err != nil {
			return err
		}
		s.entry.Certificates = map[string]string{"root": cabundle.Fingerprint(cert)}
		if err := atomicfile.Write(r.Out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), atomicfile.Public); err != nil {
			cert = nil
			return errors.Join(err, undo())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cert, nil
}

// createRoot makes the key pair and the certificate on the token, or nothing. undo
// destroys both, by handle.
func createRoot(tok hsm.Store, label string, alg hsm.KeyAlgorithm, tmpl *x509.Certificate, random io.Reader) (cert *x509.Certificate, undo func() error, err error) {
	signer, err := tok.GenerateKeyPair(label, alg)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to generate the root key pair %q: %w", label, err)
	}
	destroyKeys := func() error {
		if err := tok.DestroyKeyPair(signer); err != nil {
			return fmt.Errorf("failed to remove the new key pair %q: %w", label, err)
		}
		return nil
	}
	cert, err = selfSign(tok, label, tmpl, signer, random)
	if err != nil {
		return nil, nil, errors.Join(err, destroyKeys())
	}
	undo = func() error {
		var errs []error
		if err := tok.DestroyCertificate(label); err != nil {
			errs = append(errs, fmt.Errorf("failed to remove the new certificate %q: %w", label, err))
		}
		return errors.Join(append(errs, destroyKeys())...)
	}
	return cert, undo, nil
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
