package casecrets

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/cabundle"
	ct "github.com/meshfn/meshfn/internal/cabundle/cabundletest"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The golden cases (testdata/<case>/input.yaml) are written by TestWriteFixtures from the
// certificates in testdata/*.pem (made once, around testNow, and committed):
//
//	MESHFN_GEN_CA_FIXTURES=1 go test -run TestWriteFixtures ./functions/generate-ca-secrets/casecrets
//	UPDATE_GOLDEN=1 go test ./functions/generate-ca-secrets/casecrets
//
// Delete testdata/*.pem to make new certificates (their keys are never written).

// Both in testdata: the golden runner reads the case folders and skips the PEM files.
const (
	certsDir  = "testdata"
	goldenDir = "testdata"
)

// testNow is when the golden cases run. The certificates are valid for 50 (intermediates)
// and 100 (roots) years from 2025, except expired-ca, which expired in 2001.
var testNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// runAtTestNow is the function, run at testNow.
func runAtTestNow(rl *krm.ResourceList) error { return run(rl, testNow) }

// certSpecs are the test certificates: name, issuer ("" self-signed), options.
var certSpecs = []struct {
	name, issuer string
	opts         ct.Options
}{
	{"root", "", ca("meshfn test root CA", 100)},
	{"c1-ca", "root", ca("meshfn test c1 CA", 50)},
	{"c2-ca", "root", ca("meshfn test c2 CA", 50)},
	{"expired-ca", "root", ct.Options{CommonName: "meshfn test expired CA", CA: true,
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}},
	{"leaf", "root", ct.Options{CommonName: "meshfn test workload (not a CA)", NotBefore: from2025, NotAfter: from2025.AddDate(50, 0, 0)}},
	{"other-root", "", ca("meshfn test other root CA", 100)},
	{"other-ca", "other-root", ca("meshfn test CA under the other root", 50)},
}

var from2025 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func ca(cn string, years int) ct.Options {
	return ct.Options{CommonName: cn, NotBefore: from2025, NotAfter: from2025.AddDate(years, 0, 0), CA: true}
}

// testCerts loads testdata/*.pem or, when they are missing and create is set, makes the
// certificates and writes them.
func testCerts(t *testing.T, create bool) map[string]*ct.Cert {
	t.Helper()
	certs := map[string]*ct.Cert{}
	if _, err := os.Stat(filepath.Join(certsDir, "root.pem")); os.IsNotExist(err) && create {
		for _, s := range certSpecs {
			c, err := ct.New(s.opts, certs[s.issuer])
			if err != nil {
				t.Fatal(err)
			}
			certs[s.name] = c
			if err := os.WriteFile(filepath.Join(certsDir, s.name+".pem"), []byte(c.PEM), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return certs
	}
	for _, s := range certSpecs {
		b, err := os.ReadFile(filepath.Join(certsDir, s.name+".pem"))
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(b)
		if block == nil {
			t.Fatalf("%s.pem: no PEM", s.name)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		certs[s.name] = &ct.Cert{Cert: cert, PEM: string(b)}
	}
	return certs
}

// fixture is one golden case's input.
type fixture struct {
	config string // the function config, YAML
	items  []*yaml.RNode
}

const typedConfig = `apiVersion: fn.meshfn.dev/v1alpha1
kind: CASecrets
metadata:
  name: ca-secrets
  annotations:
    config.kubernetes.io/local-config: "true"
    config.kubernetes.io/path: casecrets.yaml
    internal.config.kubernetes.io/path: casecrets.yaml
spec:
`

// fakeKey is shaped like a PEM private key; its content is not a key.
const fakeKey = "-----BEGIN PRIVATE KEY-----\nTk9UIEEgS0VZ\n-----END PRIVATE KEY-----\n"

func fixtures(t *testing.T, c map[string]*ct.Cert) map[string]fixture {
	bundle := func(name, ns, flow, caName string, edit ...func(*cabundle.CABundle)) *cabundle.CABundle {
		b := ct.Bundle(name, ns, flow, c[caName], nil, c["root"])
		for _, e := range edit {
			e(b)
		}
		return b
	}
	c1 := func(flow string, edit ...func(*cabundle.CABundle)) *cabundle.CABundle {
		return bundle("c1", "istio-system", flow, "c1-ca", edit...)
	}
	item := func(b *cabundle.CABundle) *yaml.RNode { return located(b.Node(), "cabundle-"+b.Metadata.Name+".yaml") }
	items := func(bs ...*cabundle.CABundle) []*yaml.RNode {
		var out []*yaml.RNode
		for _, b := range bs {
			out = append(out, item(b))
		}
		return out
	}
	defaults := typedConfig + "  renewBefore: 720h\n"

	fx := map[string]fixture{
		"hsm-plugin": {defaults, items(c1(cabundle.FlowHSMPlugin))},
		"plugged-in": {defaults, items(c1(cabundle.FlowPluggedIn))},
		"two-bundles": {defaults, items(
			c1(cabundle.FlowHSMPlugin),
			bundle("c2", "istio-system-c2", cabundle.FlowPluggedIn, "c2-ca"))},
		// c1 and c2 share a namespace, which only works because one is selected.
		"bundles-filter": {typedConfig + "  bundles: [c2]\n", items(
			c1(cabundle.FlowHSMPlugin),
			bundle("c2", "istio-system", cabundle.FlowPluggedIn, "c2-ca"))},
		"configmap-flat-keys": {`apiVersion: v1
kind: ConfigMap
metadata:
  name: function-input
  annotations:
    config.kubernetes.io/local-config: "true"
data:
  bundles: c1
  renewBefore: 24h
`, items(c1(cabundle.FlowPluggedIn), bundle("c2", "istio-system", cabundle.FlowHSMPlugin, "c2-ca"))},
		// c1-ca expires in 2075, the root in 2125: a 50-year window catches the CA only.
		"renewal-window-warning": {typedConfig + "  renewBefore: 438000h\n", items(c1(cabundle.FlowHSMPlugin))},
		"no-bundles":             {defaults, nil},

		"error-expired":           {defaults, items(bundle("c1", "istio-system", cabundle.FlowHSMPlugin, "expired-ca"))},
		"error-not-ca":            {defaults, items(bundle("c1", "istio-system", cabundle.FlowHSMPlugin, "leaf"))},
		"error-chain-not-to-root": {defaults, items(bundle("c1", "istio-system", cabundle.FlowHSMPlugin, "other-ca"))},
		"error-truncated-pem": {defaults, items(c1(cabundle.FlowHSMPlugin, func(b *cabundle.CABundle) {
			b.Spec.CertChain = b.Spec.CertChain[:len(b.Spec.CACert)+len(b.Spec.RootCert)/2]
		}))},
		"error-fingerprint-mismatch": {defaults, items(c1(cabundle.FlowHSMPlugin, func(b *cabundle.CABundle) {
			b.Spec.Fingerprints.CACert = cabundle.Fingerprint(c["c2-ca"].Cert)
		}))},
		"error-private-key": {defaults, items(c1(cabundle.FlowPluggedIn, func(b *cabundle.CABundle) {
			b.Spec.CACert += fakeKey
		}))},
		"error-plugged-in-without-cakey": {defaults, items(c1(cabundle.FlowPluggedIn, func(b *cabundle.CABundle) {
			b.Spec.CAKey = nil
		}))},
		"error-unknown-flow": {defaults, items(c1(cabundle.FlowHSMPlugin, func(b *cabundle.CABundle) {
			b.Spec.Flow = "vault"
		}))},
		"error-not-local-config": {defaults, []*yaml.RNode{func() *yaml.RNode {
			n := item(c1(cabundle.FlowHSMPlugin))
			if _, err := krm.RemoveAnnotation(n, krm.LocalConfigAnnotation); err != nil {
				t.Fatal(err)
			}
			return n
		}()}},
		"error-same-namespace": {defaults, items(
			c1(cabundle.FlowHSMPlugin),
			bundle("c2", "istio-system", cabundle.FlowPluggedIn, "c2-ca"))},
		"error-bundle-not-found": {typedConfig + "  bundles: [c1, c3]\n", items(c1(cabundle.FlowHSMPlugin))},
		"error-config":           {typedConfig + "  renewBefore: 30d\n  bundles: [c1, c1]\n", items(c1(cabundle.FlowHSMPlugin))},
		"error-hand-written-secret": {defaults, append(items(c1(cabundle.FlowHSMPlugin)), located(yaml.MustParse(`apiVersion: v1
kind: Secret
metadata:
  name: istio-ca-cert
  namespace: istio-system
type: Opaque
data:
  cert-chain.pem: ""
`), "secrets/istio-ca-cert.yaml"))},
	}

	unknown := item(c1(cabundle.FlowHSMPlugin))
	if err := unknown.PipeE(yaml.Lookup("spec"), yaml.SetField("caKeyFile", yaml.NewStringRNode("/etc/hsm/ca-key.pem"))); err != nil {
		t.Fatal(err)
	}
	fx["error-unknown-field"] = fixture{defaults, []*yaml.RNode{unknown}}

	// The re-render case starts from what the plugged-in case rendered.
	out, ok := krmtest.Run(t, runAtTestNow, resourceList(t, fx["plugged-in"]))
	if !ok {
		t.Fatalf("plugged-in failed:\n%s", out)
	}
	rendered, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	var again []*yaml.RNode
	for _, it := range rendered.Items {
		again = append(again, it.MoveToResourceNode())
	}
	fx["re-render-no-op"] = fixture{defaults, again}
	return fx
}

// located annotates obj with the file kpt read it from.
func located(obj *yaml.RNode, path string) *yaml.RNode {
	if err := krm.SetLocation(obj, path, 0); err != nil {
		panic(err)
	}
	return obj
}

// resourceList is the fixture as kpt passes it to the function.
func resourceList(t *testing.T, f fixture) []byte {
	t.Helper()
	rl := &fn.ResourceList{}
	for _, it := range f.items {
		rl.Items = append(rl.Items, fn.MoveToKubeObject(it.Copy()))
	}
	cfg, err := fn.ParseKubeObject([]byte(f.config))
	if err != nil {
		t.Fatal(err)
	}
	rl.FunctionConfig = cfg
	b, err := rl.ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWriteFixtures rewrites the golden inputs (see the comment at the top).
func TestWriteFixtures(t *testing.T) {
	if os.Getenv("MESHFN_GEN_CA_FIXTURES") == "" {
		t.Skip("MESHFN_GEN_CA_FIXTURES=1 rewrites testdata/*/input.yaml")
	}
	for name, f := range fixtures(t, testCerts(t, true)) {
		dir := filepath.Join(goldenDir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "input.yaml"), resourceList(t, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCertificatesStayValid guards the fixtures: the certificates the passing cases use
// are valid now, not only at testNow, so the function run by hand over the golden inputs
// (or in the e2e tests) behaves as the golden files say until 2075.
func TestCertificatesStayValid(t *testing.T) {
	now := time.Now()
	for name, c := range testCerts(t, false) {
		if strings.HasPrefix(name, "expired") {
			continue
		}
		if now.After(c.Cert.NotAfter) || now.Before(c.Cert.NotBefore) {
			t.Errorf("testdata/%s.pem is valid %s to %s: delete testdata/*.pem and regenerate the fixtures", name, c.Cert.NotBefore, c.Cert.NotAfter)
		}
	}
}
