package csrcrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"testing"
)

// The vector is built here from the format description alone, with
// crypto/cipher directly; neither Encrypt nor this package's JWE code is used
// to build it, so a mistake on one side cannot hide behind the same mistake on
// the other.
const (
	vecKEKID = "0f6c1a52-9d3e-4b7a-8c21-5e4f3d2b1a09" // a UUID, as GenerateKEK makes
	vecCSRID = "istiod-csr-1"
	vecCSR   = "-----BEGIN CERTIFICATE REQUEST-----\nTUlJQlZUQ0IvQUlCQURBbk1RNHdEQVlEVlFRS0V3VkpjM1JwYnc9PQ==\n-----END CERTIFICATE REQUEST-----\n"
)

func seq(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

// specJWE seals plaintext as RFC 7516 §7.1 compact JWE with alg dir and enc
// A256GCM: AAD = ASCII(BASE64URL(header)), IV and tag in their own parts.
func specJWE(t *testing.T, key, iv []byte, header string, plaintext []byte) string {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding
	h := b64.EncodeToString([]byte(header))
	sealed := gcm.Seal(nil, iv, plaintext, []byte(h))
	ct, tag := sealed[:len(plaintext)], sealed[len(plaintext):]
	return h + ".." + b64.EncodeToString(iv) + "." + b64.EncodeToString(ct) + "." + b64.EncodeToString(tag)
}

// specVector returns the document in the Secret .data form and the inputs.
func specVector(t *testing.T) (doc []byte, kek, dek, iv1, iv2 []byte) {
	kek, dek, iv1, iv2 = seq(0x00, 32), seq(0x40, 32), seq(0xa0, 12), seq(0xc0, 12)
	b64 := base64.RawURLEncoding
	k := b64.EncodeToString(dek)
	sum := sha256.Sum256([]byte("v1.jwk.oct." + k))
	dekKid := hex.EncodeToString(sum[:])
	jwk := `{"key_ops":["encrypt","decrypt","sign","verify"],"alg":"A256GCM","kid":"` + dekKid + `","k":"` + k + `","kty":"oct"}`
	encDEK := specJWE(t, kek, iv1, `{"alg":"dir","kid":"`+vecKEKID+`","enc":"A256GCM"}`, []byte(jwk))
	csrHeader := `{"alg":"dir","kid":"` + dekKid + `","_thales_aad":"` + b64.EncodeToString([]byte(vecCSRID)) + `","enc":"A256GCM"}`
	encCSR := specJWE(t, dek, iv2, csrHeader, []byte(vecCSR))
	std := base64.StdEncoding.EncodeToString
	doc = []byte(`{"csr-id":"` + std([]byte(vecCSRID)) + `","encrypted-csr":"` + std([]byte(encCSR)) +
		`","encrypted-dek":"` + std([]byte(encDEK)) + `","kek-id":"` + std([]byte(vecKEKID)) + `"}`)
	return doc, kek, dek, iv1, iv2
}

func TestSpecVectorDecrypts(t *testing.T) {
	doc, kekKey, _, _, _ := specVector(t)
	e, err := Parse(doc)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	kek, err := NewSoftwareAEAD(kekKey)
	if err != nil {
		t.Fatal(err)
	}
	mustDecrypt(t, e, kek, []byte(vecCSR))
}

func TestEncryptReproducesSpecVector(t *testing.T) {
	doc, kekKey, dek, iv1, iv2 := specVector(t)
	kek, err := NewSoftwareAEAD(kekKey)
	if err != nil {
		t.Fatal(err)
	}
	random := bytes.NewReader(append(append(append([]byte(nil), dek...), iv1...), iv2...))
	e, err := Encrypt(vecKEKID, kek, []byte(vecCSR), vecCSRID, random)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, doc) {
		t.Fatalf("Encrypt+Marshal =\n%s\nwant (built from the spec)\n%s", got, doc)
	}
}
