package casecrets

import (
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/cabundle"
	ct "github.com/meshfn/meshfn/internal/cabundle/cabundletest"
	"github.com/meshfn/meshfn/internal/certchain"
	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// hiddenKey is a PKCS#8 private key's base64 put into a PEM header: no BEGIN PRIVATE KEY
// line, so only a strict reader notices it.
const hiddenKey = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"

// TestHiddenKeyAndUnusableChainsAreRefused: what istiod cannot use, or what would carry
// a key into Git, fails the render, and no Secret holds it. (Before the fix a PKCS#8 key
// in a PEM header reached cert-chain.pem, and a caCert below a pathlen:0 intermediate,
// an RSA-1024 CA and a chain of 50 certificates rendered.)
func TestHiddenKeyAndUnusableChainsAreRefused(t *testing.T) {
	certs := testCerts(t, false)
	fx := fixtures(t, certs)
	root := certs["root"]
	fresh := ct.Must(ct.New(ct.Options{CommonName: "fresh root", NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(50, 0, 0), CA: true}, nil))
	zero := ct.Must(ct.New(ct.Options{CommonName: "pathlen 0", NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(40, 0, 0), CA: true, PathLenZero: true}, fresh))
	below := ct.Must(ct.New(ct.Options{CommonName: "below", NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(30, 0, 0), CA: true}, zero))
	weak := ct.Must(ct.New(ct.Options{CommonName: "weak", NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(30, 0, 0), CA: true, RSABits: 1024}, fresh))
	for _, tc := range []struct {
		name   string
		bundle *cabundle.CABundle
		want   string
	}{
		{"a key in a PEM header", func() *cabundle.CABundle {
			b := ct.Bundle("c1", "istio-system", cabundle.FlowHSMPlugin, certs["c1-ca"], nil, root)
			b.Spec.CertChain = strings.Replace(b.Spec.CertChain, "-----BEGIN CERTIFICATE-----\n",
				"-----BEGIN CERTIFICATE-----\nX-Backup: "+hiddenKey+"\n\n", 1)
			return b
		}(), "private key material (a PKCS#8 private key in base64"},
		{"caCert below pathlen:0", ct.Bundle("c1", "istio-system", cabundle.FlowHSMPlugin, below, []*ct.Cert{zero}, fresh), "pathlen:0"},
		{"RSA-1024 caCert", ct.Bundle("c1", "istio-system", cabundle.FlowHSMPlugin, weak, nil, fresh), "1024 bits"},
		{"50 certificates", func() *cabundle.CABundle {
			b := ct.Bundle("c1", "istio-system", cabundle.FlowHSMPlugin, certs["c1-ca"], nil, root)
			b.Spec.CertChain = strings.Repeat(certs["c1-ca"].PEM, 49) + root.PEM
			return b
		}(), "more than 8 certificates"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fixture{config: fx["hsm-plugin"].config, items: []*yaml.RNode{located(tc.bundle.Node(), "cabundle-c1.yaml")}}
			out, ok := krmtest.Run(t, runAtTestNow, resourceList(t, f))
			if ok {
				t.Fatalf("rendered:\n%s", out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("the results do not say %q:\n%s", tc.want, out)
			}
			if strings.Contains(string(out), base64.StdEncoding.EncodeToString([]byte(hiddenKey))[:20]) {
				t.Error("the hidden key reached a Secret")
			}
		})
	}
}

// TestSecretsFitTheLimit: the largest bundle the limits let through renders a cacerts
// Secret below Kubernetes' 1 MiB, base64 and all.
func TestSecretsFitTheLimit(t *testing.T) {
	const secretLimit = 1 << 20
	largest := 3 * base64.StdEncoding.EncodedLen(certchain.MaxPEMBytes)
	if largest+16<<10 > secretLimit {
		t.Errorf("three fields of %d bytes make %d bytes of Secret data, over %d", certchain.MaxPEMBytes, largest, secretLimit)
	}
}

// TestChainsWorkloadsCannotUseAreRefused: a CA whose workload certificates peers would
// reject fails the render, judged in the configured trust domain. (Before, a CA whose
// name constraints exclude spiffe://cluster.local, or whose EKU is serverAuth only,
// rendered.)
func TestChainsWorkloadsCannotUseAreRefused(t *testing.T) {
	fx := fixtures(t, testCerts(t, false))
	from := testNow.AddDate(-1, 0, 0)
	root := ct.Must(ct.New(ct.Options{CommonName: "fresh root", NotBefore: from, NotAfter: testNow.AddDate(50, 0, 0), CA: true}, nil))
	ca := func(edit func(*x509.Certificate)) *ct.Cert {
		return ct.Must(ct.New(ct.Options{CommonName: "constrained", NotBefore: from, NotAfter: testNow.AddDate(30, 0, 0), CA: true, Edit: edit}, root))
	}
	excluded := ca(func(c *x509.Certificate) { c.ExcludedURIDomains = []string{"cluster.local"} })
	exampleOnly := ca(func(c *x509.Certificate) { c.PermittedURIDomains = []string{"example.org"} })
	serverOnly := ca(func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth} })
	for _, tc := range []struct {
		name, config string
		ca           *ct.Cert
		want         string // "" when it renders
	}{
		{"excludes cluster.local", fx["hsm-plugin"].config, excluded, `excluded by constraint "cluster.local"`},
		{"server auth only", fx["hsm-plugin"].config, serverOnly, "for client auth"},
		{"permits another trust domain", fx["hsm-plugin"].config, exampleOnly, "not permitted"},
		{"permits the configured trust domain", typedConfig + "  trustDomain: example.org\n", exampleOnly, ""},
		{"excludes the configured trust domain", typedConfig + "  trustDomain: cluster.local\n", excluded, "excluded"},
		{"the trust domain from a ConfigMap", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n  trustDomain: example.org\n", exampleOnly, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := ct.Bundle("c1", "istio-system", cabundle.FlowHSMPlugin, tc.ca, nil, root)
			f := fixture{config: tc.config, items: []*yaml.RNode{located(b.Node(), "cabundle-c1.yaml")}}
			out, ok := krmtest.Run(t, runAtTestNow, resourceList(t, f))
			switch {
			case tc.want == "" && !ok:
				t.Fatalf("failed:\n%s", out)
			case tc.want != "" && ok:
				t.Fatalf("rendered:\n%s", out)
			case tc.want != "" && !strings.Contains(string(out), tc.want):
				t.Errorf("the results do not say %q:\n%s", tc.want, out)
			}
		})
	}
}

// TestTrustDomainIsChecked: a trust domain SPIFFE does not allow is a config error.
func TestTrustDomainIsChecked(t *testing.T) {
	fx := fixtures(t, testCerts(t, false))
	f := fixture{config: typedConfig + "  trustDomain: Cluster.Local/x\n", items: fx["hsm-plugin"].items}
	out, ok := krmtest.Run(t, runAtTestNow, resourceList(t, f))
	if ok || !strings.Contains(string(out), "spec.trustDomain") {
		t.Errorf("a bad trust domain was not refused by name:\n%s", out)
	}
}

// TestKeyMaterialAnywhereInABundleFileIsRefused: private key material anywhere in the
// file of a CABundle, selected or not, in any form, fails the render with an error that
// names the file and the field, never the key. (Before, a key in a YAML comment, under a
// lower-case PEM header, or as one unarmoured line of base64 rendered: exit 0, and the
// key stayed in the package.)
func TestKeyMaterialAnywhereInABundleFileIsRefused(t *testing.T) {
	certs := testCerts(t, false)
	fx := fixtures(t, certs)
	keyCert := ct.Must(ct.New(ct.Options{CommonName: "k", NotBefore: testNow, NotAfter: testNow.AddDate(1, 0, 0)}, nil))
	key := ct.PKCS8Base64(keyCert)
	lowerPEM := "-----begin private key-----\\n" + key[:64] + "\\n-----end private key-----"
	bundle := ct.Bundle("c1", "istio-system", cabundle.FlowHSMPlugin, certs["c1-ca"], nil, certs["root"]).Node().MustString()
	other := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  backup: " + key + "\n"
	parse := func(text, file string) *yaml.RNode { return located(yaml.MustParse(text), file) }
	for _, tc := range []struct {
		name   string
		items  []*yaml.RNode
		config string
		want   string
	}{
		{"a base64 key in a YAML comment", []*yaml.RNode{parse(strings.Replace(bundle, "spec:\n", "spec:\n  # "+key+"\n", 1), "cabundle-c1.yaml")},
			"", "CABundle c1 (cabundle-c1.yaml): spec.cluster: a comment holds private key material (a PKCS#8 private key in base64"},
		{"a key in a comment at the top of the file", []*yaml.RNode{parse("# backup\n# "+key+"\n"+bundle, "cabundle-c1.yaml")},
			"", "CABundle c1 (cabundle-c1.yaml): apiVersion: a comment holds private key material"},
		{"a key in a comment at the end of the file", []*yaml.RNode{parse(bundle+"# "+key+"\n", "cabundle-c1.yaml")},
			"", "CABundle c1 (cabundle-c1.yaml): "},
		{"a key under a lower-case PEM header", []*yaml.RNode{parse(strings.Replace(bundle, "  annotations:\n", "  annotations:\n    backup: \""+lowerPEM+"\"\n", 1), "cabundle-c1.yaml")},
			"", "CABundle c1 (cabundle-c1.yaml): metadata.annotations.backup: holds private key material (a PEM private key header"},
		{"one unarmoured base64 line", []*yaml.RNode{parse(strings.Replace(bundle, "  flow: hsm-plugin\n", "  flow: hsm-plugin\n  backup: "+key+"\n", 1), "cabundle-c1.yaml")},
			"", "CABundle c1 (cabundle-c1.yaml): spec.backup: holds private key material (a PKCS#8 private key in base64"},
		{"a key in another resource of the file", []*yaml.RNode{parse(bundle, "cabundle-c1.yaml"), parse(other, "cabundle-c1.yaml")},
			"", "ConfigMap notes (cabundle-c1.yaml), in the file of a CABundle: data.backup: holds private key material"},
		{"a key in a bundle not selected", []*yaml.RNode{parse(bundle, "cabundle-c1.yaml"),
			parse(strings.Replace(strings.Replace(bundle, "name: c1", "name: c2", 1), "spec:\n", "spec:\n  # "+key+"\n", 1), "cabundle-c2.yaml")},
			typedConfig + "  bundles: [c1]\n", "CABundle c2 (cabundle-c2.yaml): spec.cluster: a comment holds private key material"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := tc.config
			if config == "" {
				config = fx["hsm-plugin"].config
			}
			out, ok := krmtest.Run(t, runAtTestNow, resourceList(t, fixture{config: config, items: tc.items}))
			if ok {
				t.Fatalf("rendered:\n%s", out)
			}
			results := string(out[strings.Index(string(out), "\nresults:"):])
			if !strings.Contains(results, tc.want) {
				t.Errorf("the results do not say %q:\n%s", tc.want, results)
			}
			if strings.Contains(results, key[10:40]) {
				t.Errorf("the results print the key:\n%s", results)
			}
		})
	}
}
