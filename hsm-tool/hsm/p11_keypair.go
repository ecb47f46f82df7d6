//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/miekg/pkcs11"
)

// Named curve OIDs (RFC 5480) for CKA_EC_PARAMS.
var (
	oidP256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384 = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521 = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
)

// GenerateKeyPair creates a signing key pair on the token and returns its
// signer. The private key is persistent, private, sensitive, never
// extractable and can only sign (privateKeyPolicy); the public key is stored
// on the token too, under the same label and CKA_ID. A label already used by
// any object fails with ErrExists before anything is generated.
func (t *Token) GenerateKeyPair(label string, alg KeyAlgorithm) (crypto.Signer, error) {
	if err := checkLabel(label); err != nil {
		return nil, fmt.Errorf("failed to generate key pair: %w", err)
	}
	if err := alg.validate(); err != nil {
		return nil, fmt.Errorf("failed to generate key pair %q: %w", label, err)
	}
	var signer *tokenSigner
	err := t.change(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		if err := checkLabelFree(ctx, sh, label, nil); err != nil {
			return err
		}
		mech, pubTmpl, privTmpl, err := keyPairTemplates(label, alg)
		if err != nil {
			return err
		}
		pubH, privH, err := ctx.GenerateKeyPair(sh, mech, pubTmpl, privTmpl)
		if err != nil {
			return err
		}
		if err := keepIfAlone(ctx, sh, label, nil, privH, pubH); err != nil {
			return err
		}
		pub, err := readPublicKey(ctx, sh, pubH)
		if err != nil {
			// Do not leave a half-usable key pair behind.
			_ = ctx.DestroyObject(sh, privH)
			_ = ctx.DestroyObject(sh, pubH)
			return err
		}
		signer = &tokenSigner{tok: t, key: privH, pubKey: pubH, generated: true, pub: pub, label: label}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to generate key pair %q: %w", label, err)
	}
	return signer, nil
}

// keyPairTemplates returns the mechanism and the public and private key
// templates that generate alg.
func keyPairTemplates(label string, alg KeyAlgorithm) ([]*pkcs11.Mechanism, []*pkcs11.Attribute, []*pkcs11.Attribute, error) {
	id := randomID()
	common := func(class, keyType uint) []*pkcs11.Attribute {
		return []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		}
	}
	var (
		mech    uint
		keyType uint
		pubAlg  []*pkcs11.Attribute
		allowed = ecPrivateMechanisms
	)
	if bits := alg.rsaBits(); bits > 0 {
		mech, keyType, allowed = pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, pkcs11.CKK_RSA, rsaPrivateMechanisms
		pubAlg = []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_MODULUS_BITS, bits),
			pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, []byte{0x01, 0x00, 0x01}),
		}
	} else {
		oid := oidP256
		if alg == ECDSAP384 {
			oid = oidP384
		}
		params, err := asn1.Marshal(oid)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("failed to encode curve parameters: %w", err)
		}
		mech, keyType = pkcs11.CKM_EC_KEY_PAIR_GEN, pkcs11.CKK_EC
		pubAlg = []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params)}
	}
	pub := append(append(common(pkcs11.CKO_PUBLIC_KEY, keyType), pubAlg...), policyTemplate(publicKeyPolicy)...)
	priv := append(append(common(pkcs11.CKO_PRIVATE_KEY, keyType), mechanismList(allowed)), policyTemplate(privateKeyPolicy)...)
	return []*pkcs11.Mechanism{pkcs11.NewMechanism(mech, nil)}, pub, priv, nil
}

// readPublicKey builds the Go public key of a CKO_PUBLIC_KEY object.
func readPublicKey(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle) (crypto.PublicKey, error) {
	kt, ok, err := readUlong(ctx, sh, h, pkcs11.CKA_KEY_TYPE)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("failed to read public key: no CKA_KEY_TYPE")
	}
	switch kt {
	case pkcs11.CKK_EC:
		return readECPublicKey(ctx, sh, h)
	case pkcs11.CKK_RSA:
		return readRSAPublicKey(ctx, sh, h)
	}
	return nil, fmt.Errorf("failed to read public key: unsupported key type %s", keyTypeName(kt))
}

// readECPublicKey decodes CKA_EC_PARAMS and CKA_EC_POINT.
func readECPublicKey(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle) (*ecdsa.PublicKey, error) {
	params, ok, err := readAttr(ctx, sh, h, pkcs11.CKA_EC_PARAMS)
	if err != nil || !ok {
		return nil, fmt.Errorf("failed to read CKA_EC_PARAMS: %w", orMissing(err))
	}
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(params, &oid); err != nil || len(rest) > 0 {
		return nil, errors.New("failed to read public key: CKA_EC_PARAMS is not a named curve")
	}
	var curve elliptic.Curve
	switch {
	case oid.Equal(oidP256):
		curve = elliptic.P256()
	case oid.Equal(oidP384):
		curve = elliptic.P384()
	case oid.Equal(oidP521):
		curve = elliptic.P521()
	default:
		return nil, fmt.Errorf("failed to read public key: unsupported curve %v", oid)
	}
	point, ok, err := readAttr(ctx, sh, h, pkcs11.CKA_EC_POINT)
	if err != nil || !ok {
		return nil, fmt.Errorf("failed to read CKA_EC_POINT: %w", orMissing(err))
	}
	// PKCS#11 wraps the point in a DER OCTET STRING; some modules do not.
	var raw []byte
	if rest, err := asn1.Unmarshal(point, &raw); err == nil && len(rest) == 0 {
		point = raw
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, fmt.Errorf("failed to read public key: %w", err)
	}
	return pub, nil
}

// readRSAPublicKey decodes CKA_MODULUS and CKA_PUBLIC_EXPONENT.
func readRSAPublicKey(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle) (*rsa.PublicKey, error) {
	n, ok, err := readAttr(ctx, sh, h, pkcs11.CKA_MODULUS)
	if err != nil || !ok {
		return nil, fmt.Errorf("failed to read CKA_MODULUS: %w", orMissing(err))
	}
	e, ok, err := readAttr(ctx, sh, h, pkcs11.CKA_PUBLIC_EXPONENT)
	if err != nil || !ok {
		return nil, fmt.Errorf("failed to read CKA_PUBLIC_EXPONENT: %w", orMissing(err))
	}
	exp := new(big.Int).SetBytes(e)
	if !exp.IsInt64() || exp.Int64() < 3 || exp.Int64() > 1<<31-1 {
		return nil, errors.New("failed to read public key: RSA public exponent out of range")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}, nil
}
