package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/hsm/hsmtest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const testPIN = "7351-pin"

// ceremony is one run of hsm-tool against a fresh SoftHSM2 token.
type ceremony struct {
	t     *testing.T
	dir   string
	audit string
}

func newCeremony(t *testing.T) *ceremony {
	t.Helper()
	module, cleanup := hsmtest.NewToken(t, "asm", "so-pin-1", testPIN)
	t.Cleanup(cleanup)
	dir := t.TempDir()
	pinFile := filepath.Join(dir, "pin")
	if err := os.WriteFile(pinFile, []byte(testPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("P11_LIB", module)
	t.Setenv("P11_TOKEN", "asm")
	t.Setenv("P11_PIN_FILE", pinFile)
	return &ceremony{t: t, dir: dir, audit: filepath.Join(dir, "audit.log")}
}

// run runs hsm-tool in the ceremony folder; it returns the output and whether it succeeded.
func (c *ceremony) run(args ...string) (string, bool) {
	c.t.Helper()
	return run(c.t, c.dir, filepath.Join(functionBin(c.t), "hsm-tool"), append([]string{"--audit-log", c.audit}, args...)...)
}

func (c *ceremony) must(args ...string) string {
	c.t.Helper()
	out, ok := c.run(args...)
	if !ok {
		c.t.Fatalf("hsm-tool %s failed:\n%s", strings.Join(args, " "), out)
	}
	return out
}

// istiodCSR writes what istiod's HSM plugin asks to have signed: an intermediate CA CSR.
func (c *ceremony) istiodCSR(name string, pathLen int) string {
	c.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		c.t.Fatal(err)
	}
	bc, err := asn1.Marshal(struct {
		IsCA       bool `asn1:"optional"`
		MaxPathLen int  `asn1:"optional,default:-1"`
	}{true, pathLen})
	if err != nil {
		c.t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:         pkix.Name{Organization: []string{"Istio"}, CommonName: "Intermediate CA"},
		DNSNames:        []string{"istiod.istio-system.svc"},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: bc}},
	}, key)
	if err != nil {
		c.t.Fatal(err)
	}
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return name
}

// TestOfflineCAHSMPluginFlow runs the whole ceremony against a real SoftHSM2 token: KEK and
// root on the token, istiod's encrypted CSR decrypted and signed, the bundle exported into
// the offline-ca blueprint, and kpt rendering the Secret istiod waits for.
func TestOfflineCAHSMPluginFlow(t *testing.T) {
	kptPath(t)
	c := newCeremony(t)
	c.must("kek", "generate", "--kek-id", "asm-c1-kek")
	c.must("root", "create", "--label", "mesh-root", "--key-type", "ecdsa-p256", "-o", "root-cert.pem")
	checkKeysStayOnToken(t, c.must("token", "info"))

	c.istiodCSR("istiod.csr", 0)
	c.must("csr", "encrypt", "--kek-id", "asm-c1-kek", "-f", "istiod.csr", "-o", "encrypted_csr.json")
	c.must("csr", "decrypt", "-f", "encrypted_csr.json", "-o", "csr.pem")
	if a, b := readFile(t, c.dir, "istiod.csr"), readFile(t, c.dir, "csr.pem"); a != b {
		t.Fatal("the decrypted CSR differs from istiod's")
	}
	if err := os.Mkdir(filepath.Join(c.dir, "c1"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.must("csr", "sign", "--csr", "csr.pem", "--cluster", "c1", "--root-label", "mesh-root", "--out-dir", "c1")
	c.must("verify", "--chain", "c1/cert-chain.pem", "--root-label", "mesh-root")
	opensslVerify(t, c.dir, "c1/root-cert.pem", "c1/cert-chain.pem", "c1/ca-cert.pem")

	pkg := blueprint(t, "offline-ca")
	removeDemoBundle(t, pkg)
	c.must("bundle", "export", "--cluster", "c1", "--dir", "c1", "--package", pkg)
	render(t, pkg)
	chain := secretData(t, filepath.Join(pkg, "generated", "c1", "secret_istio-ca-cert.yaml"), "cert-chain.pem")
	if chain != readFile(t, c.dir, "c1/cert-chain.pem") {
		t.Error("Secret istio-ca-cert does not hold the signed chain")
	}
	writeFile(t, c.dir, "from-secret.pem", chain)
	opensslVerify(t, c.dir, "c1/root-cert.pem", "from-secret.pem", "c1/ca-cert.pem")
	checkAuditLog(t, c.audit, []string{"kek generate", "root create", "csr decrypt", "csr sign", "verify", "bundle export"})
}

// TestOfflineCAPluggedInFlow exports a plugged-in bundle: Secret cacerts with the public
// files, and an ExternalSecret for the key, which never enters the package.
func TestOfflineCAPluggedInFlow(t *testing.T) {
	kptPath(t)
	c := newCeremony(t)
	c.must("root", "create", "--label", "mesh-root", "--key-type", "ecdsa-p256", "-o", "root-cert.pem")
	c.istiodCSR("istiod.csr", 0)
	if err := os.Mkdir(filepath.Join(c.dir, "c2"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.must("csr", "sign", "--csr", "istiod.csr", "--cluster", "c2", "--root-label", "mesh-root", "--out-dir", "c2")
	pkg := blueprint(t, "offline-ca")
	removeDemoBundle(t, pkg)
	c.must("bundle", "export", "--cluster", "c2", "--dir", "c2", "--flow", "plugged-in", "--package", pkg,
		"--ca-key-store", "vault", "--ca-key-remote-key", "asm-c2/ca", "--ca-key-remote-property", "ca-key.pem")
	render(t, pkg)
	for _, f := range []string{"ca-cert.pem", "cert-chain.pem", "root-cert.pem"} {
		if secretData(t, filepath.Join(pkg, "generated", "c2", "secret_cacerts.yaml"), f) == "" {
			t.Errorf("Secret cacerts lacks %s", f)
		}
	}
	es := readFile(t, pkg, "generated/c2/externalsecret_cacerts-ca-key.yaml")
	for _, want := range []string{"creationPolicy: Merge", "secretKey: ca-key.pem", "key: asm-c2/ca"} {
		if !strings.Contains(es, want) {
			t.Errorf("ExternalSecret lacks %q:\n%s", want, es)
		}
	}
	for path, content := range snapshot(t, pkg) {
		if strings.Contains(content, "PRIVATE KEY") {
			t.Errorf("%s holds a private key", path)
		}
	}
}

// TestOfflineCABadInput: each mistake is refused with a clear error, exit code 1, and no
// file written or changed.
func TestOfflineCABadInput(t *testing.T) {
	c := newCeremony(t)
	c.must("kek", "generate", "--kek-id", "kek-a")
	c.must("root", "create", "--label", "mesh-root", "--key-type", "ecdsa-p256", "-o", "root-cert.pem")
	c.istiodCSR("good.csr", 0)
	c.istiodCSR("pathlen1.csr", 1)
	tampered := []byte(readFile(t, c.dir, "good.csr"))
	block, _ := pem.Decode(tampered)
	block.Bytes[len(block.Bytes)-5] ^= 0xff
	writeFile(t, c.dir, "tampered.csr", string(pem.EncodeToMemory(block)))
	c.must("csr", "encrypt", "--kek-id", "kek-a", "-f", "good.csr", "-o", "enc.json")
	writeFile(t, c.dir, "truncated-chain.pem", readFile(t, c.dir, "root-cert.pem")[:200])
	if err := os.Mkdir(filepath.Join(c.dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"wrong PIN", map[string]string{"P11_PIN_FILE": writeSecret(t, c.dir, "bad-pin", "0000")}, []string{"token", "info"}, "PIN"},
		{"missing token", map[string]string{"P11_TOKEN": "nope"}, []string{"token", "info"}, "asm"},
		{"existing KEK id", nil, []string{"kek", "generate", "--kek-id", "kek-a"}, "exists"},
		{"existing root label", nil, []string{"root", "create", "--label", "mesh-root", "-o", "other-root.pem"}, "exists"},
		{"CSR with a bad signature", nil, []string{"csr", "sign", "--csr", "tampered.csr", "--cluster", "c1", "--root-label", "mesh-root", "--out-dir", "out"}, "signature"},
		{"CSR asking for a longer path", nil, []string{"csr", "sign", "--csr", "pathlen1.csr", "--cluster", "c1", "--root-label", "mesh-root", "--out-dir", "out"}, "path"},
		{"truncated PEM", nil, []string{"verify", "--chain", "truncated-chain.pem", "--root-label", "mesh-root"}, "PEM"},
		{"wrong KEK", nil, []string{"csr", "decrypt", "-f", "enc.json", "-o", "out/csr.pem"}, "KEK"},
	}
	// For the wrong KEK: enc.json names kek-a, but is sealed with another token's kek-a.
	otherKEK(t, c, "enc.json")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			before := snapshot(t, c.dir)
			out, ok := c.run(tc.args...)
			if ok {
				t.Fatalf("succeeded:\n%s", out)
			}
			if !strings.Contains(strings.ToLower(out), strings.ToLower(tc.want)) {
				t.Errorf("the error does not name the problem (%q):\n%s", tc.want, out)
			}
			if strings.Contains(out, testPIN) {
				t.Errorf("the PIN appears in the output:\n%s", out)
			}
			after := snapshot(t, c.dir)
			delete(before, "audit.log")
			delete(after, "audit.log")
			if d := diffTrees(before, after); d != "" {
				t.Errorf("a failing command changed files:\n%s", d)
			}
		})
	}
	if strings.Contains(readFile(t, c.dir, "audit.log"), testPIN) {
		t.Error("the PIN appears in the audit log")
	}
}

// otherKEK rewrites an encrypted CSR so that it was sealed with a KEK of the same id on
// another token: the token's own KEK cannot open it.
func otherKEK(t *testing.T, c *ceremony, name string) {
	t.Helper()
	hsmtest.InitToken(t, "other", "so-pin-2", testPIN)
	t.Setenv("P11_TOKEN", "other")
	c.must("kek", "generate", "--kek-id", "kek-a")
	c.must("csr", "encrypt", "--kek-id", "kek-a", "-f", "good.csr", "-o", name)
	t.Setenv("P11_TOKEN", "asm")
}

func checkKeysStayOnToken(t *testing.T, info string) {
	t.Helper()
	for _, line := range strings.Split(info, "\n") {
		switch {
		case strings.Contains(line, "CKO_PRIVATE_KEY"), strings.Contains(line, "CKO_SECRET_KEY"):
			for _, want := range []string{"CKA_SENSITIVE", "CKA_NEVER_EXTRACTABLE"} {
				if !strings.Contains(line, want) {
					t.Errorf("key lacks %s: %s", want, line)
				}
			}
			for _, bad := range []string{"CKA_EXTRACTABLE", "CKA_UNWRAP", "CKA_DERIVE", "CKA_WRAP"} {
				if strings.Contains(line, bad+",") || strings.HasSuffix(line, bad) {
					t.Errorf("key has %s: %s", bad, line)
				}
			}
			if strings.Contains(line, "CKO_PRIVATE_KEY") && strings.Contains(line, "CKA_DECRYPT") {
				t.Errorf("the root key may decrypt: %s", line)
			}
			if strings.Contains(line, "CKA_MODIFIABLE") || !strings.Contains(line, " allowed=CKM_") {
				t.Errorf("key is modifiable or names no allowed mechanisms: %s", line)
			}
			if strings.Contains(line, "CKO_SECRET_KEY") && !strings.Contains(line, " allowed=CKM_AES_GCM ") {
				t.Errorf("the KEK allows more than AES-GCM: %s", line)
			}
		}
	}
	if !strings.Contains(info, "CKO_PRIVATE_KEY") || !strings.Contains(info, "CKO_SECRET_KEY") {
		t.Errorf("token info lists no keys:\n%s", info)
	}
}

func opensslVerify(t *testing.T, dir, root, untrusted, leaf string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		requireTool(t, "openssl", "openssl")
	}
	out, ok := run(t, dir, "openssl", "verify", "-CAfile", root, "-untrusted", untrusted, leaf)
	if !ok || !strings.Contains(out, ": OK") {
		t.Errorf("openssl verify failed:\n%s", out)
	}
}

func removeDemoBundle(t *testing.T, pkg string) {
	t.Helper()
	for _, p := range []string{"cabundle-c1.yaml", "generated"} {
		if err := os.RemoveAll(filepath.Join(pkg, p)); err != nil {
			t.Fatal(err)
		}
	}
}

func secretData(t *testing.T, path, key string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := yaml.MustParse(string(b)).Pipe(yaml.Lookup("data", key))
	if err != nil || v == nil {
		return ""
	}
	d, err := base64.StdEncoding.DecodeString(yaml.GetValue(v))
	if err != nil {
		t.Fatalf("%s data.%s is not base64: %v", path, key, err)
	}
	return string(d)
}

func checkAuditLog(t *testing.T, path string, commands []string) {
	t.Helper()
	log, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		if !strings.Contains(string(log), `"command":"`+c+`"`) {
			t.Errorf("the audit log lacks %q:\n%s", c, log)
		}
	}
	if strings.Contains(string(log), testPIN) {
		t.Error("the PIN appears in the audit log")
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	return writeMode(t, dir, name, content, 0o644)
}

// writeSecret writes a file only its owner can read, as hsm-tool requires of a PIN file.
func writeSecret(t *testing.T, dir, name, content string) string {
	t.Helper()
	return writeMode(t, dir, name, content, 0o600)
}

func writeMode(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}
