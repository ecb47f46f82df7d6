package ceremony

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/hsm"
)

// TestStepsJudgeChainsAsWorkloadPeers: csr sign, verify and bundle export refuse a
// chain whose workload certificates peers would reject, in the ceremony's trust domain,
// and write nothing. (Before, a root excluding spiffe://cluster.local had its
// intermediates issued, verified and exported, and so did an intermediate with
// serverAuth only.)
func TestStepsJudgeChainsAsWorkloadPeers(t *testing.T) {
	ctx := context.Background()
	store := hsm.NewSoftStore()
	f := newFixture(t, store, nil)
	signer, err := store.GenerateKeyPair("root", hsm.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	root := judgeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "constrained root"},
		ExcludedURIDomains: []string{"cluster.local"}}, nil, signer.Public(), signer)
	if err := store.ImportCertificate("root", root); err != nil {
		t.Fatal(err)
	}

	// csr sign under a root that excludes the trust domain writes nothing.
	csr := f.writeCSR(t, "istiod.csr", ca.DefaultIstiodDNSSAN)
	_, err = f.c.SignCSR(ctx, SignRequest{CSR: csr, Cluster: "c1", RootLabel: "root", OutDir: f.path("c1")})
	if err == nil || !strings.Contains(err.Error(), `excluded by constraint "cluster.local"`) {
		t.Errorf("csr sign under a root excluding cluster.local: %v", err)
	}
	if _, err := os.Stat(f.path("c1")); err == nil {
		t.Error("csr sign wrote its folder")
	}
	// In another trust domain the same root serves.
	f.c.TrustDomain = "example.org"
	if _, err := f.c.SignCSR(ctx, SignRequest{CSR: csr, Cluster: "c1", RootLabel: "root", OutDir: f.path("c1")}); err != nil {
		t.Fatalf("csr sign in trust domain example.org: %v", err)
	}
	if err := f.c.Verify(ctx, filepath.Join(f.path("c1"), CertChainFile), "root"); err != nil {
		t.Errorf("verify in trust domain example.org: %v", err)
	}
	f.c.TrustDomain = ""
	if err := f.c.Verify(ctx, filepath.Join(f.path("c1"), CertChainFile), "root"); err == nil || !strings.Contains(err.Error(), "excluded") {
		t.Errorf("verify in cluster.local: %v", err)
	}

	// An intermediate with serverAuth only, under a root without constraints.
	plainSigner, err := store.GenerateKeyPair("plain", hsm.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	plain := judgeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "plain root"}}, nil, plainSigner.Public(), plainSigner)
	if err := store.ImportCertificate("plain", plain); err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	server := judgeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "server only"}, MaxPathLenZero: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, plain, key.Public(), plainSigner)
	dir := f.path("server")
	caPEM, chainPEM, rootPEM := ca.Chain(server, plain)
	for name, data := range map[string][]byte{CACertFile: caPEM, CertChainFile: chainPEM, RootCertFile: rootPEM} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.c.Verify(ctx, filepath.Join(dir, CertChainFile), "plain"); err == nil || !strings.Contains(err.Error(), "for client auth") {
		t.Errorf("verify of a serverAuth-only CA: %v", err)
	}
	pkg := f.path("pkg")
	out, err := f.c.ExportBundle(ctx, BundleRequest{Cluster: "c1", Namespace: "istio-system", Flow: "hsm-plugin", Package: pkg,
		CACert: filepath.Join(dir, CACertFile), CertChain: filepath.Join(dir, CertChainFile), RootCert: filepath.Join(dir, RootCertFile)})
	if err == nil || !strings.Contains(err.Error(), "for client auth") {
		t.Errorf("bundle export of a serverAuth-only CA: %v", err)
	}
	if _, err := os.Stat(out.Path); err == nil {
		t.Error("bundle export wrote the bundle")
	}
}

// judgeCert issues a CA certificate valid around the clock from tmpl, signed by
// parent's key (self-signed when parent is nil).
func judgeCert(t *testing.T, tmpl *x509.Certificate, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(clock.UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = clock.AddDate(-1, 0, 0), clock.AddDate(10, 0, 0)
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
