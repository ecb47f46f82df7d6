//go:build cgo

package hsm

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// GenerateKEK creates an AES-256 key-encryption key on the token: persistent,
// private, sensitive, never extractable, usable for AES-GCM encryption and
// decryption only (kekPolicy). A label already used by any object fails with
// ErrExists before anything is generated.
func (t *Token) GenerateKEK(label string) error {
	if err := checkLabel(label); err != nil {
		return fmt.Errorf("failed to generate KEK: %w", err)
	}
	err := t.change(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		if err := checkLabelFree(ctx, sh, label, nil); err != nil {
			return err
		}
		tmpl := append([]*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY),
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_AES),
			pkcs11.NewAttribute(pkcs11.CKA_VALUE_LEN, kekKeyBytes),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
			pkcs11.NewAttribute(pkcs11.CKA_ID, randomID()),
			mechanismList(kekMechanisms),
		}, policyTemplate(kekPolicy)...)
		mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_KEY_GEN, nil)}
		h, err := ctx.GenerateKey(sh, mech, tmpl)
		if err != nil {
			return err
		}
		return keepIfAlone(ctx, sh, label, nil, h)
	})
	if err != nil {
		return fmt.Errorf("failed to generate KEK %q: %w", label, err)
	}
	return nil
}

// KEK returns AES-256-GCM (CKM_AES_GCM) with the token's AES secret key
// labelled label. The key never leaves the token.
func (t *Token) KEK(label string) (AEAD, error) {
	var key pkcs11.ObjectHandle
	err := t.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		h, err := findOne(ctx, sh, pkcs11.CKO_SECRET_KEY, label)
		if err != nil {
			return err
		}
		kt, ok, err := readUlong(ctx, sh, h, pkcs11.CKA_KEY_TYPE)
		if err != nil {
			return err
		}
		if !ok || kt != pkcs11.CKK_AES {
			return fmt.Errorf("secret key %q is not an AES key", label)
		}
		key = h
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to find KEK %q: %w", label, err)
	}
	return &tokenAEAD{tok: t, key: key, label: label}, nil
}

// tokenAEAD is AES-GCM computed on the token.
type tokenAEAD struct {
	tok   *Token
	key   pkcs11.ObjectHandle
	label string
}

// NonceSize returns 12.
func (a *tokenAEAD) NonceSize() int { return gcmNonceSize }

// Overhead returns 16.
func (a *tokenAEAD) Overhead() int { return gcmTagSize }

// Seal encrypts on the token and returns ciphertext||tag. It fails if the
// token substitutes its own IV for nonce (some HSMs do), since the result
// could not be opened with the caller's nonce.
func (a *tokenAEAD) Seal(nonce, plaintext, additionalData []byte) ([]byte, error) {
	if err := checkNonce(nonce); err != nil {
		return nil, fmt.Errorf("failed to seal with KEK %q: %w", a.label, err)
	}
	var out []byte
	err := a.tok.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		params := pkcs11.NewGCMParams(nonce, additionalData, 8*gcmTagSize)
		defer params.Free()
		mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_GCM, params)}
		if err := ctx.EncryptInit(sh, mech, a.key); err != nil {
			return err
		}
		ct, err := ctx.Encrypt(sh, plaintext)
		if err != nil {
			return err
		}
		if iv := params.IV(); iv != nil && !bytes.Equal(iv, nonce) {
			return errors.New("the token replaced the nonce with its own IV")
		}
		if len(ct) != len(plaintext)+gcmTagSize {
			return fmt.Errorf("the token returned %d bytes for %d bytes of plaintext", len(ct), len(plaintext))
		}
		out = ct
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to seal with KEK %q: %w", a.label, err)
	}
	return out, nil
}

// Open decrypts ciphertext||tag on the token. A tag mismatch (tampered
// ciphertext, wrong nonce or additional data) fails with ErrDecrypt.
func (a *tokenAEAD) Open(nonce, ciphertext, additionalData []byte) ([]byte, error) {
	if err := checkNonce(nonce); err != nil {
		return nil, fmt.Errorf("failed to open with KEK %q: %w", a.label, err)
	}
	if len(ciphertext) < gcmTagSize {
		return nil, fmt.Errorf("failed to open with KEK %q: %w", a.label, ErrDecrypt)
	}
	var out []byte
	err := a.tok.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		params := pkcs11.NewGCMParams(nonce, additionalData, 8*gcmTagSize)
		defer params.Free()
		mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_GCM, params)}
		if err := ctx.DecryptInit(sh, mech, a.key); err != nil {
			return err
		}
		pt, err := ctx.Decrypt(sh, ciphertext)
		if err != nil {
			return decryptError(err)
		}
		out = pt
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to open with KEK %q: %w", a.label, err)
	}
	return out, nil
}

// decryptError maps a C_Decrypt failure under CKM_AES_GCM. Modules report a
// tag mismatch differently: the standard CKR_ENCRYPTED_DATA_INVALID or
// CKR_ENCRYPTED_DATA_LEN_RANGE, or, as SoftHSM2 does, CKR_GENERAL_ERROR or
// CKR_FUNCTION_FAILED. All of them mean the ciphertext could not be
// authenticated, so they become ErrDecrypt, keeping the token's code.
func decryptError(err error) error {
	for _, rv := range []uint{
		pkcs11.CKR_ENCRYPTED_DATA_INVALID, pkcs11.CKR_ENCRYPTED_DATA_LEN_RANGE,
		pkcs11.CKR_GENERAL_ERROR, pkcs11.CKR_FUNCTION_FAILED,
	} {
		if isCKR(err, rv) {
			return fmt.Errorf("%w (token: %w)", ErrDecrypt, err)
		}
	}
	return err
}
