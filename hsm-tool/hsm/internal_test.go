package hsm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"math/big"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	slot := uint(3)
	pin := []byte("1234")
	cases := map[string]struct {
		cfg  Config
		want []string // substrings of the error; nil means valid
	}{
		"label":          {Config{Module: "/m.so", TokenLabel: "root", PIN: pin}, nil},
		"slot":           {Config{Module: "/m.so", Slot: &slot, PIN: pin}, nil},
		"both":           {Config{Module: "/m.so", TokenLabel: "root", Slot: &slot, PIN: pin}, []string{"TokenLabel", `"root"`, "Slot", "3"}},
		"neither":        {Config{Module: "/m.so", PIN: pin}, []string{"neither"}},
		"no module":      {Config{TokenLabel: "root", PIN: pin}, []string{"Module", "P11_LIB"}},
		"no PIN":         {Config{Module: "/m.so", TokenLabel: "root"}, []string{"PIN is empty"}},
		"everything bad": {Config{}, []string{"Module", "neither", "PIN"}},
	}
	for name, c := range cases {
		err := c.cfg.validate()
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", name, err, w)
			}
		}
		if strings.Contains(err.Error(), "1234") {
			t.Errorf("%s: error %q contains the PIN", name, err)
		}
	}
}

func TestDigestInfoMatchesRFC8017(t *testing.T) {
	// RFC 8017 section 9.2, note 1: the DER prefix of a SHA-256 DigestInfo.
	prefix := []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	digest := bytes.Repeat([]byte{0xab}, 32)
	got, err := digestInfo(crypto.SHA256, digest)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(prefix, digest...); !bytes.Equal(got, want) {
		t.Fatalf("digestInfo = %x, want %x", got, want)
	}
	for _, h := range []crypto.Hash{crypto.SHA384, crypto.SHA512} {
		di, err := digestInfo(h, make([]byte, h.Size()))
		if err != nil || len(di) != 19+h.Size() {
			t.Errorf("digestInfo(%v) = %x, %v", h, di, err)
		}
	}
	if _, err := digestInfo(crypto.SHA1, make([]byte, 20)); err == nil {
		t.Error("digestInfo accepted SHA-1")
	}
}

func TestECDSARawToASN1(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := make([]byte, 48)
	r, s, err := ecdsa.Sign(rand.Reader, key, digest)
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 96)
	r.FillBytes(raw[:48])
	s.FillBytes(raw[48:])
	der, err := ecdsaRawToASN1(&key.PublicKey, raw)
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(&key.PublicKey, digest, der) {
		t.Fatal("converted signature does not verify")
	}
	if _, err := ecdsaRawToASN1(&key.PublicKey, raw[:64]); err == nil {
		t.Error("accepted a P-256-sized signature for a P-384 key")
	}
	if _, err := ecdsaRawToASN1(&key.PublicKey, make([]byte, 96)); err == nil {
		t.Error("accepted r = s = 0")
	}
}

func TestPSSSaltLength(t *testing.T) {
	pub := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 2047), E: 65537} // a 2048-bit modulus
	cases := map[int]int{rsa.PSSSaltLengthEqualsHash: 32, rsa.PSSSaltLengthAuto: 256 - 2 - 32, 20: 20}
	for in, want := range cases {
		got, err := pssSaltLength(pub, crypto.SHA256, &rsa.PSSOptions{SaltLength: in})
		if err != nil || got != want {
			t.Errorf("pssSaltLength(%d) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := pssSaltLength(pub, crypto.SHA256, &rsa.PSSOptions{SaltLength: 223}); err == nil {
		t.Error("accepted a salt longer than the key allows")
	}
}
