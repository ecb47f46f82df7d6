package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// signScheme is the signature scheme a Sign call resolves to.
type signScheme int

const (
	schemeECDSA    signScheme = iota // ECDSA over the digest, ASN.1 output
	schemePKCS1v15                   // RSASSA-PKCS1-v1_5 over a DigestInfo
	schemePSS                        // RSASSA-PSS over the digest
)

// signPlan is a validated crypto.Signer request.
type signPlan struct {
	scheme  signScheme
	hash    crypto.Hash
	saltLen int // PSS only: the resolved salt length in bytes
}

// supportedHashes are the digests both implementations sign.
var supportedHashes = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

// planSignature validates a crypto.Signer.Sign request against the public key
// and resolves the scheme, hash and PSS salt length. Both implementations call
// it, so they accept and refuse the same requests.
func planSignature(pub crypto.PublicKey, digest []byte, opts crypto.SignerOpts) (signPlan, error) {
	if opts == nil {
		return signPlan{}, errors.New("failed to sign: no signer options (hash) given")
	}
	h := opts.HashFunc()
	if _, ok := supportedHashes[h]; !ok {
		return signPlan{}, fmt.Errorf("failed to sign: unsupported hash %v (supported: SHA-256, SHA-384, SHA-512)", h)
	}
	if len(digest) != h.Size() {
		return signPlan{}, fmt.Errorf("failed to sign: digest is %d bytes, %v needs %d", len(digest), h, h.Size())
	}
	switch pub := pub.(type) {
	case *ecdsa.PublicKey:
		if _, ok := opts.(*rsa.PSSOptions); ok {
			return signPlan{}, errors.New("failed to sign: PSS options given for an ECDSA key")
		}
		return signPlan{scheme: schemeECDSA, hash: h}, nil
	case *rsa.PublicKey:
		pss, ok := opts.(*rsa.PSSOptions)
		if !ok {
			return signPlan{scheme: schemePKCS1v15, hash: h}, nil
		}
		salt, err := pssSaltLength(pub, h, pss)
		if err != nil {
			return signPlan{}, err
		}
		return signPlan{scheme: schemePSS, hash: h, saltLen: salt}, nil
	default:
		return signPlan{}, fmt.Errorf("failed to sign: unsupported public key type %T", pub)
	}
}

// pssSaltLength resolves rsa.PSSOptions.SaltLength the way crypto/rsa does:
// PSSSaltLengthAuto signs with the largest salt the key allows and
// PSSSaltLengthEqualsHash with a salt as long as the digest.
func pssSaltLength(pub *rsa.PublicKey, h crypto.Hash, opts *rsa.PSSOptions) (int, error) {
	maxSalt := (pub.N.BitLen()-1+7)/8 - 2 - h.Size()
	salt := opts.SaltLength
	switch salt {
	case rsa.PSSSaltLengthAuto:
		salt = maxSalt
	case rsa.PSSSaltLengthEqualsHash:
		salt = h.Size()
	}
	if salt < 0 || salt > maxSalt {
		return 0, fmt.Errorf("failed to sign: PSS salt length %d is out of range for a %d-bit key", opts.SaltLength, pub.N.BitLen())
	}
	return salt, nil
}

// digestInfo encodes the PKCS#1 v1.5 DigestInfo for digest (RFC 8017, 9.2):
// the input CKM_RSA_PKCS pads and signs.
func digestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	oid, ok := supportedHashes[h]
	if !ok {
		return nil, fmt.Errorf("failed to encode DigestInfo: unsupported hash %v", h)
	}
	di := struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue},
		Digest:    digest,
	}
	der, err := asn1.Marshal(di)
	if err != nil {
		return nil, fmt.Errorf("failed to encode DigestInfo: %w", err)
	}
	return der, nil
}

// ecdsaSignature is the ASN.1 form of an ECDSA signature (RFC 3279).
type ecdsaSignature struct {
	R, S *big.Int
}

// ecdsaRawToASN1 converts a PKCS#11 CKM_ECDSA signature (r||s, each as wide as
// the curve order) to the ASN.1 form crypto.Signer callers expect.
func ecdsaRawToASN1(pub *ecdsa.PublicKey, raw []byte) ([]byte, error) {
	size := (pub.Curve.Params().N.BitLen() + 7) / 8
	if len(raw) != 2*size {
		return nil, fmt.Errorf("failed to decode ECDSA signature: got %d bytes, want %d", len(raw), 2*size)
	}
	sig := ecdsaSignature{
		R: new(big.Int).SetBytes(raw[:size]),
		S: new(big.Int).SetBytes(raw[size:]),
	}
	if sig.R.Sign() == 0 || sig.S.Sign() == 0 {
		return nil, errors.New("failed to decode ECDSA signature: r or s is zero")
	}
	der, err := asn1.Marshal(sig)
	if err != nil {
		return nil, fmt.Errorf("failed to encode ECDSA signature: %w", err)
	}
	return der, nil
}
