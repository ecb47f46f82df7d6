package csrcrypt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"testing"
)

// testKEK returns a software KEK whose 32 key bytes are seed, seed+1, ….
func testKEK(t testing.TB, seed byte) AEAD {
	t.Helper()
	key := make([]byte, 32)
	for i := range key {
		key[i] = seed + byte(i)
	}
	kek, err := NewSoftwareAEAD(key)
	if err != nil {
		t.Fatal(err)
	}
	return kek
}

// testCSR returns a fresh PEM CSR shaped like istiod's intermediate CA CSR.
func testCSR(t testing.TB) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{Organization: []string{"Istio"}, CommonName: "Intermediate CA"},
		DNSNames: []string{"istiod.istio-system.svc"},
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// testEncrypted encrypts a fresh CSR under testKEK(t, 1) as KEK "kek-1".
func testEncrypted(t testing.TB) (*EncryptedCSR, []byte) {
	t.Helper()
	csr := testCSR(t)
	e, err := Encrypt("kek-1", testKEK(t, 1), csr, "csr-id-1", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return e, csr
}

// mustDecrypt decrypts and compares with want.
func mustDecrypt(t *testing.T, e *EncryptedCSR, kek AEAD, want []byte) {
	t.Helper()
	got, err := Decrypt(e, kek)
	if err != nil {
		t.Fatalf("Decrypt: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Decrypt returned %q, want %q", got, want)
	}
}

// mustFail runs f and requires an error containing every one of wants.
func mustFail(t *testing.T, out []byte, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("succeeded (returned %d bytes); want an error containing %q", len(out), wants)
	}
	if out != nil {
		t.Errorf("returned %d bytes alongside the error", len(out))
	}
	for _, w := range wants {
		if !bytes.Contains([]byte(err.Error()), []byte(w)) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}
