package nsrevision

import (
	"reflect"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/fnconfig"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// decodeSpec decodes a function config written as YAML, failing the test on an error.
func decodeSpec(t *testing.T, config string) *Spec {
	t.Helper()
	var spec Spec
	if _, err := fnconfig.Decode(yaml.MustParse(config), Kind, &spec); err != nil {
		t.Fatalf("decoding config: %v", err)
	}
	return &spec
}

func typedConfig(spec string) string {
	return "apiVersion: fn.meshfn.dev/v1alpha1\nkind: NamespaceRevision\nmetadata:\n  name: t\nspec:\n" + spec
}

func TestChoose(t *testing.T) {
	cands := []candidate{
		{Name: "kube-system", Labels: labels.Set{"env": "prod"}},
		{Name: "istio-system", Labels: labels.Set{"env": "prod"}},
		{Name: "shop", Labels: labels.Set{"env": "prod", "tier": "web"}},
		{Name: "shop-dev", Labels: labels.Set{"env": "dev", "tier": "web"}},
		{Name: "batch", Labels: labels.Set{"env": "prod", "tier": "batch"}},
		{Name: "mesh-system", Labels: labels.Set{"env": "prod"}},
	}
	tests := []struct {
		name     string
		spec     string
		selected []string
		skipped  []string
		missing  []string
	}{
		{
			name:     "names only, in package order",
			spec:     "  revision: canary\n  namespaces: [batch, shop, nowhere, nowhere]\n",
			selected: []string{"shop", "batch"},
			missing:  []string{"nowhere"},
		},
		{
			name:     "matchLabels skips system and control plane",
			spec:     "  revision: canary\n  selector:\n    matchLabels: {env: prod}\n",
			selected: []string{"shop", "batch", "mesh-system"},
			skipped:  []string{"kube-system", "istio-system"},
		},
		{
			name:     "custom control-plane namespace is protected, istio-system no longer",
			spec:     "  revision: canary\n  controlPlaneNamespace: mesh-system\n  selector: env=prod\n",
			selected: []string{"istio-system", "shop", "batch"},
			skipped:  []string{"kube-system", "mesh-system"},
		},
		{
			name:     "named protected namespaces are selected",
			spec:     "  revision: canary\n  namespaces: [kube-system, istio-system]\n  selector: tier=web\n",
			selected: []string{"kube-system", "istio-system", "shop", "shop-dev"},
		},
		{
			name:     "matchExpressions",
			spec:     "  revision: canary\n  selector:\n    matchExpressions:\n    - {key: tier, operator: In, values: [web, batch]}\n    - {key: env, operator: NotIn, values: [dev]}\n",
			selected: []string{"shop", "batch"},
		},
		{
			name:     "set-based string selector",
			spec:     "  revision: canary\n  selector: 'env=prod,tier in (web,api)'\n",
			selected: []string{"shop"},
		},
		{
			name: "selector matching nothing",
			spec: "  revision: canary\n  selector: env=staging\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel := choose(decodeSpec(t, typedConfig(tt.spec)), cands)
			var selected, skippedNames []string
			for _, i := range sel.Selected {
				selected = append(selected, cands[i].Name)
			}
			for _, s := range sel.Skipped {
				skippedNames = append(skippedNames, cands[s.Index].Name)
			}
			check(t, "selected", selected, tt.selected)
			check(t, "skipped", skippedNames, tt.skipped)
			check(t, "missing", sel.Missing, tt.missing)
		})
	}
}

func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestSelectorForms(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		want    string // the compiled selector, in kubectl syntax
		wantErr string
	}{
		{
			name:   "typed mapping",
			config: typedConfig("  revision: canary\n  selector:\n    matchLabels: {env: prod}\n"),
			want:   "env=prod",
		},
		{
			name:   "typed string",
			config: typedConfig("  revision: canary\n  selector: 'tier in (web,api),!legacy'\n"),
			want:   "!legacy,tier in (api,web)",
		},
		{
			name:   "ConfigMap string",
			config: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  revision: canary\n  selector: 'env=prod,tier notin (batch)'\n",
			want:   "env=prod,tier notin (batch)",
		},
		{
			name:    "wrong type",
			config:  typedConfig("  revision: canary\n  selector: [env=prod]\n"),
			wantErr: "spec.selector: expected a mapping, got array",
		},
		{
			name:    "matchLabels of the wrong type",
			config:  typedConfig("  revision: canary\n  selector:\n    matchLabels: prod\n"),
			wantErr: "selector: matchLabels: cannot read string as map[string]string",
		},
		{
			name:    "empty string",
			config:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  revision: canary\n  selector: ''\n",
			wantErr: "selector: empty",
		},
		{
			name:    "bad label key",
			config:  typedConfig("  revision: canary\n  selector:\n    matchLabels: {'bad key': x}\n"),
			wantErr: "selector: invalid selector",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var spec Spec
			_, err := fnconfig.Decode(yaml.MustParse(tt.config), Kind, &spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := spec.Selector.String(); got != tt.want {
				t.Errorf("selector = %q, want %q", got, tt.want)
			}
		})
	}
}
