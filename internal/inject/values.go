package inject

import (
	"fmt"

	"github.com/meshfn/meshfn/internal/yamlnode"
	sigsyaml "sigs.k8s.io/yaml"
)

// Values are the injector's Helm values (the `values` key of the istio-sidecar-injector
// ConfigMap), as the map templates see under .Values. Numbers are float64, as JSON decodes.
type Values map[string]any

// ParseValues reads the values JSON (or YAML, without anchors and aliases).
func ParseValues(text string) (Values, error) {
	v := Values{}
	if err := yamlnode.TextNoAliases(text); err != nil {
		return nil, fmt.Errorf("parsing the injector values: %w", err)
	}
	if err := sigsyaml.Unmarshal([]byte(text), &v); err != nil {
		return nil, fmt.Errorf("parsing the injector values: %w", err)
	}
	return v, nil
}

// Get returns the value at path, or nil.
func (v Values) Get(path ...string) any {
	var cur any = map[string]any(v)
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// String returns the value at path formatted as Istio formats it ("" when absent).
func (v Values) String(path ...string) string {
	x := v.Get(path...)
	if x == nil {
		return ""
	}
	return fmt.Sprint(x)
}

// Bool returns the boolean at path (false when absent or not a boolean).
func (v Values) Bool(path ...string) (value, set bool) {
	b, ok := v.Get(path...).(bool)
	return b, ok
}
