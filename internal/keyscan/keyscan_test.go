package keyscan_test

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshfn/meshfn/internal/keyscan"
)

// keys are DER private keys of every kind the scanner knows.
func keys(t *testing.T) map[string][]byte {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := func(k any) []byte {
		b, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sec1, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	// An EncryptedPrivateKeyInfo: PBES2 (1.2.840.113549.1.5.13), then the ciphertext.
	encrypted := der(0x30, der(0x30, der(0x06, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d}), der(0x30, nil)),
		der(0x04, make([]byte, 1200)))
	// A PFX: version 3, then authSafe ContentInfo (pkcs7-data) holding the bags.
	pfx := der(0x30, der(0x02, []byte{3}), der(0x30, der(0x06, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}),
		der(0xa0, der(0x04, make([]byte, 1500)))))
	openssh := append([]byte("openssh-key-v1\x00\x00\x00\x00\x04none"), make([]byte, 300)...)
	return map[string][]byte{
		"PKCS#8 RSA":     pkcs8(rsaKey),
		"PKCS#8 EC":      pkcs8(ecKey),
		"PKCS#8 Ed25519": pkcs8(edKey),
		"PKCS#1":         x509.MarshalPKCS1PrivateKey(rsaKey),
		"SEC 1":          sec1,
		"encrypted":      encrypted,
		"PKCS#12":        pfx,
		"OpenSSH":        openssh,
	}
}

// der encodes one DER element.
func der(tag byte, parts ...[]byte) []byte {
	var content []byte
	for _, p := range parts {
		content = append(content, p...)
	}
	n := len(content)
	var head []byte
	switch {
	case n < 0x80:
		head = []byte{tag, byte(n)}
	case n < 0x100:
		head = []byte{tag, 0x81, byte(n)}
	default:
		head = []byte{tag, 0x82, byte(n >> 8), byte(n)}
	}
	return append(head, content...)
}

// wrap cuts s into lines of n characters, each after prefix.
func wrap(s string, n int, prefix string) string {
	var b strings.Builder
	for len(s) > 0 {
		k := min(n, len(s))
		b.WriteString(prefix + s[:k] + "\n")
		s = s[k:]
	}
	return b.String()
}

// TestFindsKeysHoweverWritten: every kind of private key is found in every way a CABundle
// can carry it, and the finding never holds the key. (Before, generate-ca-secrets
// looked for an upper-case PEM header only: a key in lower case, or as one line of base64,
// passed.)
func TestFindsKeysHoweverWritten(t *testing.T) {
	for kind, key := range keys(t) {
		b64 := base64.StdEncoding.EncodeToString(key)
		pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}))
		for form, text := range map[string]string{
			"one base64 line":           "note: " + b64 + "\n",
			"URL-safe base64, unpadded": "x: " + base64.RawURLEncoding.EncodeToString(key),
			"base64 after other text":   "# backup:xyz" + b64,
			"base64 in a YAML comment":  "spec:\n" + wrap(b64, 64, "  # "),
			"base64 in a YAML block":    "caCert: |\n" + wrap(b64, 76, "    "),
			"base64 in short pieces":    wrap(b64, 5, "  "),
			"base64 cut short":          "x: " + b64[:40] + "\n",
			"hex":                       "x: " + hex.EncodeToString(key),
			"upper-case hex":            "x: " + strings.ToUpper(hex.EncodeToString(key)),
			"base64 of the PEM":         "tls.key: " + base64.StdEncoding.EncodeToString([]byte(pemKey)),
			"base64 twice":              "x: " + base64.StdEncoding.EncodeToString([]byte(b64)),
			"hex with colons":           "x:\n" + wrap(colons(hex.EncodeToString(key)), 45, "    "),
			"gzipped DER in base64":     "x: " + base64.StdEncoding.EncodeToString(gzipped(t, key)),
			"gzipped PEM in base64":     "x: " + base64.StdEncoding.EncodeToString(gzipped(t, []byte(pemKey))),
			"lower-case PEM":            strings.ToLower(pemKey),
			"PEM in a comment":          wrap(pemKey, 200, "# "),
		} {
			t.Run(kind+"/"+form, func(t *testing.T) {
				f, ok := keyscan.FindString(text)
				if !ok {
					t.Fatalf("not found in:\n%s", text)
				}
				if s := f.String(); strings.Contains(s, b64[8:24]) || f.Line < 1 {
					t.Errorf("finding %q", s)
				}
				if strings.Contains(form, "YAML") && f.Line != 2 {
					t.Errorf("found on line %d, want 2", f.Line)
				}
			})
		}
	}
	for _, text := range []string{
		"-----BEGIN RSA PRIVATE KEY-----", "-----begin ec private key-----", "BEGIN  OPENSSH  PRIVATE  KEY",
		"-----BEGIN PGP PRIVATE KEY BLOCK-----", `{"kty":"EC","crv":"P-256","x":"abc","d":"` + strings.Repeat("A", 43) + `"}`,
		"jwk:\n  kty: EC\n  crv: P-256\n  d: " + strings.Repeat("A", 43) + "\n", "Private-Key: (256 bit)\npriv:\n    00:a1", "RSA Private-Key: (2048 bit, 2 primes)",
	} {
		if _, ok := keyscan.FindString(text); !ok {
			t.Errorf("not found: %q", text)
		}
	}
}

// TestFindsNoKeyInPublicMaterial: certificates, CSRs, public keys and random base64 are
// not key material, and neither is anything in the repository's CA test data.
func TestFindsNoKeyInPublicMaterial(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: []string{"istiod.istio-system.svc"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 1<<16)
	r := mrand.New(mrand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	texts := map[string]string{
		"a certificate": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert})),
		"a CSR":         string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})),
		"a public key":  string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})),
		"random base64": base64.StdEncoding.EncodeToString(noise),
		"random hex":    hex.EncodeToString(noise[:1<<14]),
		"prose":         "# the private key stays in the HSM; caKey names where it is kept\n",
	}
	for _, dir := range []string{"../../functions/generate-ca-secrets/casecrets/testdata", "../../blueprints"} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.Contains(p, "error-private-key") {
				return nil
			}
			if b, err := os.ReadFile(p); err == nil {
				texts[p] = string(b)
			}
			return nil
		})
	}
	for name, text := range texts {
		if f, ok := keyscan.FindString(text); ok {
			t.Errorf("%s: found %s", name, f)
		}
	}
}

// colons writes hex as openssl dumps it: "30:82:04:bd".
func colons(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
