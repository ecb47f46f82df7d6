package ca

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"github.com/meshfn/meshfn/internal/certchain"
	"math/big"
	"testing"
	"time"
)

// fixture is a root, an intermediate issued by SignIntermediate, and the
// PEM files Chain makes of them.
type fixture struct {
	root, intermediate          *x509.Certificate
	caCert, certChain, rootCert []byte
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	rootKey := testKey(t, "p256")
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	cert := issue(t, root, rootKey, testKey(t, "p256-b"), Policy{})
	f := fixture{root: root, intermediate: cert}
	f.caCert, f.certChain, f.rootCert = Chain(cert, root)
	return f
}

func TestChainOrder(t *testing.T) {
	f := newFixture(t)
	certs, err := certchain.ParsePEM(f.certChain)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 || !certs[0].Equal(f.intermediate) || !certs[1].Equal(f.root) {
		t.Fatal("cert-chain.pem is not the intermediate then the root")
	}
	if !bytes.Equal(f.certChain, append(append([]byte(nil), f.caCert...), f.rootCert...)) {
		t.Fatal("cert-chain.pem is not ca-cert.pem followed by root-cert.pem")
	}
	if err := VerifyChain(f.caCert, f.root, now, certchain.Policy{}); err != nil {
		t.Fatalf("the intermediate alone does not verify: %v", err)
	}
}

func TestVerifyChainRefusals(t *testing.T) {
	f := newFixture(t)
	otherKey := testKey(t, "p384")
	otherRoot := newRoot(t, otherKey, now.Add(-time.Hour), 0)
	_, otherChain, _ := Chain(issue(t, otherRoot, otherKey, testKey(t, "p256-b"), Policy{}), otherRoot)
	leafPEM := pemOf(newLeaf(t, f.intermediate))
	outlivesRoot := mustCreate(t, &x509.Certificate{SerialNumber: big.NewInt(5), Subject: pkix.Name{CommonName: "long"},
		NotBefore: now, NotAfter: f.root.NotAfter.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign}, f.root, testKey(t, "p256-b").Public(), testKey(t, "p256"))
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	for _, tc := range []struct {
		name  string
		chain []byte
		root  *x509.Certificate
		at    time.Time
		want  string
	}{
		{"truncated PEM", f.certChain[:len(f.certChain)-40], f.root, now, "PEM block 2 is truncated or corrupt"},
		{"cut inside the first block", f.certChain[:100], f.root, now, "PEM block 1 is truncated or corrupt"},
		{"text after the chain", append(append([]byte(nil), f.certChain...), "junk\n"...), f.root, now, "text after PEM block 2"},
		{"private key block", append(append([]byte(nil), f.caCert...), keyPEM...), f.root, now, "holds private key material"},
		{"garbage DER", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("nope")}), f.root, now, "PEM block 1 is not a valid certificate"},
		{"empty", nil, f.root, now, "holds no certificate"},
		{"non-CA leaf", append(leafPEM, f.certChain...), f.root, now, `certificate 1: "CN=workload" is not a CA certificate`},
		{"wrong root (chain ends with its own root)", otherChain, f.root, now, "must end with the root"},
		{"wrong root (no root in chain)", f.caCert, otherRoot, now, "is not signed by certificate 2"},
		{"expired", f.certChain, f.root, f.intermediate.NotAfter.Add(time.Second), `certificate 1: "CN=Intermediate CA" expired on`},
		{"not yet valid", f.certChain, f.root, now.Add(-time.Minute), "is not valid before"},
		{"root expired", pemOf(outlivesRoot), f.root, f.root.NotAfter.Add(time.Second), `the root: "CN=Root CA" expired on`},
		{"no root", f.certChain, nil, now, "no root given"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, VerifyChain(tc.chain, tc.root, tc.at, certchain.Policy{}), tc.want)
		})
	}
}

func TestVerifyChainRefusesEKUWithoutServerAuth(t *testing.T) {
	// istiod verifies with Go's default usage, server auth.
	rootKey := testKey(t, "p256")
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	key := testKey(t, "p256-b")
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "client-only CA"},
		NotBefore: now.Add(-time.Minute), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	ca := mustCreate(t, tmpl, root, key.Public(), rootKey)
	wantErr(t, VerifyChain(pemOf(ca), root, now, certchain.Policy{}), "does not verify to the root", "key usage")
}

// newLeaf issues a workload certificate from the fixture's intermediate,
// whose key is testKey "p256-b".
func newLeaf(t *testing.T, issuer *x509.Certificate) *x509.Certificate {
	t.Helper()
	key := testKey(t, "p384-leaf")
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "workload"},
		NotBefore: now, NotAfter: now.Add(time.Hour), BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	return mustCreate(t, tmpl, issuer, key.Public(), testKey(t, "p256-b"))
}

func pemOf(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// TestVerifyChainAgreesWithGenerateCASecrets: hsm-tool verify refuses what
// generate-ca-secrets refuses, through the same package (certchain). (Before, a CA
// without keyUsage passed hsm-tool verify and failed generate-ca-secrets, and an
// RSA-1024 CA or a CA below a pathlen:0 intermediate passed both.)
func TestVerifyChainAgreesWithGenerateCASecrets(t *testing.T) {
	rootKey := testKey(t, "p256")
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	ca := func(name string, key crypto.Signer, issuer *x509.Certificate, issuerKey crypto.Signer, edit func(*x509.Certificate)) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Minute), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign}
		edit(tmpl)
		return mustCreate(t, tmpl, issuer, key.Public(), issuerKey)
	}
	noKeyUsage := ca("no keyUsage", testKey(t, "p256-b"), root, rootKey, func(c *x509.Certificate) { c.KeyUsage = 0 })
	weak := ca("weak", testKey(t, "rsa1024"), root, rootKey, func(*x509.Certificate) {})
	zero := ca("pathlen 0", testKey(t, "p256-c"), root, rootKey, func(c *x509.Certificate) { c.MaxPathLenZero = true })
	below := ca("below", testKey(t, "p256-d"), zero, testKey(t, "p256-c"), func(*x509.Certificate) {})
	for _, tc := range []struct {
		name  string
		chain []byte
		want  string
	}{
		{"CA without keyUsage", pemOf(noKeyUsage), "lacks keyUsage keyCertSign"},
		{"RSA-1024 CA", pemOf(weak), "the RSA key has 1024 bits"},
		{"CA below a pathlen:0 intermediate", append(pemOf(below), pemOf(zero)...), "(pathlen:0), but the chain has 1"},
		{"a PEM header", bytes.Replace(pemOf(zero), []byte("-----\n"), []byte("-----\nX-Key: MIIEvQ\n\n"), 1), "has headers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, VerifyChain(tc.chain, root, now, certchain.Policy{}), tc.want)
		})
	}
}
