//go:build cgo

package hsm

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// ImportCertificate stores cert on the token as a persistent, public X.509
// certificate object (CKA_VALUE, CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER).
// Its CKA_ID is that of the token key pair cert certifies, when there is one,
// so PKCS#11 tools pair them; otherwise a random id. Another certificate with
// the same label fails with ErrExists; a key pair may share the label.
func (t *Token) ImportCertificate(label string, cert *x509.Certificate) error {
	if err := checkLabel(label); err != nil {
		return fmt.Errorf("failed to import certificate: %w", err)
	}
	if cert == nil || len(cert.Raw) == 0 {
		return errors.New("failed to import certificate: no certificate (parse it with x509.ParseCertificate)")
	}
	serial, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		return fmt.Errorf("failed to import certificate %q: failed to encode the serial number: %w", label, err)
	}
	err = t.change(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		if err := checkLabelFree(ctx, sh, label, ulongPtr(pkcs11.CKO_CERTIFICATE)); err != nil {
			return err
		}
		id, err := keyIDFor(ctx, sh, cert.PublicKey)
		if err != nil {
			return err
		}
		tmpl := append([]*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
			pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id),
			pkcs11.NewAttribute(pkcs11.CKA_SUBJECT, cert.RawSubject),
			pkcs11.NewAttribute(pkcs11.CKA_ISSUER, cert.RawIssuer),
			pkcs11.NewAttribute(pkcs11.CKA_SERIAL_NUMBER, serial),
			pkcs11.NewAttribute(pkcs11.CKA_VALUE, cert.Raw),
		}, policyTemplate(certificatePolicy)...)
		h, err := ctx.CreateObject(sh, tmpl)
		if err != nil {
			return err
		}
		if err := keepIfAlone(ctx, sh, label, ulongPtr(pkcs11.CKO_CERTIFICATE), h); err != nil {
			return err
		}
		if t.imported == nil {
			t.imported = map[string]pkcs11.ObjectHandle{}
		}
		t.imported[label] = h
		return nil
	})
	if err != nil {
		return fmt.Errorf("failed to import certificate %q: %w", label, err)
	}
	return nil
}

// DestroyCertificate destroys, by handle, the certificate this Token's
// ImportCertificate created under label; any other is refused.
func (t *Token) DestroyCertificate(label string) error {
	return t.change(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		h, ok := t.imported[label]
		if !ok {
			return fmt.Errorf("failed to destroy certificate %q: only a certificate this session imported can be destroyed", label)
		}
		if err := ctx.DestroyObject(sh, h); err != nil {
			return fmt.Errorf("failed to destroy the new certificate %q (object %d): %w", label, h, err)
		}
		delete(t.imported, label)
		return nil
	})
}

// keyIDFor returns the CKA_ID of the token public key equal to pub, or a
// fresh random id when the token holds no such key.
func keyIDFor(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, pub crypto.PublicKey) ([]byte, error) {
	hs, err := findObjects(ctx, sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
	})
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		key, err := readPublicKey(ctx, sh, h)
		if err != nil || !publicKeysEqual(key, pub) {
			continue // keys this package cannot decode cannot match
		}
		id, ok, err := readAttr(ctx, sh, h, pkcs11.CKA_ID)
		if err != nil {
			return nil, err
		}
		if ok && len(id) > 0 {
			return id, nil
		}
	}
	return randomID(), nil
}

// Certificate returns the token's certificate labelled label.
func (t *Token) Certificate(label string) (*x509.Certificate, error) {
	var der []byte
	err := t.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		h, err := findOne(ctx, sh, pkcs11.CKO_CERTIFICATE, label)
		if err != nil {
			return err
		}
		v, ok, err := readAttr(ctx, sh, h, pkcs11.CKA_VALUE)
		if err != nil || !ok {
			return fmt.Errorf("failed to read CKA_VALUE: %w", orMissing(err))
		}
		der = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to find certificate %q: %w", label, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("failed to parse certificate %q: %w", label, err)
	}
	return cert, nil
}
