package ambientcheck

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"
)

// TestHTTPAttributes lists what ztunnel cannot enforce of an AuthorizationPolicy, as
// Istio's conversion of policies for ztunnel drops it.
func TestHTTPAttributes(t *testing.T) {
	tests := []struct {
		spec string
		want []string
	}{
		{"action: ALLOW\nrules:\n- from:\n  - source:\n      principals: [a]\n      namespaces: [b]\n      ipBlocks: [10.0.0.0/8]\n  to:\n  - operation:\n      ports: [\"80\"]\n  when:\n  - key: source.ip\n    values: [1.2.3.4]\n  - key: destination.port\n    values: [\"80\"]\n", nil},
		{"rules:\n- to:\n  - operation:\n      methods: [GET]\n      notPaths: [/admin]\n      hosts: [a]\n", []string{"to.operation.hosts", "to.operation.methods", "to.operation.notPaths"}},
		{"rules:\n- from:\n  - source:\n      requestPrincipals: [\"*\"]\n      remoteIpBlocks: [1.2.3.4]\n", []string{"from.source.remoteIpBlocks", "from.source.requestPrincipals"}},
		{"rules:\n- when:\n  - key: request.auth.claims[iss]\n    values: [x]\n  - key: connection.sni\n    values: [x]\n", []string{"when request.auth.claims[iss]", "when connection.sni"}},
		{"action: CUSTOM\nprovider:\n  name: ext-authz\nrules:\n- {}\n", []string{"action CUSTOM"}},
		{"action: AUDIT\n", []string{"action AUDIT"}},
	}
	for _, tt := range tests {
		b, err := sigsyaml.YAMLToJSON([]byte("spec:\n  " + strings.ReplaceAll(strings.TrimSuffix(tt.spec, "\n"), "\n", "\n  ")))
		if err != nil {
			t.Fatal(err)
		}
		var p authzPolicy
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if got := p.httpAttributes(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: httpAttributes = %q, want %q", tt.spec, got, tt.want)
		}
	}
}
