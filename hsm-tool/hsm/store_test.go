package hsm_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"slices"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/hsm"
	"github.com/meshfn/meshfn/hsm-tool/hsm/hsmtest"
)

// Test PINs. They are distinctive so tests can assert they never leak.
const (
	testLabel  = "meshfn-test"
	testSOPIN  = "so-pin-90210"
	testPIN    = "user-pin-4821"
	wrongPIN   = "wrong-pin-7310"
	otherLabel = "meshfn-other"
)

// implementation opens a fresh, empty Store for one test.
type implementation struct {
	name string
	open func(t *testing.T) hsm.Store
}

// implementations are the Stores every behavioural test runs against: a real
// SoftHSM2 token over PKCS#11 and the in-memory test double.
func implementations() []implementation {
	return []implementation{
		{name: "softhsm2", open: func(t *testing.T) hsm.Store { return openTestToken(t) }},
		{name: "soft", open: func(*testing.T) hsm.Store { return hsm.NewSoftStore() }},
	}
}

// openTestToken creates a SoftHSM2 token and opens it by label; it is closed
// when the test ends.
func openTestToken(t *testing.T) *hsm.Token {
	t.Helper()
	module, _ := hsmtest.NewToken(t, testLabel, testSOPIN, testPIN)
	tok, err := hsm.Open(hsm.Config{Module: module, TokenLabel: testLabel, PIN: []byte(testPIN)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := tok.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return tok
}

// forEach runs f as a subtest against every implementation.
func forEach(t *testing.T, f func(t *testing.T, s hsm.Store)) {
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) { f(t, impl.open(t)) })
	}
}

// randomBytes returns n random bytes.
// newKEK generates a KEK labelled "kek" in s and returns it.
func newKEK(t *testing.T, s hsm.Store) hsm.AEAD {
	t.Helper()
	if err := s.GenerateKEK("kek"); err != nil {
		t.Fatalf("GenerateKEK: %v", err)
	}
	aead, err := s.KEK("kek")
	if err != nil {
		t.Fatalf("KEK: %v", err)
	}
	return aead
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// findObject returns the object with label and class from s.Objects().
func findObject(t *testing.T, s hsm.Store, label, class string) hsm.Object {
	t.Helper()
	objs, err := s.Objects()
	if err != nil {
		t.Fatalf("Objects: %v", err)
	}
	for _, o := range objs {
		if o.Label == label && o.Class == class {
			return o
		}
	}
	t.Fatalf("no %s labelled %q in %+v", class, label, objs)
	return hsm.Object{}
}

// wantAttrs checks boolean attributes of o.
func wantAttrs(t *testing.T, o hsm.Object, want map[string]bool) {
	t.Helper()
	for name, v := range want {
		got, ok := o.Attributes[name]
		if !ok {
			t.Errorf("%s %q: %s missing (have %v)", o.Class, o.Label, name, o.Attributes)
		} else if got != v {
			t.Errorf("%s %q: %s = %v, want %v", o.Class, o.Label, name, got, v)
		}
	}
}

func TestKEKSealOpenRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, s hsm.Store) {
		aead := newKEK(t, s)
		if aead.NonceSize() != 12 || aead.Overhead() != 16 {
			t.Fatalf("NonceSize, Overhead = %d, %d; want 12, 16", aead.NonceSize(), aead.Overhead())
		}
		for _, pt := range [][]byte{[]byte("root CA key backup"), {}, randomBytes(t, 4096)} {
			nonce, aad := randomBytes(t, 12), []byte("meshfn/root-ca v1")
			ct, err := aead.Seal(nonce, pt, aad)
			if err != nil {
				t.Fatalf("Seal(%d bytes): %v", len(pt), err)
			}
			if len(ct) != len(pt)+16 {
				t.Fatalf("Seal: %d bytes for %d bytes of plaintext", len(ct), len(pt))
			}
			if len(pt) > 0 && bytes.Contains(ct, pt) {
				t.Fatal("Seal: ciphertext contains the plaintext")
			}
			got, err := aead.Open(nonce, ct, aad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, pt) {
				t.Fatalf("Open = %x, want %x", got, pt)
			}
		}
		if _, err := aead.Seal(randomBytes(t, 8), []byte("x"), nil); err == nil {
			t.Error("Seal accepted an 8-byte nonce")
		}
	})
}

func TestKEKOpenRejectsTampering(t *testing.T) {
	forEach(t, func(t *testing.T, s hsm.Store) {
		aead := newKEK(t, s)
		nonce, aad, pt := randomBytes(t, 12), []byte("aad"), []byte("secret share")
		ct, err := aead.Seal(nonce, pt, aad)
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		flip := func(i int) []byte {
			c := bytes.Clone(ct)
			c[i] ^= 0x01
			return c
		}
		otherNonce := bytes.Clone(nonce)
		otherNonce[0] ^= 0xff
		cases := map[string]struct{ nonce, ct, aad []byte }{
			"flipped ciphertext byte": {nonce, flip(0), aad},
			"flipped tag byte":        {nonce, flip(len(ct) - 1), aad},
			"wrong additional data":   {nonce, ct, []byte("aae")},
			"missing additional data": {nonce, ct, nil},
			"wrong nonce":             {otherNonce, ct, aad},
			"truncated":               {nonce, ct[:len(ct)-1], aad},
			"shorter than a tag":      {nonce, ct[:10], aad},
		}
		for name, c := range cases {
			got, err := aead.Open(c.nonce, c.ct, c.aad)
			if !errors.Is(err, hsm.ErrDecrypt) {
				t.Errorf("%s: Open = %x, %v; want ErrDecrypt", name, got, err)
			}
		}
		// A failed Open must not leave the session stuck mid-operation.
		if got, err := aead.Open(nonce, ct, aad); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("Open after failures = %q, %v", got, err)
		}
	})
}

func TestGenerateKEKRefusesExistingLabel(t *testing.T) {
	forEach(t, func(t *testing.T, s hsm.Store) {
		if err := s.GenerateKEK("kek"); err != nil {
			t.Fatalf("GenerateKEK: %v", err)
		}
		if err := s.GenerateKEK("kek"); !errors.Is(err, hsm.ErrExists) {
			t.Fatalf("second GenerateKEK = %v, want ErrExists", err)
		}
		if _, err := s.GenerateKeyPair("root", hsm.ECDSAP256); err != nil {
			t.Fatalf("GenerateKeyPair: %v", err)
		}
		if err := s.GenerateKEK("root"); !errors.Is(err, hsm.ErrExists) {
			t.Fatalf("GenerateKEK over a key pair's label = %v, want ErrExists", err)
		}
		if n := countLabel(t, s, "kek"); n != 1 {
			t.Fatalf("%d objects labelled kek, want 1", n)
		}
		if _, err := s.KEK("missing"); !errors.Is(err, hsm.ErrNotFound) {
			t.Fatalf("KEK(missing) = %v, want ErrNotFound", err)
		}
		if _, err := s.KEK("root"); !errors.Is(err, hsm.ErrNotFound) {
			t.Fatalf("KEK(label of a key pair) = %v, want ErrNotFound", err)
		}
		if err := s.GenerateKEK(""); err == nil {
			t.Fatal("GenerateKEK accepted an empty label")
		}
	})
}

// countLabel counts the objects labelled label.
func countLabel(t *testing.T, s hsm.Store, label string) int {
	t.Helper()
	objs, err := s.Objects()
	if err != nil {
		t.Fatalf("Objects: %v", err)
	}
	n := 0
	for _, o := range objs {
		if o.Label == label {
			n++
		}
	}
	return n
}

func TestKEKAttributes(t *testing.T) {
	forEach(t, func(t *testing.T, s hsm.Store) {
		if err := s.GenerateKEK("kek"); err != nil {
			t.Fatalf("GenerateKEK: %v", err)
		}
		o := findObject(t, s, "kek", "CKO_SECRET_KEY")
		if o.KeyType != "CKK_AES" || o.ID == "" {
			t.Errorf("KEK object = %+v, want CKK_AES with an id", o)
		}
		wantAttrs(t, o, map[string]bool{
			"CKA_TOKEN": true, "CKA_PRIVATE": true,
			"CKA_SENSITIVE": true, "CKA_ALWAYS_SENSITIVE": true,
			"CKA_EXTRACTABLE": false, "CKA_NEVER_EXTRACTABLE": true,
			"CKA_ENCRYPT": true, "CKA_DECRYPT": true,
			"CKA_WRAP": false, "CKA_UNWRAP": false,
			"CKA_SIGN": false, "CKA_VERIFY": false, "CKA_DERIVE": false,
			"CKA_MODIFIABLE": false, "CKA_COPYABLE": false,
		})
		if !slices.Equal(o.AllowedMechanisms, []string{"CKM_AES_GCM"}) {
			t.Errorf("KEK allowed mechanisms = %v, want CKM_AES_GCM only", o.AllowedMechanisms)
		}
	})
}
