//go:build !cgo

package hsm

import (
	"crypto"
	"crypto/x509"
)

// Token is a PKCS#11 token session. This binary was built without cgo, so no
// Token can be opened: Open always fails with ErrNoPKCS11. Rebuild with
// CGO_ENABLED=1 (and a C compiler) to talk to an HSM.
type Token struct{}

var _ Store = (*Token)(nil)

// Open fails with ErrNoPKCS11: PKCS#11 needs cgo. It zeroes cfg.PIN, as the
// cgo build does on failure.
func Open(cfg Config) (*Token, error) {
	clear(cfg.PIN)
	return nil, ErrNoPKCS11
}

// Close does nothing.
func (t *Token) Close() error { return nil }

// Info fails with ErrNoPKCS11.
func (t *Token) Info() (Info, error) { return Info{}, ErrNoPKCS11 }

// Objects fails with ErrNoPKCS11.
func (t *Token) Objects() ([]Object, error) { return nil, ErrNoPKCS11 }

// GenerateKEK fails with ErrNoPKCS11.
func (t *Token) GenerateKEK(string) error { return ErrNoPKCS11 }

// KEK fails with ErrNoPKCS11.
func (t *Token) KEK(string) (AEAD, error) { return nil, ErrNoPKCS11 }

// GenerateKeyPair fails with ErrNoPKCS11.
func (t *Token) GenerateKeyPair(string, KeyAlgorithm) (crypto.Signer, error) {
	return nil, ErrNoPKCS11
}

// Signer fails with ErrNoPKCS11.
func (t *Token) Signer(string) (crypto.Signer, error) { return nil, ErrNoPKCS11 }

// ImportCertificate fails with ErrNoPKCS11.
func (t *Token) ImportCertificate(string, *x509.Certificate) error { return ErrNoPKCS11 }

// Certificate fails with ErrNoPKCS11.
func (t *Token) Certificate(string) (*x509.Certificate, error) { return nil, ErrNoPKCS11 }

// DestroyKeyPair reports ErrNoPKCS11.
func (t *Token) DestroyKeyPair(crypto.Signer) error { return ErrNoPKCS11 }

// DestroyCertificate reports ErrNoPKCS11.
func (t *Token) DestroyCertificate(string) error { return ErrNoPKCS11 }
