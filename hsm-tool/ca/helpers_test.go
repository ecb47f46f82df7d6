package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

// now is the fixed "current time" of the tests.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var (
	keyMu    sync.Mutex
	keyCache = map[string]crypto.Signer{}
)

// testKey returns a cached key: "rsa1024", "rsa2048", "p224", "p256", "p384",
// with an optional suffix ("p256-b") for a second distinct key.
func testKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	if k, ok := keyCache[name]; ok {
		return k
	}
	var k crypto.Signer
	var err error
	switch kind, _, _ := strings.Cut(name, "-"); kind {
	case "rsa1024":
		k, err = rsa.GenerateKey(rand.Reader, 1024)
	case "rsa2048":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case "p224":
		k, err = ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	case "p256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		t.Fatalf("unknown test key %q", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	keyCache[name] = k
	return k
}

// newRoot self-signs a root from RootTemplate, valid from notBefore.
func newRoot(t testing.TB, key crypto.Signer, notBefore time.Time, validity time.Duration) *x509.Certificate {
	t.Helper()
	tmpl, err := RootTemplate(RootOptions{Validity: validity}, notBefore, big.NewInt(1))
	if err != nil {
		t.Fatal(err)
	}
	return mustCreate(t, tmpl, tmpl, key.Public(), key)
}

func mustCreate(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// basicConstraints encodes a requested basicConstraints extension; pathLen
// -1 leaves the path length out (unlimited).
func basicConstraints(t testing.TB, isCA bool, pathLen int) pkix.Extension {
	t.Helper()
	v, err := asn1.Marshal(struct {
		IsCA       bool `asn1:"optional"`
		MaxPathLen int  `asn1:"optional,default:-1"`
	}{isCA, pathLen})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: oidBasicConstraints, Critical: true, Value: v}
}

// istioCSRTemplate is the request Istio's intermediate.conf makes for
// cluster1: O=Istio, CN=Intermediate CA, L=cluster1, CA:TRUE pathlen:0, and
// DNS:istiod.istio-system.svc.
func istioCSRTemplate(t testing.TB) *x509.CertificateRequest {
	return &x509.CertificateRequest{
		Subject: pkix.Name{
			Organization: []string{"Istio"}, CommonName: "Intermediate CA", Locality: []string{"cluster1"},
		},
		DNSNames:        []string{"istiod.istio-system.svc"},
		ExtraExtensions: []pkix.Extension{basicConstraints(t, true, 0)},
	}
}

// newCSR signs tmpl with key and parses the result.
func newCSR(t testing.TB, tmpl *x509.CertificateRequest, key crypto.Signer) *x509.CertificateRequest {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

// issue signs an Istio-shaped CSR for cluster1 from key under root.
func issue(t testing.TB, root *x509.Certificate, rootKey, key crypto.Signer, p Policy) *x509.Certificate {
	t.Helper()
	cert, err := SignIntermediate(newCSR(t, istioCSRTemplate(t), key), "cluster1", root, rootKey, p, now, rand.Reader)
	if err != nil {
		t.Fatalf("SignIntermediate: %v", err)
	}
	return cert
}

func wantErr(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}
