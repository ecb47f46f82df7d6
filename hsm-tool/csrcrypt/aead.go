package csrcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
)

// AEAD is an authenticated cipher whose key may stay inside an HSM.
//
// Seal returns the ciphertext followed by the authentication tag
// (len(plaintext)+Overhead() bytes); Open takes that same concatenation. For
// the A256GCM JWEs of this package NonceSize must be 12 and Overhead 16.
type AEAD interface {
	NonceSize() int
	Overhead() int
	Seal(nonce, plaintext, additionalData []byte) ([]byte, error)
	Open(nonce, ciphertext, additionalData []byte) ([]byte, error)
}

const (
	keySize   = 32 // AES-256
	nonceSize = 12 // RFC 7518 §5.3: 96-bit IV
	tagSize   = 16 // RFC 7518 §5.3: 128-bit tag
)

// softwareAEAD adapts a crypto/cipher AES-GCM to AEAD.
type softwareAEAD struct{ gcm cipher.AEAD }

// NewSoftwareAEAD returns an AES-256-GCM AEAD over a key held in memory. It
// stands in for an HSM-held KEK in tests and software-only setups, and is what
// this package uses for the DEK.
func NewSoftwareAEAD(key []byte) (AEAD, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("failed to create AES-256-GCM: key is %d bytes, want %d", len(key), keySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("failed to create AES cipher: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("failed to create GCM: %w", err)
	}
	return softwareAEAD{gcm: gcm}, nil
}

func (s softwareAEAD) NonceSize() int { return s.gcm.NonceSize() }
func (s softwareAEAD) Overhead() int  { return s.gcm.Overhead() }

func (s softwareAEAD) Seal(nonce, plaintext, additionalData []byte) ([]byte, error) {
	if len(nonce) != s.gcm.NonceSize() {
		return nil, fmt.Errorf("failed to seal: nonce is %d bytes, want %d", len(nonce), s.gcm.NonceSize())
	}
	return s.gcm.Seal(nil, nonce, plaintext, additionalData), nil
}

func (s softwareAEAD) Open(nonce, ciphertext, additionalData []byte) ([]byte, error) {
	if len(nonce) != s.gcm.NonceSize() {
		return nil, fmt.Errorf("failed to open: nonce is %d bytes, want %d", len(nonce), s.gcm.NonceSize())
	}
	out, err := s.gcm.Open(nil, nonce, ciphertext, additionalData)
	if err != nil {
		return nil, fmt.Errorf("failed to open: %w", err)
	}
	return out, nil
}

// checkGCMShape refuses an AEAD that cannot produce or open A256GCM JWEs.
func checkGCMShape(a AEAD) error {
	if a == nil {
		return fmt.Errorf("no AEAD given")
	}
	if a.NonceSize() != nonceSize || a.Overhead() != tagSize {
		return fmt.Errorf("AEAD has %d-byte nonces and %d-byte tags; A256GCM needs %d and %d",
			a.NonceSize(), a.Overhead(), nonceSize, tagSize)
	}
	return nil
}
