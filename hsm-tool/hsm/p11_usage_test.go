//go:build cgo

package hsm

import (
	"crypto"
	"crypto/sha256"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/hsm/hsmtest"
	"github.com/miekg/pkcs11"
)

// openInternal opens a fresh SoftHSM2 token for tests that reach below the Store.
func openInternal(t *testing.T) *Token {
	t.Helper()
	module, _ := hsmtest.NewToken(t, "usage", "so-pin-1", "user-pin-1")
	tok, err := Open(Config{Module: module, TokenLabel: "usage", PIN: []byte("user-pin-1")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Close() })
	return tok
}

// TestKeysRefuseOtherMechanismsAndChanges: on a real SoftHSM2 token, the KEK answers
// AES-GCM only (not AES-ECB or AES-CBC, which pkcs11-tool --encrypt could use), the
// root key signs with its own mechanisms only, and no key, public key or certificate
// can be changed (C_SetAttributeValue) after creation. (Before the fix the KEK
// encrypted with AES-ECB and AES-CBC and every object was modifiable.)
func TestKeysRefuseOtherMechanismsAndChanges(t *testing.T) {
	tok := openInternal(t)
	if err := tok.GenerateKEK("kek"); err != nil {
		t.Fatal(err)
	}
	if _, err := tok.GenerateKeyPair("rsa", RSA2048); err != nil {
		t.Fatal(err)
	}
	if _, err := tok.GenerateKeyPair("ec", ECDSAP256); err != nil {
		t.Fatal(err)
	}
	err := tok.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		kek, err := findOne(ctx, sh, pkcs11.CKO_SECRET_KEY, "kek")
		if err != nil {
			return err
		}
		for name, m := range map[string]*pkcs11.Mechanism{
			"AES-ECB": pkcs11.NewMechanism(pkcs11.CKM_AES_ECB, nil),
			"AES-CBC": pkcs11.NewMechanism(pkcs11.CKM_AES_CBC, make([]byte, 16)),
		} {
			if err := ctx.EncryptInit(sh, []*pkcs11.Mechanism{m}, kek); err == nil {
				_, _ = ctx.Encrypt(sh, make([]byte, 16))
				t.Errorf("the KEK encrypts with %s", name)
			}
			if err := ctx.DecryptInit(sh, []*pkcs11.Mechanism{m}, kek); err == nil {
				_, _ = ctx.Decrypt(sh, make([]byte, 16))
				t.Errorf("the KEK decrypts with %s", name)
			}
		}
		rsa, err := findOne(ctx, sh, pkcs11.CKO_PRIVATE_KEY, "rsa")
		if err != nil {
			return err
		}
		if err := ctx.SignInit(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_SHA1_RSA_PKCS, nil)}, rsa); err == nil {
			_, _ = ctx.Sign(sh, []byte("x"))
			t.Error("the RSA key signs with CKM_SHA1_RSA_PKCS")
		}
		for _, o := range []struct {
			class uint
			label string
		}{{pkcs11.CKO_SECRET_KEY, "kek"}, {pkcs11.CKO_PRIVATE_KEY, "rsa"}, {pkcs11.CKO_PRIVATE_KEY, "ec"}, {pkcs11.CKO_PUBLIC_KEY, "ec"}} {
			h, err := findOne(ctx, sh, o.class, o.label)
			if err != nil {
				return err
			}
			for _, attr := range []*pkcs11.Attribute{
				pkcs11.NewAttribute(pkcs11.CKA_LABEL, "renamed"),
				pkcs11.NewAttribute(pkcs11.CKA_ID, []byte{1}),
			} {
				if err := ctx.SetAttributeValue(sh, h, []*pkcs11.Attribute{attr}); err == nil {
					t.Errorf("%s %q accepted a change of attribute 0x%X", className(o.class), o.label, attr.Type)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The keys still do what they are for.
	signer, err := tok.Signer("ec")
	if err != nil {
		t.Fatal(err)
	}
	checkSigns(t, signer)
	aead, err := tok.KEK("kek")
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, 12)
	ct, err := aead.Seal(nonce, []byte("csr"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := aead.Open(nonce, ct, nil); err != nil || string(pt) != "csr" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
}

// checkSigns signs a SHA-256 digest with signer.
func checkSigns(t *testing.T, signer crypto.Signer) {
	t.Helper()
	digest := sha256.Sum256([]byte("tbs"))
	if _, err := signer.Sign(nil, digest[:], crypto.SHA256); err != nil {
		t.Fatalf("Sign: %v", err)
	}
}
