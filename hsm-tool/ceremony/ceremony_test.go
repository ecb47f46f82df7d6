package ceremony

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/audit"
	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/csrcrypt"
	"github.com/meshfn/meshfn/hsm-tool/hsm"
)

// clock is the ceremony's fixed time in the tests.
var clock = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

// fixture is a ceremony on a SoftStore, in a temporary folder, with an audit log.
type fixture struct {
	c     *Ceremony
	store hsm.Store
	dir   string
	log   string
	opens int
}

func newFixture(t *testing.T, store hsm.Store, openErr error) *fixture {
	t.Helper()
	f := &fixture{store: store, dir: t.TempDir()}
	f.log = filepath.Join(f.dir, "audit.log")
	log, err := audit.Open(f.log, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	f.c = &Ceremony{Token: "soft", Audit: log, Now: func() time.Time { return clock },
		Open: func(context.Context) (*Session, error) {
			f.opens++
			if openErr != nil {
				return nil, openErr
			}
			return &Session{Store: f.store, Close: func() {}}, nil
		}}
	return f
}

func (f *fixture) path(name string) string { return filepath.Join(f.dir, name) }

// records reads the audit log.
func (f *fixture) records(t *testing.T) []audit.Entry {
	t.Helper()
	file, err := os.Open(f.log)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var out []audit.Entry
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		var e audit.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// writeCSR writes an istiod-like CSR and returns its path.
func (f *fixture) writeCSR(t *testing.T, name string, dnsNames ...string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{Organization: []string{"Istio"}, CommonName: "Intermediate CA"}, DNSNames: dnsNames}, key)
	if err != nil {
		t.Fatal(err)
	}
	p := f.path(name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEveryStepRecordsStartAndFailure: when the token cannot be opened (a wrong PIN,
// a missing PIN file, Vault out of reach all fail there), every step that uses the token
// leaves a started and a finished record with the error, and writes nothing.
func TestEveryStepRecordsStartAndFailure(t *testing.T) {
	ctx := context.Background()
	steps := map[string]func(f *fixture) error{
		"kek generate": func(f *fixture) error { return f.c.GenerateKEK(ctx, "kek") },
		"root create": func(f *fixture) error {
			_, err := f.c.CreateRoot(ctx, RootRequest{Label: "root", Algorithm: hsm.ECDSAP256, Out: f.path("root.pem")})
			return err
		},
		"csr sign": func(f *fixture) error {
			_, err := f.c.SignCSR(ctx, SignRequest{CSR: f.writeCSR(t, "istiod.csr"), Cluster: "c1", RootLabel: "root", OutDir: f.path("out")})
			return err
		},
		"token info": func(f *fixture) error { _, err := f.c.TokenInfo(ctx); return err },
	}
	for name, run := range steps {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, hsm.NewSoftStore(), errors.New("failed to log in: user PIN incorrect"))
			if err := run(f); err == nil || !strings.Contains(err.Error(), "PIN incorrect") {
				t.Fatalf("error = %v", err)
			}
			recs := f.records(t)
			if len(recs) != 2 || recs[0].Event != audit.Started || recs[1].Event != audit.Finished ||
				recs[1].Outcome != "error" || recs[1].Command != name || recs[0].Token != "soft" {
				t.Fatalf("records %+v", recs)
			}
			for _, out := range []string{"root.pem", "out"} {
				if _, err := os.Stat(f.path(out)); err == nil {
					t.Errorf("%s was written", out)
				}
			}
		})
	}
}

// TestStepsReadInputsBeforeOpeningTheToken: a step whose input is unusable fails, with
// its records, without opening the token (no PIN read, no login try spent).
func TestStepsReadInputsBeforeOpeningTheToken(t *testing.T) {
	f := newFixture(t, hsm.NewSoftStore(), nil)
	ctx := context.Background()
	if err := f.c.DecryptCSR(ctx, f.path("missing.json"), f.path("csr.pem")); err == nil {
		t.Error("DecryptCSR of a missing file succeeded")
	}
	if _, err := f.c.SignCSR(ctx, SignRequest{CSR: f.path("missing.csr"), Cluster: "c1", OutDir: f.dir}); err == nil {
		t.Error("SignCSR of a missing file succeeded")
	}
	if f.opens != 0 {
		t.Errorf("the token was opened %d times for unusable input", f.opens)
	}
	if n := len(f.records(t)); n != 4 {
		t.Errorf("%d records, want 4", n)
	}
}

// failingImport is a store whose certificate import fails, as a full token would.
type failingImport struct{ *hsm.SoftStore }

func (failingImport) ImportCertificate(string, *x509.Certificate) error {
	return errors.New("token full")
}

// TestCreateRootCleansUpItsOwnKeyPair: when the certificate cannot be stored, the key
// pair this step generated is destroyed (through DestroyKeyPair, by handle), so the label
// is free for another attempt.
func TestCreateRootCleansUpItsOwnKeyPair(t *testing.T) {
	soft := hsm.NewSoftStore()
	f := newFixture(t, failingImport{soft}, nil)
	_, err := f.c.CreateRoot(context.Background(), RootRequest{Label: "root", Algorithm: hsm.ECDSAP256, Out: f.path("root.pem")})
	if err == nil || !strings.Contains(err.Error(), "token full") {
		t.Fatalf("error = %v", err)
	}
	if _, err := soft.Signer("root"); !errors.Is(err, hsm.ErrNotFound) {
		t.Errorf("the key pair was left on the token: %v", err)
	}
	if _, err := os.Stat(f.path("root.pem")); err == nil {
		t.Error("root.pem was written")
	}
}

// TestCeremonyOnSoftStore runs root create, csr sign, verify and bundle export with the
// fixed clock: the certificates start at the clock, the files are written, and the audit
// log holds a started and a finished record for each, with fingerprints.
func TestCeremonyOnSoftStore(t *testing.T) {
	f := newFixture(t, hsm.NewSoftStore(), nil)
	ctx := context.Background()
	root, err := f.c.CreateRoot(ctx, RootRequest{Label: "root", Algorithm: hsm.ECDSAP256, Out: f.path("root.pem")})
	if err != nil {
		t.Fatal(err)
	}
	if !root.NotBefore.Equal(clock) {
		t.Errorf("root NotBefore = %v, want the clock %v", root.NotBefore, clock)
	}
	if _, err := f.c.CreateRoot(ctx, RootRequest{Label: "root", Algorithm: hsm.ECDSAP256, Out: f.path("again.pem")}); !errors.Is(err, hsm.ErrExists) {
		t.Errorf("a second root with the same label: %v, want ErrExists", err)
	}
	if err := os.Mkdir(f.path("c1"), 0o755); err != nil {
		t.Fatal(err)
	}
	cert, err := f.c.SignCSR(ctx, SignRequest{CSR: f.writeCSR(t, "istiod.csr", ca.DefaultIstiodDNSSAN), Cluster: "c1", RootLabel: "root", OutDir: f.path("c1")})
	if err != nil {
		t.Fatal(err)
	}
	if !cert.NotBefore.Equal(clock) || cert.Subject.Locality[0] != "c1" {
		t.Errorf("intermediate %v, NotBefore %v", cert.Subject, cert.NotBefore)
	}
	if err := f.c.Verify(ctx, filepath.Join(f.path("c1"), CertChainFile), "root"); err != nil {
		t.Fatal(err)
	}
	pkg := f.path("pkg")
	if err := os.Mkdir(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := f.path("c1")
	out, err := f.c.ExportBundle(ctx, BundleRequest{Cluster: "c1", Namespace: "istio-system", Flow: "hsm-plugin", Package: pkg,
		CACert: filepath.Join(dir, CACertFile), CertChain: filepath.Join(dir, CertChainFile), RootCert: filepath.Join(dir, RootCertFile)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out.Path); err != nil {
		t.Error(err)
	}
	var commands []string
	for _, r := range f.records(t) {
		commands = append(commands, r.Event+" "+r.Command+" "+r.Outcome)
	}
	want := "started root create |finished root create ok|started root create |finished root create error|" +
		"started csr sign |finished csr sign ok|started verify |finished verify ok|started bundle export |finished bundle export ok"
	if got := strings.Join(commands, "|"); got != want {
		t.Errorf("audit records:\n%s\nwant\n%s", got, want)
	}
	if recs := f.records(t); recs[5].Certificates["intermediate"] == "" || recs[5].Certificates["root"] == "" {
		t.Errorf("csr sign's record lacks the fingerprints: %+v", recs[5])
	}
}

// TestSignCSRIsAllOrNothing: when one output cannot be written, none is replaced; a
// missing output folder is created. (Before the fix ca-cert.pem was replaced when
// cert-chain.pem failed, and a missing --out-dir was an error.)
func TestSignCSRIsAllOrNothing(t *testing.T) {
	f := newFixture(t, hsm.NewSoftStore(), nil)
	ctx := context.Background()
	if _, err := f.c.CreateRoot(ctx, RootRequest{Label: "root", Algorithm: hsm.ECDSAP256, Out: f.path("root.pem")}); err != nil {
		t.Fatal(err)
	}
	csr := f.writeCSR(t, "istiod.csr")
	out := f.path("blocked")
	if err := os.MkdirAll(filepath.Join(out, CertChainFile), 0o755); err != nil {
		t.Fatal(err)
	}
	old := []byte("the previous intermediate\n")
	if err := os.WriteFile(filepath.Join(out, CACertFile), old, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.SignCSR(ctx, SignRequest{CSR: csr, Cluster: "c1", RootLabel: "root", OutDir: out}); err == nil {
		t.Fatal("SignCSR succeeded with a folder in the way of cert-chain.pem")
	}
	if got, _ := os.ReadFile(filepath.Join(out, CACertFile)); string(got) != string(old) {
		t.Errorf("ca-cert.pem was replaced though cert-chain.pem could not be written")
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("the output folder holds %d entries, want the 2 it had (no temporary file left)", len(entries))
	}

	fresh := f.path("new/c1")
	if _, err := f.c.SignCSR(ctx, SignRequest{CSR: csr, Cluster: "c1", RootLabel: "root", OutDir: fresh}); err != nil {
		t.Fatalf("SignCSR into a missing folder: %v", err)
	}
	for _, name := range []string{CACertFile, CertChainFile, RootCertFile} {
		if _, err := os.Stat(filepath.Join(fresh, name)); err != nil {
			t.Error(err)
		}
	}
}

// TestSignCSRParsesStrictlyAndNormalizesNames: a CSR file must hold exactly one CSR
// block and nothing else, and the issued SANs are normalized (lower case, no trailing
// dot, once each). (Before the fix only the first PEM block was read and
// ISTIOD.istio-system.svc. was issued verbatim.)
func TestSignCSRParsesStrictlyAndNormalizesNames(t *testing.T) {
	f := newFixture(t, hsm.NewSoftStore(), nil)
	ctx := context.Background()
	if _, err := f.c.CreateRoot(ctx, RootRequest{Label: "root", Algorithm: hsm.ECDSAP256, Out: f.path("root.pem")}); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(f.writeCSR(t, "good.csr", "istiod.istio-system.svc"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(good)
	withHeader := pem.EncodeToMemory(&pem.Block{Type: block.Type, Headers: map[string]string{"X": "y"}, Bytes: block.Bytes})
	for name, content := range map[string]string{
		"two CSRs":      string(good) + string(good),
		"text before":   "note: from istiod\n" + string(good),
		"text after":    string(good) + "trailing\n",
		"a key after":   string(good) + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"a PEM header":  string(withHeader),
		"a certificate": strings.ReplaceAll(string(good), "CERTIFICATE REQUEST", "CERTIFICATE"),
		"no PEM":        "hello\n",
	} {
		p := f.path(strings.ReplaceAll(name, " ", "-") + ".csr")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := f.c.SignCSR(ctx, SignRequest{CSR: p, Cluster: "c1", RootLabel: "root", OutDir: f.path("out")}); err == nil {
			t.Errorf("a CSR file with %s was signed", name)
		}
	}
	csr := f.writeCSR(t, "upper.csr", "ISTIOD.istio-system.svc.", "istiod.istio-system.svc")
	cert, err := f.c.SignCSR(ctx, SignRequest{CSR: csr, Cluster: "c1", RootLabel: "root", OutDir: f.path("out")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"istiod.istio-system.svc"}; !slices.Equal(cert.DNSNames, want) {
		t.Errorf("issued DNS SANs %q, want %q", cert.DNSNames, want)
	}
}

// TestDecryptCSRWritesOnlyACSR: what the KEK opens is written only when it is exactly one
// CSR; anything else (here a CSR followed by a private key) is refused and nothing is
// written.
func TestDecryptCSRWritesOnlyACSR(t *testing.T) {
	store := hsm.NewSoftStore()
	f := newFixture(t, store, nil)
	if err := store.GenerateKEK("kek"); err != nil {
		t.Fatal(err)
	}
	kek, err := store.KEK("kek")
	if err != nil {
		t.Fatal(err)
	}
	csr, err := os.ReadFile(f.writeCSR(t, "istiod.csr"))
	if err != nil {
		t.Fatal(err)
	}
	for name, plain := range map[string]string{
		"a CSR":                   string(csr),
		"a CSR and a private key": string(csr) + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"no PEM":                  "hello",
	} {
		enc, err := csrcrypt.Encrypt("kek", kek, []byte(plain), "istiod-csr", rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		data, err := enc.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		in, out := f.path("enc.json"), f.path(strings.ReplaceAll(name, " ", "-")+".pem")
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		err = f.c.DecryptCSR(context.Background(), in, out)
		_, statErr := os.Stat(out)
		if name == "a CSR" {
			if err != nil || statErr != nil {
				t.Errorf("%s: %v, %v", name, err, statErr)
			}
		} else if err == nil || statErr == nil {
			t.Errorf("%s was decrypted and written (err %v)", name, err)
		}
	}
}
