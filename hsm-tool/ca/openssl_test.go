package ca

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meshfn/meshfn/internal/certchain"
	"github.com/meshfn/meshfn/internal/missing"
)

// openssl runs the openssl command line, skipping the test if it is absent (failing it
// under MESHFN_REQUIRE_TOOLS: `make test` installs it).
func openssl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		missing.Tool(t, "openssl is not installed; `make test` installs it")
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	return string(out), err
}

func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestOpenSSLAcceptsIssuedChain(t *testing.T) {
	for _, keys := range [][2]string{{"p256", "p256-b"}, {"rsa2048", "rsa2048-b"}} {
		t.Run(keys[0], func(t *testing.T) {
			rootKey, key := testKey(t, keys[0]), testKey(t, keys[1])
			root := newRoot(t, rootKey, now.Add(-time.Hour), 0)
			cert := issue(t, root, rootKey, key, Policy{})
			caCert, chain, rootCert := Chain(cert, root)
			leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "workload"},
				NotBefore: now, NotAfter: now.Add(time.Hour), BasicConstraintsValid: true,
				KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
			leaf := mustCreate(t, leafTmpl, cert, testKey(t, "p384-leaf").Public(), key)
			dir := writeFiles(t, map[string][]byte{
				"root-cert.pem": rootCert, "cert-chain.pem": chain, "ca-cert.pem": caCert, "leaf.pem": pemOf(leaf),
			})
			at := strconv.FormatInt(now.Add(time.Minute).Unix(), 10)
			for _, target := range []string{"ca-cert.pem", "leaf.pem"} {
				out, err := openssl(t, "verify", "-x509_strict", "-attime", at,
					"-CAfile", filepath.Join(dir, "root-cert.pem"), "-untrusted", filepath.Join(dir, "cert-chain.pem"),
					filepath.Join(dir, target))
				if err != nil || !strings.Contains(out, ": OK") {
					t.Errorf("openssl verify %s: %v\n%s", target, err, out)
				}
			}
			text, err := openssl(t, "x509", "-noout", "-text", "-in", filepath.Join(dir, "ca-cert.pem"))
			if err != nil {
				t.Fatal(err, text)
			}
			for _, want := range []string{
				`X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0`,
				`X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign`,
				`X509v3 Subject Alternative Name:\s+DNS:istiod.istio-system.svc`,
				`X509v3 Subject Key Identifier`,
				`X509v3 Authority Key Identifier`,
				`Subject: L = cluster1, O = Istio, CN = Intermediate CA`,
			} {
				if !regexp.MustCompile(want).MatchString(text) {
					t.Errorf("openssl x509 -text lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

func TestOpenSSLAndGoRefuseWhatPathlenZeroForbids(t *testing.T) {
	// pathlen 0 lets the intermediate certify a CA as the last certificate
	// (RFC 5280 §4.2.1.9 counts intermediates only), but nothing that CA
	// issues may chain through it.
	f := newFixture(t)
	caTmpl := func(serial int64, cn string) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now, NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign}
	}
	sub := mustCreate(t, caTmpl(77, "sub CA"), f.intermediate, testKey(t, "p384-leaf").Public(), testKey(t, "p256-b"))
	subsub := mustCreate(t, caTmpl(78, "sub-sub CA"), sub, testKey(t, "p256-c").Public(), testKey(t, "p384-leaf"))
	longChain := append(append(pemOf(subsub), pemOf(sub)...), f.certChain...)
	wantErr(t, VerifyChain(longChain, f.root, now.Add(time.Minute), certchain.Policy{}), "(pathlen:0), but the chain has 2", "does not verify to the root", "too many intermediates")

	otherKey := testKey(t, "p384")
	otherRoot := newRoot(t, otherKey, now.Add(-time.Hour), 0)
	dir := writeFiles(t, map[string][]byte{
		"root.pem": f.rootCert, "other-root.pem": pemOf(otherRoot), "chain.pem": f.certChain,
		"long-chain.pem": longChain, "subsub.pem": pemOf(subsub), "ca-cert.pem": f.caCert,
	})
	at := strconv.FormatInt(now.Add(time.Minute).Unix(), 10)
	for _, tc := range []struct{ root, untrusted, target, why, want string }{
		{"root.pem", "long-chain.pem", "subsub.pem", "a path through a CA under a pathlen:0 intermediate", "path length constraint exceeded"},
		{"other-root.pem", "chain.pem", "ca-cert.pem", "the intermediate against another root", "self-signed certificate in certificate chain"},
	} {
		out, err := openssl(t, "verify", "-x509_strict", "-attime", at, "-CAfile", filepath.Join(dir, tc.root),
			"-untrusted", filepath.Join(dir, tc.untrusted), filepath.Join(dir, tc.target))
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("openssl verify of %s: %v; want %q in\n%s", tc.why, err, tc.want, out)
		}
	}
}
