package csrcrypt

import (
	"fmt"
	"io"
)

// Encrypt seals csrPEM as istiod's HSM plugin does through k8s-kms-plugin
// (GenerateDEK, then AuthenticatedEncrypt with the csr-id as AAD): a fresh
// AES-256 DEK, as a JWK, sealed under the KEK, and the CSR sealed under the
// DEK with the csr-id in the protected header.
//
// random supplies, in this order, the 32 DEK bytes, the 12-byte IV of
// encrypted-dek and the 12-byte IV of encrypted-csr; pass crypto/rand.Reader.
func Encrypt(kekID string, kek AEAD, csrPEM []byte, csrID string, random io.Reader) (*EncryptedCSR, error) {
	switch {
	case kekID == "":
		return nil, fmt.Errorf("failed to encrypt the CSR: no KEK ID")
	case csrID == "":
		return nil, fmt.Errorf("failed to encrypt the CSR: no CSR ID")
	case len(csrPEM) == 0:
		return nil, fmt.Errorf("failed to encrypt the CSR: the CSR is empty")
	case random == nil:
		return nil, fmt.Errorf("failed to encrypt the CSR: no random source")
	}
	if err := checkGCMShape(kek); err != nil {
		return nil, fmt.Errorf("failed to use KEK %q: %w", kekID, err)
	}
	dek := make([]byte, keySize)
	defer clear(dek)
	if _, err := io.ReadFull(random, dek); err != nil {
		return nil, fmt.Errorf("failed to generate the DEK: %w", err)
	}
	jwk, dekKid, err := marshalDEK(dek)
	if err != nil {
		return nil, err
	}
	defer clear(jwk)
	encDEK, err := sealCompact(kek, kekID, nil, jwk, random)
	if err != nil {
		return nil, fmt.Errorf("failed to seal the DEK with KEK %q: %w", kekID, err)
	}
	dekAEAD, err := NewSoftwareAEAD(dek)
	if err != nil {
		return nil, err
	}
	encCSR, err := sealCompact(dekAEAD, dekKid, []byte(csrID), csrPEM, random)
	if err != nil {
		return nil, fmt.Errorf("failed to seal the CSR with the DEK: %w", err)
	}
	return &EncryptedCSR{KEKID: kekID, EncryptedDEK: encDEK, CSRID: csrID, EncryptedCSR: encCSR}, nil
}
