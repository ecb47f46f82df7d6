package hsm_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"errors"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/hsm"
)

// digestOf hashes msg with h.
func digestOf(h crypto.Hash, msg []byte) []byte {
	w := h.New()
	w.Write(msg)
	return w.Sum(nil)
}

var hashes = []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512}

func TestGenerateKeyPairSignsAndVerifies(t *testing.T) {
	forEach(t, func(t *testing.T, s hsm.Store) {
		for _, alg := range hsm.KeyAlgorithms() {
			t.Run(string(alg), func(t *testing.T) {
				label := "key-" + string(alg)
				signer, err := s.GenerateKeyPair(label, alg)
				if err != nil {
					t.Fatalf("GenerateKeyPair: %v", err)
				}
				checkSigner(t, signer, alg)
				reloaded, err := s.Signer(label)
				if err != nil {
					t.Fatalf("Signer: %v", err)
				}
				if !signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(reloaded.Public()) {
					t.Fatal("Signer(label).Public() differs from the generated key")
				}
				checkSigner(t, reloaded, alg)
				checkKeyPairAttributes(t, s, label)
			})
		}
	})
}

// checkSigner signs digests with every supported scheme and verifies them
// with Go's crypto.
func checkSigner(t *testing.T, signer crypto.Signer, alg hsm.KeyAlgorithm) {
	t.Helper()
	msg := []byte("meshfn root CA " + string(alg))
	for _, h := range hashes {
		digest := digestOf(h, msg)
		sig, err := signer.Sign(rand.Reader, digest, h)
		if err != nil {
			t.Fatalf("Sign(%v): %v", h, err)
		}
		switch pub := signer.Public().(type) {
		case *ecdsa.PublicKey:
			if !ecdsa.VerifyASN1(pub, digest, sig) {
				t.Fatalf("ECDSA %v signature does not verify", h)
			}
		case *rsa.PublicKey:
			if pub.N.BitLen() != bitsOf(alg) {
				t.Fatalf("RSA modulus is %d bits, want %d", pub.N.BitLen(), bitsOf(alg))
			}
			if err := rsa.VerifyPKCS1v15(pub, h, digest, sig); err != nil {
				t.Fatalf("PKCS#1 v1.5 %v signature does not verify: %v", h, err)
			}
			checkPSS(t, signer, pub, h, digest)
		default:
			t.Fatalf("unexpected public key %T", pub)
		}
	}
}

// checkPSS signs with both PSS salt conventions and verifies.
func checkPSS(t *testing.T, signer crypto.Signer, pub *rsa.PublicKey, h crypto.Hash, digest []byte) {
	t.Helper()
	for _, salt := range []int{rsa.PSSSaltLengthEqualsHash, rsa.PSSSaltLengthAuto} {
		opts := &rsa.PSSOptions{SaltLength: salt, Hash: h}
		sig, err := signer.Sign(rand.Reader, digest, opts)
		if err != nil {
			t.Fatalf("Sign(PSS %v, salt %d): %v", h, salt, err)
		}
		if err := rsa.VerifyPSS(pub, h, digest, sig, opts); err != nil {
			t.Fatalf("PSS %v salt %d signature does not verify: %v", h, salt, err)
		}
	}
}

// bitsOf returns the RSA modulus size of alg.
func bitsOf(alg hsm.KeyAlgorithm) int {
	switch alg {
	case hsm.RSA2048:
		return 2048
	case hsm.RSA3072:
		return 3072
	case hsm.RSA4096:
		return 4096
	}
	return 0
}

// checkKeyPairAttributes reads the key pair's attributes back from Objects.
func checkKeyPairAttributes(t *testing.T, s hsm.Store, label string) {
	t.Helper()
	priv := findObject(t, s, label, "CKO_PRIVATE_KEY")
	pub := findObject(t, s, label, "CKO_PUBLIC_KEY")
	wantAttrs(t, priv, map[string]bool{
		"CKA_TOKEN": true, "CKA_PRIVATE": true,
		"CKA_SENSITIVE": true, "CKA_ALWAYS_SENSITIVE": true,
		"CKA_EXTRACTABLE": false, "CKA_NEVER_EXTRACTABLE": true,
		"CKA_SIGN": true, "CKA_DECRYPT": false, "CKA_UNWRAP": false, "CKA_DERIVE": false,
	})
	wantAttrs(t, pub, map[string]bool{
		"CKA_TOKEN": true, "CKA_PRIVATE": false,
		"CKA_VERIFY": true, "CKA_ENCRYPT": false, "CKA_WRAP": false,
	})
	if priv.ID == "" || priv.ID != pub.ID {
		t.Errorf("key pair ids: private %q, public %q; want equal and non-empty", priv.ID, pub.ID)
	}
	if priv.KeyType != pub.KeyType || (priv.KeyType != "CKK_EC" && priv.KeyType != "CKK_RSA") {
		t.Errorf("key types: private %q, public %q", priv.KeyType, pub.KeyType)
	}
}

func TestGenerateKeyPairRefusesExistingLabel(t *testing.T) {
	forEach(t, func(t *testing.T, s hsm.Store) {
		if _, err := s.GenerateKeyPair("root", hsm.ECDSAP256); err != nil {
			t.Fatalf("GenerateKeyPair: %v", err)
		}
		if _, err := s.GenerateKeyPair("root", hsm.ECDSAP384); !errors.Is(err, hsm.ErrExists) {
			t.Fatalf("second GenerateKeyPair = %v, want ErrExists", err)
		}
		if err := s.GenerateKEK("kek"); err != nil {
			t.Fatalf("GenerateKEK: %v", err)
		}
		if _, err := s.GenerateKeyPair("kek", hsm.RSA2048); !errors.Is(err, hsm.ErrExists) {
			t.Fatalf("GenerateKeyPair over a KEK's label = %v, want ErrExists", err)
		}
		if n := countLabel(t, s, "root"); n != 2 {
			t.Fatalf("%d objects labelled root, want 2 (one key pair)", n)
		}
		if _, err := s.GenerateKeyPair("dsa", hsm.KeyAlgorithm("dsa-1024")); err == nil {
			t.Fatal("GenerateKeyPair accepted an unsupported algorithm")
		}
		if _, err := s.Signer("missing"); !errors.Is(err, hsm.ErrNotFound) {
			t.Fatalf("Signer(missing) = %v, want ErrNotFound", err)
		}
		if _, err := s.Signer("kek"); !errors.Is(err, hsm.ErrNotFound) {
			t.Fatalf("Signer(label of a KEK) = %v, want ErrNotFound", err)
		}
	})
}

func TestSignRefusesBadRequests(t *testing.T) {
	forEach(t, func(t *testing.T, s hsm.Store) {
		ec, err := s.GenerateKeyPair("ec", hsm.ECDSAP256)
		if err != nil {
			t.Fatalf("GenerateKeyPair: %v", err)
		}
		r, err := s.GenerateKeyPair("rsa", hsm.RSA2048)
		if err != nil {
			t.Fatalf("GenerateKeyPair: %v", err)
		}
		d256 := digestOf(crypto.SHA256, []byte("m"))
		d1 := sha1.Sum([]byte("m"))
		cases := map[string]struct {
			signer crypto.Signer
			digest []byte
			opts   crypto.SignerOpts
		}{
			"ecdsa digest too short": {ec, d256[:31], crypto.SHA256},
			"ecdsa SHA-1":            {ec, d1[:], crypto.SHA1},
			"ecdsa nil opts":         {ec, d256, nil},
			"ecdsa PSS options":      {ec, d256, &rsa.PSSOptions{Hash: crypto.SHA256}},
			"rsa digest/hash differ": {r, d256, crypto.SHA384},
			"rsa SHA-1":              {r, d1[:], crypto.SHA1},
			"rsa no hash":            {r, d256, crypto.Hash(0)},
			"rsa PSS salt too big":   {r, d256, &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: 4096}},
		}
		for name, c := range cases {
			if sig, err := c.signer.Sign(rand.Reader, c.digest, c.opts); err == nil {
				t.Errorf("%s: Sign = %x, want an error", name, sig)
			}
		}
	})
}

// TestDestroyKeyPair: DestroyKeyPair removes exactly the objects GenerateKeyPair made,
// and refuses a signer it did not create (Signer(label) finds objects anyone made).
func TestDestroyKeyPair(t *testing.T) {
	forEach(t, func(t *testing.T, s hsm.Store) {
		signer, err := s.GenerateKeyPair("doomed", hsm.ECDSAP256)
		if err != nil {
			t.Fatal(err)
		}
		found, err := s.Signer("doomed")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DestroyKeyPair(found); err == nil {
			t.Error("DestroyKeyPair accepted a signer found by label")
		}
		if err := s.DestroyKeyPair(signer); err != nil {
			t.Fatalf("DestroyKeyPair: %v", err)
		}
		if _, err := s.Signer("doomed"); !errors.Is(err, hsm.ErrNotFound) {
			t.Errorf("the destroyed key is still there: %v", err)
		}
		if _, err := s.GenerateKeyPair("doomed", hsm.ECDSAP256); err != nil {
			t.Errorf("the label is not free again: %v", err)
		}
	})
}
