package ca

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/meshfn/meshfn/internal/certchain"
)

func TestSignIntermediateHappyPath(t *testing.T) {
	for _, tc := range []struct{ rootKey, key string }{
		{"p256", "p256"},
		{"rsa2048", "rsa2048"},
		{"rsa2048", "p384"},
		{"p384", "rsa2048"},
	} {
		t.Run(tc.rootKey+" root, "+tc.key+" intermediate", func(t *testing.T) {
			rootKey := testKey(t, tc.rootKey)
			root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
			cert := issue(t, root, rootKey, testKey(t, tc.key), Policy{})
			checkIntermediateProfile(t, cert, root)
			_, chain, _ := Chain(cert, root)
			if err := VerifyChain(chain, root, now, certchain.Policy{}); err != nil {
				t.Fatalf("VerifyChain: %v", err)
			}
		})
	}
}

// checkIntermediateProfile checks the issued certificate field by field.
func checkIntermediateProfile(t *testing.T, cert, root *x509.Certificate) {
	t.Helper()
	if !cert.IsCA || !cert.BasicConstraintsValid || cert.MaxPathLen != 0 || !cert.MaxPathLenZero {
		t.Errorf("basic constraints: IsCA=%v valid=%v pathlen=%d zero=%v", cert.IsCA, cert.BasicConstraintsValid, cert.MaxPathLen, cert.MaxPathLenZero)
	}
	if want := x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature; cert.KeyUsage != want {
		t.Errorf("key usage = %b, want %b", cert.KeyUsage, want)
	}
	if len(cert.ExtKeyUsage) != 0 || len(cert.UnknownExtKeyUsage) != 0 {
		t.Errorf("extended key usage %v present; Istio's intermediate has none", cert.ExtKeyUsage)
	}
	if got := cert.Subject.String(); got != "CN=Intermediate CA,O=Istio,L=cluster1" {
		t.Errorf("subject = %q", got)
	}
	if !bytes.Equal(cert.RawIssuer, root.RawSubject) {
		t.Errorf("issuer = %q, want %q", cert.Issuer, root.Subject)
	}
	if len(cert.DNSNames) != 1 || cert.DNSNames[0] != "istiod.istio-system.svc" || len(cert.IPAddresses)+len(cert.EmailAddresses)+len(cert.URIs) != 0 {
		t.Errorf("SANs = %v %v %v %v", cert.DNSNames, cert.IPAddresses, cert.EmailAddresses, cert.URIs)
	}
	if !cert.NotBefore.Equal(now) || !cert.NotAfter.Equal(now.Add(DefaultIntermediateValidity)) {
		t.Errorf("validity %v to %v, want %v for %v", cert.NotBefore, cert.NotAfter, now, DefaultIntermediateValidity)
	}
	if cert.SerialNumber.Sign() <= 0 || cert.SerialNumber.BitLen() > 128 {
		t.Errorf("serial %v is not a positive 128-bit number", cert.SerialNumber)
	}
	if !bytes.Equal(cert.AuthorityKeyId, root.SubjectKeyId) {
		t.Errorf("AKI %x, want the root's SKI %x", cert.AuthorityKeyId, root.SubjectKeyId)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		t.Fatal(err)
	}
	if sum := sha1.Sum(spki.PublicKey.Bytes); !bytes.Equal(cert.SubjectKeyId, sum[:]) {
		t.Errorf("SKI %x, want %x", cert.SubjectKeyId, sum)
	}
	if err := cert.CheckSignatureFrom(root); err != nil {
		t.Errorf("not signed by the root: %v", err)
	}
}

func TestSerialsDiffer(t *testing.T) {
	rootKey := testKey(t, "p256")
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	a := issue(t, root, rootKey, testKey(t, "p256-b"), Policy{})
	b := issue(t, root, rootKey, testKey(t, "p256-b"), Policy{})
	if a.SerialNumber.Cmp(b.SerialNumber) == 0 {
		t.Fatal("two issuances got the same serial")
	}
}

func TestValidityCappedByRoot(t *testing.T) {
	rootKey := testKey(t, "p256")
	shortRoot := newRoot(t, rootKey, now.Add(-time.Hour), 100*24*time.Hour)
	cert := issue(t, shortRoot, rootKey, testKey(t, "p256-b"), Policy{})
	if !cert.NotAfter.Equal(shortRoot.NotAfter) {
		t.Errorf("NotAfter = %v, want the root's %v", cert.NotAfter, shortRoot.NotAfter)
	}
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	cert = issue(t, root, rootKey, testKey(t, "p256-b"), Policy{MaxValidity: 24 * time.Hour})
	if !cert.NotAfter.Equal(now.Add(24 * time.Hour)) {
		t.Errorf("NotAfter = %v, want now+24h", cert.NotAfter)
	}
}

func TestPolicyAllowsConfiguredSANs(t *testing.T) {
	rootKey := testKey(t, "p256")
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	tmpl := istioCSRTemplate(t)
	tmpl.DNSNames = []string{"istiod.istio-system.svc", "istiod-1-22.istio-system.svc"}
	spiffe, _ := url.Parse("spiffe://cluster.local/ns/istio-system/sa/istiod")
	tmpl.URIs = []*url.URL{spiffe}
	p := Policy{
		AllowedDNSSANs: []string{"*.istio-system.svc"},
		AllowedURISANs: []string{"spiffe://cluster.local/ns/istio-system/*"},
	}
	cert, err := SignIntermediate(newCSR(t, tmpl, testKey(t, "p256-b")), "cluster1", root, rootKey, p, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.DNSNames) != 2 || len(cert.URIs) != 1 || cert.URIs[0].String() != spiffe.String() {
		t.Errorf("SANs = %v %v", cert.DNSNames, cert.URIs)
	}
}

func TestCSRWithoutOptionalRequests(t *testing.T) {
	// A CSR that asks for no subject, SAN or basic constraints is fine: the
	// certificate comes from the policy.
	rootKey := testKey(t, "p256")
	root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
	csr := newCSR(t, &x509.CertificateRequest{}, testKey(t, "p256-b"))
	cert, err := SignIntermediate(csr, "cluster1", root, rootKey, Policy{}, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Subject.String() != "CN=Intermediate CA,O=Istio,L=cluster1" || len(cert.DNSNames) != 0 {
		t.Errorf("subject %q, SANs %v", cert.Subject, cert.DNSNames)
	}
}

func TestDNSAndURIPatterns(t *testing.T) {
	for _, tc := range []struct {
		patterns []string
		name     string
		want     bool
	}{
		{[]string{"istiod.istio-system.svc"}, "istiod.istio-system.svc", true},
		{[]string{"istiod.istio-system.svc"}, "ISTIOD.istio-system.svc.", true},
		{[]string{"istiod.istio-system.svc"}, "istiod.istio-system.svc.cluster.local", false},
		{[]string{"*.istio-system.svc"}, "istiod-canary.istio-system.svc", true},
		{[]string{"*.istio-system.svc"}, "a.b.istio-system.svc", false},
		{[]string{"*.istio-system.svc"}, "istio-system.svc", false},
		{[]string{"*.istio-system.svc"}, ".istio-system.svc", false},
		{[]string{"*.istio-system.svc"}, "*.istio-system.svc", true},
		{[]string{"istiod.istio-system.svc"}, "*.istio-system.svc", false},
		{[]string{"*.istio-system.svc"}, "x.evil-istio-system.svc", false},
		{nil, "istiod.istio-system.svc", false},
	} {
		if got := dnsAllowed(tc.patterns, tc.name); got != tc.want {
			t.Errorf("dnsAllowed(%q, %q) = %v", tc.patterns, tc.name, got)
		}
	}
	for _, tc := range []struct {
		patterns []string
		uri      string
		want     bool
	}{
		{[]string{"spiffe://cluster.local/ns/istio-system/sa/istiod"}, "spiffe://cluster.local/ns/istio-system/sa/istiod", true},
		{[]string{"spiffe://cluster.local/ns/istio-system/sa/istiod"}, "spiffe://cluster.local/ns/istio-system/sa/istiod2", false},
		{[]string{"spiffe://cluster.local/*"}, "spiffe://cluster.local/ns/x", true},
		{[]string{"spiffe://cluster.local/*"}, "spiffe://cluster.localhost/", false},
		{nil, "spiffe://cluster.local/", false},
	} {
		if got := uriAllowed(tc.patterns, tc.uri); got != tc.want {
			t.Errorf("uriAllowed(%q, %q) = %v", tc.patterns, tc.uri, got)
		}
	}
}

// ipSAN is used by the refusal table.
var ipSAN = []net.IP{net.ParseIP("10.0.0.1")}

func TestParseCSR(t *testing.T) {
	der, err := x509.CreateCertificateRequest(rand.Reader, istioCSRTemplate(t), testKey(t, "p256-b"))
	if err != nil {
		t.Fatal(err)
	}
	good := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	csr, err := ParseCSR(good)
	if err != nil || csr.Subject.CommonName != "Intermediate CA" {
		t.Fatalf("ParseCSR = %v, %v", csr, err)
	}
	legacy := pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: der})
	if _, err := ParseCSR(legacy); err != nil {
		t.Errorf("NEW CERTIFICATE REQUEST: %v", err)
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"empty":       {nil, "no PEM block"},
		"certificate": {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), `"CERTIFICATE", not a CERTIFICATE REQUEST`},
		"two blocks":  {append(append([]byte(nil), good...), good...), "unexpected data"},
		"bad DER":     {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der[:20]}), "failed to parse the CSR"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCSR(tc.data)
			wantErr(t, err, tc.want)
		})
	}
}
