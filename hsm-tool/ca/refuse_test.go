package ca

import (
	"crypto"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/url"
	"testing"
	"time"
)

func TestSignIntermediateRefusesCSRs(t *testing.T) {
	rootKey := testKey(t, "p256")
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	evilURI, _ := url.Parse("spiffe://cluster.local/ns/default/sa/default")
	for _, tc := range []struct {
		name   string
		key    string
		change func(*x509.CertificateRequest)
		want   string
	}{
		{"weak RSA 1024", "rsa1024", nil, "the RSA key has 1024 bits; the policy requires at least 2048"},
		{"P-224", "p224", nil, "the ECDSA curve P-224 is not allowed (allowed: P-256, P-384)"},
		{"pathlen 1", "p256-b", func(r *x509.CertificateRequest) {
			r.ExtraExtensions = []pkix.Extension{basicConstraints(t, true, 1)}
		}, "CA path length 1"},
		{"unlimited pathlen", "p256-b", func(r *x509.CertificateRequest) {
			r.ExtraExtensions = []pkix.Extension{basicConstraints(t, true, -1)}
		}, "unlimited CA path length"},
		{"CA:FALSE", "p256-b", func(r *x509.CertificateRequest) {
			r.ExtraExtensions = []pkix.Extension{basicConstraints(t, false, -1)}
		}, "CA:FALSE"},
		{"IP SAN", "p256-b", func(r *x509.CertificateRequest) { r.IPAddresses = ipSAN }, "IP SANs [10.0.0.1]"},
		{"email SAN", "p256-b", func(r *x509.CertificateRequest) { r.EmailAddresses = []string{"a@b.c"} }, "email SANs"},
		{"unexpected DNS SAN", "p256-b", func(r *x509.CertificateRequest) {
			r.DNSNames = append(r.DNSNames, "evil.example.com")
		}, `DNS SAN "evil.example.com"`},
		{"URI SAN", "p256-b", func(r *x509.CertificateRequest) { r.URIs = []*url.URL{evilURI} }, `URI SAN "spiffe://cluster.local/ns/default/sa/default"`},
		{"other organization", "p256-b", func(r *x509.CertificateRequest) {
			r.Subject.Organization = []string{"Evil"}
		}, `O="Evil"; the policy issues O="Istio"`},
		{"other cluster", "p256-b", func(r *x509.CertificateRequest) {
			r.Subject.Locality = []string{"cluster2"}
		}, `L="cluster2"; the policy issues L="cluster1"`},
		{"extra subject attribute", "p256-b", func(r *x509.CertificateRequest) {
			r.Subject.OrganizationalUnit = []string{"ops"}
		}, `OU="ops", which the policy does not issue`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := istioCSRTemplate(t)
			if tc.change != nil {
				tc.change(tmpl)
			}
			csr := newCSR(t, tmpl, testKey(t, tc.key))
			cert, err := SignIntermediate(csr, "cluster1", root, rootKey, Policy{}, now, rand.Reader)
			if cert != nil {
				t.Error("a certificate was returned")
			}
			wantErr(t, err, `for cluster "cluster1"`, tc.want)
		})
	}
}

func TestSignIntermediateRefusesEd25519(t *testing.T) {
	rootKey := testKey(t, "p256")
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, err = SignIntermediate(newCSR(t, istioCSRTemplate(t), edKey), "cluster1", root, rootKey, Policy{}, now, rand.Reader)
	wantErr(t, err, "Ed25519 keys are not allowed")
}

func TestSignIntermediateRefusesTamperedCSR(t *testing.T) {
	rootKey := testKey(t, "p256")
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	der, err := x509.CreateCertificateRequest(rand.Reader, istioCSRTemplate(t), testKey(t, "p256-b"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, at := range []int{len(der) - 2, len(der) / 2} { // in the signature; in the subject/key
		bad := append([]byte(nil), der...)
		bad[at] ^= 0x01
		csr, err := x509.ParseCertificateRequest(bad)
		if err != nil {
			continue // tampering broke the DER itself: also refused
		}
		checked++
		_, err = SignIntermediate(csr, "cluster1", root, rootKey, Policy{}, now, rand.Reader)
		wantErr(t, err, "the CSR's signature does not verify")
	}
	if checked == 0 {
		t.Fatal("no tampered CSR parsed; the signature check was not exercised")
	}
}

func TestSignIntermediateRefusesRoots(t *testing.T) {
	rootKey := testKey(t, "p256")
	goodRoot := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	expired := newRoot(t, rootKey, now.Add(-48*time.Hour), 24*time.Hour)
	future := newRoot(t, rootKey, now.Add(time.Hour), 0)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "leaf"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), BasicConstraintsValid: true}
	notCA := mustCreate(t, leafTmpl, leafTmpl, rootKey.Public(), rootKey)
	zeroTmpl, _ := RootTemplate(RootOptions{}, now.Add(-time.Hour), big.NewInt(3))
	zeroTmpl.MaxPathLen, zeroTmpl.MaxPathLenZero = 0, true
	pathlenZero := mustCreate(t, zeroTmpl, zeroTmpl, rootKey.Public(), rootKey)
	for _, tc := range []struct {
		name   string
		root   *x509.Certificate
		signer crypto.Signer
		want   string
	}{
		{"expired root", expired, rootKey, "expired at " + expired.NotAfter.UTC().Format(time.RFC3339)},
		{"root not yet valid", future, rootKey, "is not valid until"},
		{"signer is not the root's key", goodRoot, testKey(t, "p256-b"), "the signer's key is not the key of the root"},
		{"root is not a CA", notCA, rootKey, "is not a CA"},
		{"root with pathlen 0", pathlenZero, rootKey, "pathlen 0"},
		{"no root", nil, rootKey, "no root certificate"},
		{"no signer", goodRoot, nil, "no root signer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			csr := newCSR(t, istioCSRTemplate(t), testKey(t, "p256-b"))
			_, err := SignIntermediate(csr, "cluster1", tc.root, tc.signer, Policy{}, now, rand.Reader)
			wantErr(t, err, tc.want)
		})
	}
}

func TestSignIntermediateRefusesArguments(t *testing.T) {
	rootKey := testKey(t, "p256")
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	csr := newCSR(t, istioCSRTemplate(t), testKey(t, "p256-b"))
	for _, tc := range []struct {
		name    string
		cluster string
		p       Policy
		want    string
	}{
		{"no cluster", "", Policy{}, "cluster name is empty"},
		{"cluster with newline", "a\nb", Policy{}, "control characters"},
		{"negative validity", "cluster1", Policy{MaxValidity: -time.Hour}, "negative"},
		{"curve outside the policy", "cluster1", Policy{Keys: KeyPolicy{AllowedCurves: []elliptic.Curve{elliptic.P384()}}}, "P-256 is not allowed (allowed: P-384)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SignIntermediate(csr, tc.cluster, root, rootKey, tc.p, now, rand.Reader)
			wantErr(t, err, tc.want)
		})
	}
	if _, err := SignIntermediate(nil, "cluster1", root, rootKey, Policy{}, now, rand.Reader); err == nil {
		t.Error("a nil CSR was signed")
	}
}
