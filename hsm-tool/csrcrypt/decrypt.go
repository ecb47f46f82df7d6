package csrcrypt

import (
	"crypto/subtle"
	"fmt"
)

// OpenError reports that a sealed value did not authenticate: the key is not
// the one it was sealed with, or the data was changed. Err is the cause the
// cipher (or HSM) gave.
type OpenError struct {
	Part  string // FieldEncryptedDEK or FieldEncryptedCSR
	KEKID string
	Err   error
}

func (e *OpenError) Error() string {
	if e.Part == FieldEncryptedDEK {
		return fmt.Sprintf("the encrypted DEK does not open with KEK %q: wrong KEK or tampered data", e.KEKID)
	}
	return fmt.Sprintf("the encrypted CSR does not open with the DEK sealed under KEK %q: tampered data", e.KEKID)
}

func (e *OpenError) Unwrap() error { return e.Err }

// Decrypt opens the encrypted DEK with the KEK, then the CSR with the DEK,
// checks that the CSR was sealed for this csr-id, and returns the CSR (PEM, as
// istiod wrote it). On any failure it returns no plaintext; a wrong KEK or
// tampered value gives an *OpenError.
func Decrypt(e *EncryptedCSR, kek AEAD) ([]byte, error) {
	dekJWE, csrJWE, err := e.parse()
	if err != nil {
		return nil, fmt.Errorf("failed to decrypt the CSR: %w", err)
	}
	if err := checkGCMShape(kek); err != nil {
		return nil, fmt.Errorf("failed to use KEK %q: %w", e.KEKID, err)
	}
	if dekJWE.kid != e.KEKID {
		return nil, fmt.Errorf("failed to decrypt the CSR: %q was sealed with KEK %q, but %q is %q",
			FieldEncryptedDEK, dekJWE.kid, FieldKEKID, e.KEKID)
	}
	jwk, err := dekJWE.open(kek)
	if err != nil {
		return nil, &OpenError{Part: FieldEncryptedDEK, KEKID: e.KEKID, Err: err}
	}
	defer clear(jwk)
	dek, dekKid, err := parseDEK(jwk)
	if err != nil {
		return nil, fmt.Errorf("failed to read the DEK in %q: %w", FieldEncryptedDEK, err)
	}
	defer clear(dek)
	if csrJWE.kid != dekKid {
		return nil, fmt.Errorf("failed to decrypt the CSR: %q was sealed with DEK %q, but %q holds DEK %q",
			FieldEncryptedCSR, csrJWE.kid, FieldEncryptedDEK, dekKid)
	}
	dekAEAD, err := NewSoftwareAEAD(dek)
	if err != nil {
		return nil, err
	}
	csr, err := csrJWE.open(dekAEAD)
	if err != nil {
		return nil, &OpenError{Part: FieldEncryptedCSR, KEKID: e.KEKID, Err: err}
	}
	if subtle.ConstantTimeCompare(csrJWE.otherAAD, []byte(e.CSRID)) != 1 {
		clear(csr)
		return nil, fmt.Errorf("failed to decrypt the CSR: it was sealed for csr-id %q, not %q",
			csrJWE.otherAAD, e.CSRID)
	}
	if len(csr) == 0 {
		return nil, fmt.Errorf("failed to decrypt the CSR: the sealed CSR is empty")
	}
	return csr, nil
}
