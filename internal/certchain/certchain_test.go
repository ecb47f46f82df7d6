package certchain_test

import (
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	ct "github.com/meshfn/meshfn/internal/cabundle/cabundletest"
	"github.com/meshfn/meshfn/internal/certchain"
)

var (
	now   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	from  = now.AddDate(-1, 0, 0)
	root  = ct.Must(ct.New(ct.Options{CommonName: "root", NotBefore: from, NotAfter: now.AddDate(50, 0, 0), CA: true}, nil))
	inter = ct.Must(ct.New(ct.Options{CommonName: "inter", NotBefore: from, NotAfter: now.AddDate(40, 0, 0), CA: true}, root))
	zero  = ct.Must(ct.New(ct.Options{CommonName: "zero", NotBefore: from, NotAfter: now.AddDate(40, 0, 0), CA: true, PathLenZero: true}, root))
	under = ct.Must(ct.New(ct.Options{CommonName: "under", NotBefore: from, NotAfter: now.AddDate(30, 0, 0), CA: true}, zero))
	mid   = ct.Must(ct.New(ct.Options{CommonName: "mid", NotBefore: from, NotAfter: now.AddDate(40, 0, 0), CA: true}, root))
	deep  = ct.Must(ct.New(ct.Options{CommonName: "deep", NotBefore: from, NotAfter: now.AddDate(30, 0, 0), CA: true}, mid))
)

func TestParsePEM(t *testing.T) {
	good := ct.PEM(inter, root)
	certs, err := certchain.ParsePEM([]byte("\n" + good + "\n"))
	if err != nil || len(certs) != 2 {
		t.Fatalf("ParsePEM = %d certificates, %v", len(certs), err)
	}
	if got := string(certchain.EncodePEM(certs...)); got != good {
		t.Errorf("EncodePEM does not give back the canonical PEM")
	}
	header := strings.Replace(good, "-----BEGIN CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----\nX: y\n\n", 1)
	for name, tc := range map[string]struct{ data, want string }{
		"empty":           {"", "holds no certificate"},
		"not PEM":         {"hello", "not PEM"},
		"text after":      {good + "junk", "text after PEM block 2"},
		"truncated":       {good[:len(good)-30], "PEM block 2 is truncated"},
		"header":          {header, "PEM block 1 has headers"},
		"other type":      {strings.ReplaceAll(inter.PEM, "CERTIFICATE", "X509 CRL"), "PEM block 1 is a X509 CRL"},
		"too many":        {strings.Repeat(inter.PEM, certchain.MaxCertificates+1), "more than 8 certificates"},
		"too large":       {good + strings.Repeat("\n", certchain.MaxPEMBytes), "more than the 65536"},
		"private key":     {good + "-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----\n", "private key material (a PEM private key header, line 24)"},
		"key in a header": {strings.Replace(good, "\n", "\nX: -----BEGIN PRIVATE KEY-----\n\n", 1), "private key material"},
		"lower-case key":  {good + "-----begin private key-----\nAA==\n-----end private key-----\n", "private key material"},
		"base64 key":      {good + ct.PKCS8Base64(inter) + "\n", "private key material (a PKCS#8 private key in base64, line 24)"},
	} {
		_, err := certchain.ParsePEM([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
		if strings.Contains(tc.want, "private key") && !errors.Is(err, certchain.ErrPrivateKey) {
			t.Errorf("%s: %v is not ErrPrivateKey", name, err)
		}
	}
}

func TestCheckPathLengthCountsTheCACertificate(t *testing.T) {
	if ps := certchain.Check([]*x509.Certificate{deep.Cert, mid.Cert, root.Cert}, root.Cert, now, certchain.Policy{}); len(ps) != 0 {
		t.Errorf("a two-level chain without path lengths: %v", ps)
	}
	ps := certchain.Check([]*x509.Certificate{under.Cert, zero.Cert, root.Cert}, root.Cert, now, certchain.Policy{})
	if len(ps) != 1 || ps[0].Role != certchain.Intermediate || ps[0].Index != 1 || !strings.Contains(ps[0].Msg, "pathlen:0") {
		t.Errorf("a CA below pathlen:0: %v", ps)
	}
	if ps := certchain.Check([]*x509.Certificate{zero.Cert, root.Cert}, root.Cert, now, certchain.Policy{}); len(ps) != 0 {
		t.Errorf("a pathlen:0 CA certificate: %v", ps)
	}
}

func TestKeyPolicy(t *testing.T) {
	p384 := certchain.KeyPolicy{AllowedCurves: []elliptic.Curve{elliptic.P384()}}
	if err := p384.Check(inter.Cert.PublicKey); err == nil || !strings.Contains(err.Error(), "P-256 is not allowed") {
		t.Errorf("P-256 under a P-384 policy: %v", err)
	}
	if err := certchain.DefaultKeys.Check(inter.Cert.PublicKey); err != nil {
		t.Errorf("P-256 under the default policy: %v", err)
	}
	weak := ct.Must(ct.New(ct.Options{CommonName: "weak", NotBefore: from, NotAfter: now.AddDate(1, 0, 0), CA: true, RSABits: 1024}, root))
	if err := certchain.DefaultKeys.Check(weak.Cert.PublicKey); err == nil || !strings.Contains(err.Error(), "1024 bits") {
		t.Errorf("RSA-1024: %v", err)
	}
}

// TestCheckJudgesWorkloadCertificates: a chain whose CA cannot issue a workload
// certificate its peers accept is refused: name constraints that leave out the trust
// domain, anywhere in the chain, and extended key usages without client or server auth.
// (Before, a CA excluding spiffe://cluster.local, or with serverAuth only, passed.)
func TestCheckJudgesWorkloadCertificates(t *testing.T) {
	ca := func(cn string, parent *ct.Cert, edit func(*x509.Certificate)) *ct.Cert {
		return ct.Must(ct.New(ct.Options{CommonName: cn, NotBefore: from, NotAfter: now.AddDate(30, 0, 0), CA: true, Edit: edit}, parent))
	}
	excludes := func(domain string) func(*x509.Certificate) {
		return func(c *x509.Certificate) { c.ExcludedURIDomains = []string{domain} }
	}
	permits := func(domain string) func(*x509.Certificate) {
		return func(c *x509.Certificate) { c.PermittedURIDomains = []string{domain} }
	}
	eku := func(usages ...x509.ExtKeyUsage) func(*x509.Certificate) {
		return func(c *x509.Certificate) { c.ExtKeyUsage = usages }
	}
	exclMid := ca("mid", root, excludes("cluster.local"))
	serverMid := ca("mid", root, eku(x509.ExtKeyUsageServerAuth))
	constrainedRoot := ct.Must(ct.New(ct.Options{CommonName: "constrained root", NotBefore: from, NotAfter: now.AddDate(50, 0, 0),
		CA: true, Edit: excludes("cluster.local")}, nil))
	for _, tc := range []struct {
		name        string
		chain       []*ct.Cert
		trustDomain string
		want        string // "" for no problem
	}{
		{"excludes cluster.local", []*ct.Cert{ca("excl", root, excludes("cluster.local")), root}, "", `is excluded by constraint "cluster.local"`},
		{"excludes a parent domain", []*ct.Cert{ca("excl", root, excludes(".local")), root}, "", "is excluded"},
		{"permits another domain", []*ct.Cert{ca("other", root, permits("example.org")), root}, "", "not permitted"},
		{"permits the trust domain", []*ct.Cert{ca("ok", root, permits("cluster.local")), root}, "", ""},
		{"permits the configured trust domain", []*ct.Cert{ca("other", root, permits("example.org")), root}, "example.org", ""},
		{"excludes the configured trust domain", []*ct.Cert{ca("ok", root, excludes("example.org")), root}, "example.org", "is excluded"},
		{"DNS constraints only", []*ct.Cert{ca("dns", root, func(c *x509.Certificate) { c.PermittedDNSDomains = []string{"svc"} }), root}, "", ""},
		{"the root excludes cluster.local", []*ct.Cert{ca("under", constrainedRoot, nil), constrainedRoot}, "", "is excluded"},
		{"an intermediate excludes it", []*ct.Cert{ca("under", exclMid, nil), exclMid, root}, "", "is excluded"},
		{"server auth only", []*ct.Cert{ca("server", root, eku(x509.ExtKeyUsageServerAuth)), root}, "", "for client auth"},
		{"both usages", []*ct.Cert{ca("both", root, eku(x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth)), root}, "", ""},
		{"an intermediate with server auth only", []*ct.Cert{ca("under", serverMid, nil), serverMid, root}, "", "for client auth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chain := chainOf(tc.chain)
			ps := certchain.Check(chain, chain[len(chain)-1], now, certchain.Policy{TrustDomain: tc.trustDomain})
			switch {
			case tc.want == "" && len(ps) > 0:
				t.Errorf("problems %v", ps)
			case tc.want != "" && (len(ps) != 1 || !strings.Contains(ps[0].Msg, tc.want) || !strings.Contains(ps[0].Msg, "workload")):
				t.Errorf("problems %v, want one about workloads saying %q", ps, tc.want)
			}
		})
	}
}

// chainOf is the certificates of a chain.
func chainOf(certs []*ct.Cert) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		out = append(out, c.Cert)
	}
	return out
}
