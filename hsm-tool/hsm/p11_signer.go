//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"fmt"
	"io"

	"github.com/miekg/pkcs11"
)

// Signer returns a crypto.Signer for the token's private key labelled label.
// Its public key comes from the CKO_PUBLIC_KEY object with the same label.
func (t *Token) Signer(label string) (crypto.Signer, error) {
	var signer *tokenSigner
	err := t.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		priv, err := findOne(ctx, sh, pkcs11.CKO_PRIVATE_KEY, label)
		if err != nil {
			return err
		}
		pubH, err := findOne(ctx, sh, pkcs11.CKO_PUBLIC_KEY, label)
		if err != nil {
			return err
		}
		pub, err := readPublicKey(ctx, sh, pubH)
		if err != nil {
			return err
		}
		signer = &tokenSigner{tok: t, key: priv, pub: pub, label: label}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to load signer %q: %w", label, err)
	}
	return signer, nil
}

// tokenSigner signs with a private key that stays on the token.
type tokenSigner struct {
	tok       *Token
	key       pkcs11.ObjectHandle
	pubKey    pkcs11.ObjectHandle // the public key object, set by GenerateKeyPair
	generated bool                // created by this Token's GenerateKeyPair
	pub       crypto.PublicKey
	label     string
}

// Public returns the public key read from the token.
func (s *tokenSigner) Public() crypto.PublicKey { return s.pub }

// Sign signs digest on the token. opts.HashFunc() must be SHA-256, SHA-384 or
// SHA-512 and match the digest length. ECDSA keys use CKM_ECDSA and return an
// ASN.1 signature; RSA keys use CKM_RSA_PKCS over the DigestInfo (PKCS#1
// v1.5), or CKM_RSA_PKCS_PSS when opts is *rsa.PSSOptions. rand is unused:
// the token supplies its own randomness.
func (s *tokenSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	plan, err := planSignature(s.pub, digest, opts)
	if err != nil {
		return nil, err
	}
	mech, input, err := signMechanism(plan, digest)
	if err != nil {
		return nil, err
	}
	var sig []byte
	err = s.tok.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		if err := ctx.SignInit(sh, []*pkcs11.Mechanism{mech}, s.key); err != nil {
			return err
		}
		out, err := ctx.Sign(sh, input)
		sig = out
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("failed to sign with key %q: %w", s.label, err)
	}
	if plan.scheme == schemeECDSA {
		return ecdsaRawToASN1(s.pub.(*ecdsa.PublicKey), sig)
	}
	return sig, nil
}

// pssHashes maps digests to the CKM_ hash and CKG_MGF1 ids of PSS parameters.
var pssHashes = map[crypto.Hash][2]uint{
	crypto.SHA256: {pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256},
	crypto.SHA384: {pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384},
	crypto.SHA512: {pkcs11.CKM_SHA512, pkcs11.CKG_MGF1_SHA512},
}

// signMechanism returns the mechanism and the data to pass to C_Sign.
func signMechanism(plan signPlan, digest []byte) (*pkcs11.Mechanism, []byte, error) {
	switch plan.scheme {
	case schemeECDSA:
		return pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil), digest, nil
	case schemePKCS1v15:
		di, err := digestInfo(plan.hash, digest)
		if err != nil {
			return nil, nil, err
		}
		return pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil), di, nil
	case schemePSS:
		ids, ok := pssHashes[plan.hash]
		if !ok {
			return nil, nil, fmt.Errorf("failed to sign: no PSS parameters for %v", plan.hash)
		}
		params := pkcs11.NewPSSParams(ids[0], ids[1], uint(plan.saltLen))
		return pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS, params), digest, nil
	}
	return nil, nil, fmt.Errorf("failed to sign: unknown scheme %d", plan.scheme)
}
