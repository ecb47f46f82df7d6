package builtin_test

import (
	"testing"

	"github.com/meshfn/meshfn/functions/inject-sidecar/injection"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// docValue is a document as the corpus's comparison rule sees it: plain data without
// nulls and empty maps or lists, and without what differs between Istio's output and
// meshfn's for reasons that have nothing to do with the templates.
func docValue(t *testing.T, n *yaml.RNode) any {
	t.Helper()
	b, err := n.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := sigsyaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	withoutArtifacts(v)
	return withoutEmpty(v)
}

// withoutEmpty drops nulls and empty maps and lists, recursively (a map or list that
// becomes empty is dropped too).
func withoutEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if n := withoutEmpty(e); !isEmpty(n) {
				out[k] = n
			}
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			out = append(out, withoutEmpty(e))
		}
		return out
	}
	return v
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// withoutArtifacts removes, in obj and the items of a List, what Istio's marshalling of
// typed objects adds (a status; for a DeploymentConfig spec.test: false, while dropping
// spec.minReadySeconds: 0 and spec.paused: false) and the revert patch meshfn keeps on
// the workload.
func withoutArtifacts(obj map[string]any) {
	delete(obj, "status")
	if obj["kind"] == "DeploymentConfig" {
		if spec, ok := obj["spec"].(map[string]any); ok {
			for _, k := range []string{"test", "paused", "minReadySeconds"} {
				if v := spec[k]; v == false || v == float64(0) {
					delete(spec, k)
				}
			}
		}
	}
	if meta, ok := obj["metadata"].(map[string]any); ok {
		if a, ok := meta["annotations"].(map[string]any); ok {
			delete(a, injection.RevertAnnotation)
		}
	}
	if items, ok := obj["items"].([]any); ok && obj["kind"] == "List" {
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				withoutArtifacts(m)
			}
		}
	}
}
