package hsm

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"io"
)

// softAEAD is SoftStore's AEAD: Go's AES-256-GCM behind the AEAD contract.
type softAEAD struct {
	gcm cipher.AEAD
}

// newSoftAEAD builds AES-GCM with key.
func newSoftAEAD(key []byte) (AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("failed to create AES cipher: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("failed to create AES-GCM: %w", err)
	}
	return softAEAD{gcm: gcm}, nil
}

// NonceSize returns 12.
func (a softAEAD) NonceSize() int { return gcmNonceSize }

// Overhead returns 16.
func (a softAEAD) Overhead() int { return gcmTagSize }

// Seal returns ciphertext||tag.
func (a softAEAD) Seal(nonce, plaintext, additionalData []byte) ([]byte, error) {
	if err := checkNonce(nonce); err != nil {
		return nil, fmt.Errorf("failed to seal: %w", err)
	}
	return a.gcm.Seal(nil, nonce, plaintext, additionalData), nil
}

// Open authenticates and decrypts ciphertext||tag.
func (a softAEAD) Open(nonce, ciphertext, additionalData []byte) ([]byte, error) {
	if err := checkNonce(nonce); err != nil {
		return nil, fmt.Errorf("failed to open: %w", err)
	}
	pt, err := a.gcm.Open(nil, nonce, ciphertext, additionalData)
	if err != nil {
		return nil, fmt.Errorf("failed to open: %w", ErrDecrypt)
	}
	return pt, nil
}

// checkNonce enforces the 12-byte GCM nonce both implementations use.
func checkNonce(nonce []byte) error {
	if len(nonce) != gcmNonceSize {
		return fmt.Errorf("nonce is %d bytes, AES-GCM here needs %d", len(nonce), gcmNonceSize)
	}
	return nil
}

// softSigner is SoftStore's signer: a Go key that accepts exactly the
// requests the token signer accepts.
type softSigner struct {
	key     crypto.Signer
	store   *SoftStore    // set by GenerateKeyPair
	objects []*softObject // the objects GenerateKeyPair created, for DestroyKeyPair
}

// Public returns the public key.
func (s softSigner) Public() crypto.PublicKey { return s.key.Public() }

// Sign validates the request like the token signer, then signs with Go's
// crypto. The rand argument is ignored in favour of crypto/rand, as a token
// ignores it.
func (s softSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, err := planSignature(s.key.Public(), digest, opts); err != nil {
		return nil, err
	}
	sig, err := s.key.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("failed to sign: %w", err)
	}
	return sig, nil
}
