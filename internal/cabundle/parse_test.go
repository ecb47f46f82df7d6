package cabundle_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/cabundle"
	ct "github.com/meshfn/meshfn/internal/cabundle/cabundletest"
	"github.com/meshfn/meshfn/internal/certchain"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestNodeParseRoundTrip: what hsm-tool writes with Node, Parse reads back unchanged, and
// Check accepts.
func TestNodeParseRoundTrip(t *testing.T) {
	for _, b := range []*cabundle.CABundle{hsm(inter, nil, root)(), plugged(issuing, []*ct.Cert{inter}, root)()} {
		b.Metadata.Labels = map[string]string{"mesh": "prod"}
		b.Metadata.Annotations = map[string]string{"meshfn.dev/exported-by": "hsm-tool"}
		node := b.Node()
		text := node.MustString()
		got, err := cabundle.Parse(yaml.MustParse(text))
		if err != nil {
			t.Fatalf("Parse(Node()) = %v\n%s", err, text)
		}
		b.Metadata.Annotations["config.kubernetes.io/local-config"] = "true"
		if !reflect.DeepEqual(got, b) {
			t.Errorf("round trip changed the bundle:\n got %+v\nwant %+v", got, b)
		}
		if _, err := cabundle.Check(got, now, 0, certchain.Policy{}); err != nil {
			t.Errorf("Check: %v", err)
		}
	}
}

// TestNodeLayout: keys in the documented order, PEM as literal blocks, local-config.
func TestNodeLayout(t *testing.T) {
	text := plugged(inter, nil, root)().Node().MustString()
	order := []string{"apiVersion: meshfn.dev/v1alpha1", "kind: CABundle", "metadata:", "  name: c1",
		"    config.kubernetes.io/local-config: \"true\"", "spec:", "  cluster: c1", "  namespace: istio-system",
		"  flow: plugged-in", "  caCert: |\n    -----BEGIN CERTIFICATE-----", "  certChain: |", "  rootCert: |",
		"  caKey:\n    externalSecret:\n      secretStoreRef:\n        name: vault\n        kind: ClusterSecretStore\n" +
			"      remoteRef:\n        key: asm-c1/ca\n        property: ca-key.pem\n",
		"  fingerprints:\n    caCert: " + cabundle.Fingerprint(inter.Cert) + "\n    rootCert: " + cabundle.Fingerprint(root.Cert),
		"  notAfter: \"2075-01-01T00:00:00Z\"\n"}
	at := 0
	for _, want := range order {
		i := strings.Index(text[at:], want)
		if i < 0 {
			t.Fatalf("%q missing or out of order in\n%s", want, text)
		}
		at += i + len(want)
	}
}

func TestParse(t *testing.T) {
	valid := hsm(inter, nil, root)().Node().MustString()
	key := ct.PKCS8Base64(inter)
	tests := []struct {
		name     string
		yaml     string
		wantErrs []string
	}{
		{name: "valid", yaml: valid},
		{name: "null caKey is left out", yaml: valid + "  caKey: null\n"},
		{name: "unquoted timestamp", yaml: strings.Replace(valid, `notAfter: "2075-01-01T00:00:00Z"`, "notAfter: 2075-01-01T00:00:00Z", 1)},
		{
			name: "unknown field", yaml: valid + "  caKeyPEM: somewhere\n",
			wantErrs: []string{"spec.caKeyPEM: unknown field (known: cluster, namespace, flow, caCert, certChain, rootCert, caKey, fingerprints, notAfter)"},
		},
		{
			name: "field names are case-sensitive", yaml: strings.Replace(valid, "  caCert: |", "  CACert: |", 1),
			wantErrs: []string{"spec.CACert: unknown field"},
		},
		{
			name: "unknown top-level and nested fields", yaml: valid + "  caKey:\n    vault: {path: x}\n" + "status: {}\n",
			wantErrs: []string{"spec.caKey.vault: unknown field (known: externalSecret)", "status: unknown field"},
		},
		{
			name: "wrong types", yaml: strings.Replace(valid, "  cluster: c1", "  cluster: 42", 1) + "  caKey: vault\n",
			wantErrs: []string{"spec.cluster: expected a string, got the number 42 (quote it)", `spec.caKey: expected a mapping, got the scalar "vault"`},
		},
		{
			name: "a list for a string", yaml: strings.Replace(valid, "  flow: hsm-plugin", "  flow: [hsm-plugin]", 1),
			wantErrs: []string{"spec.flow: expected a string, got a list"},
		},
		{
			name: "label value not a string", yaml: strings.Replace(valid, "metadata:\n", "metadata:\n  labels:\n    enabled: true\n", 1),
			wantErrs: []string{"metadata.labels.enabled: expected a string, got the boolean true"},
		},
		{
			name: "private key in an unknown field", yaml: valid + "  caKeyPEM: |\n    -----BEGIN RSA PRIVATE KEY-----\n    Tk9UIEEgS0VZ\n    -----END RSA PRIVATE KEY-----\n",
			wantErrs: []string{"spec.caKeyPEM: holds private key material (a PEM private key header, line 1): private keys never go into Git"},
		},
		{
			name: "private key in an annotation", yaml: strings.Replace(valid, "  annotations:\n", "  annotations:\n    key: \"-----BEGIN PRIVATE KEY-----\\nx\\n-----END PRIVATE KEY-----\"\n", 1),
			wantErrs: []string{"metadata.annotations.key: holds private key material"},
		},
		// Issue 18, item 11: key material in a comment, in lower case, as one line of base64.
		{
			name: "a PEM key in a comment", yaml: strings.Replace(valid, "spec:\n", "spec:\n  # -----BEGIN PRIVATE KEY-----\n  # "+key+"\n", 1),
			wantErrs: []string{"spec.cluster: a comment holds private key material (a PEM private key header, line 1)"},
		},
		{
			name: "a base64 key in a line comment", yaml: strings.Replace(valid, "  flow: hsm-plugin", "  flow: hsm-plugin # "+key, 1),
			wantErrs: []string{"spec.flow: a comment holds private key material (a PKCS#8 private key in base64, line 1)"},
		},
		{
			name: "a base64 key in a comment at the end", yaml: valid + "# " + key + "\n",
			wantErrs: []string{"a comment holds private key material (a PKCS#8 private key in base64"},
		},
		{
			name: "a base64 key in a comment at the top", yaml: "# backup\n# " + key + "\n" + valid,
			wantErrs: []string{"a comment holds private key material (a PKCS#8 private key in base64, line 2)"},
		},
		{
			name: "a lower-case PEM key in an annotation", yaml: strings.Replace(valid, "  annotations:\n", "  annotations:\n    key: \"-----begin private key-----\\nx\\n-----end private key-----\"\n", 1),
			wantErrs: []string{"metadata.annotations.key: holds private key material (a PEM private key header, line 1)"},
		},
		{
			name: "one unarmoured base64 line", yaml: strings.Replace(valid, "  annotations:\n", "  annotations:\n    backup: "+key+"\n", 1),
			wantErrs: []string{"metadata.annotations.backup: holds private key material (a PKCS#8 private key in base64, line 1)"},
		},
		{
			name: "a base64 key as a mapping key", yaml: strings.Replace(valid, "  annotations:\n", "  annotations:\n    "+key+": x\n", 1),
			wantErrs: []string{"metadata.annotations: a key of it holds private key material"},
		},
		{
			name: "wrong version", yaml: strings.Replace(valid, "meshfn.dev/v1alpha1", "meshfn.dev/v1", 1),
			wantErrs: []string{`apiVersion: expected apiVersion meshfn.dev/v1alpha1, kind CABundle; got apiVersion "meshfn.dev/v1"`},
		},
		{name: "not a mapping", yaml: "- a\n", wantErrs: []string{"expected a mapping, got a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node, err := yaml.Parse(tt.yaml)
			if err != nil {
				t.Fatal(err)
			}
			b, err := cabundle.Parse(node)
			if err != nil && strings.Contains(err.Error(), key[10:40]) {
				t.Errorf("the error prints the key: %v", err)
			}
			got := splitErrors(err)
			if len(got) != len(tt.wantErrs) {
				t.Fatalf("errors:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.wantErrs, "\n  "))
			}
			for i, want := range tt.wantErrs {
				if !strings.Contains(got[i], want) {
					t.Errorf("error %d = %q, want it to contain %q", i, got[i], want)
				}
			}
			if err == nil {
				if b.Spec.NotAfter != "2075-01-01T00:00:00Z" || b.Spec.Flow != cabundle.FlowHSMPlugin || b.Spec.CACert != inter.PEM {
					t.Errorf("parsed %+v", b.Spec)
				}
			}
		})
	}
}
