package istiocorpus

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// Normalize applies the corpus's comparison rule to plain data (maps, lists, scalars):
// it drops nulls and empty maps and lists, recursively, so that a map that becomes empty
// is dropped too. The results of two documents compare with reflect.DeepEqual.
func Normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if n := Normalize(e); !isEmpty(n) {
				out[k] = n
			}
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			out = append(out, Normalize(e))
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

// ID names a document by kind, namespace and name.
func ID(n *yaml.RNode) string { return n.GetKind() + "/" + n.GetNamespace() + "/" + n.GetName() }

// DropArtifacts removes, in obj and in the items of a List, what differs between Istio's
// expected output and meshfn's without meaning: Istio marshals typed objects, which adds
// a status (replicas: 0 for a StatefulSet) and, for an OpenShift DeploymentConfig,
// spec.test: false while dropping spec.minReadySeconds: 0 and spec.paused: false, where
// meshfn leaves the workload's own fields as written and never writes a status. The
// given metadata annotations (meshfn's own, such as its revert patch) go too.
func DropArtifacts(obj map[string]any, annotations ...string) {
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
			for _, name := range annotations {
				delete(a, name)
			}
		}
	}
	if items, ok := obj["items"].([]any); ok && obj["kind"] == "List" {
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				DropArtifacts(m, annotations...)
			}
		}
	}
}

// value is a document as compared: plain data, without artifacts, normalized.
func value(t testing.TB, n *yaml.RNode, annotations []string) any {
	t.Helper()
	b, err := n.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := sigsyaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	DropArtifacts(v, annotations...)
	return Normalize(v)
}

// CompareOutput compares every document of the case's expected.yaml with the item of
// the same kind, namespace and name in got, by the comparison rule after DropArtifacts
// (with the given annotations) on both sides. It returns one message per difference,
// with a diff whose "+" side is labelled who.
func CompareOutput(t testing.TB, c Case, got []*yaml.RNode, who string, annotations ...string) []string {
	t.Helper()
	return CompareOutputWith(t, c, got, nil, who, annotations...)
}

// CompareOutputWith is CompareOutput with the expected documents changed by fix first
// (nil: as they are), e.g. for images of another tag.
func CompareOutputWith(t testing.TB, c Case, got []*yaml.RNode, fix func(any) any, who string, annotations ...string) []string {
	t.Helper()
	byID := map[string]*yaml.RNode{}
	for _, it := range got {
		byID[ID(it)] = it
	}
	var diffs []string
	for _, want := range ReadDocs(t, c.ExpectedPath()) {
		g, found := byID[ID(want)]
		if !found {
			diffs = append(diffs, "output lacks "+ID(want))
			continue
		}
		wv, gv := value(t, want, annotations), value(t, g, annotations)
		if fix != nil {
			wv = fix(wv)
		}
		if !reflect.DeepEqual(wv, gv) {
			wb, _ := sigsyaml.Marshal(wv)
			gb, _ := sigsyaml.Marshal(gv)
			diffs = append(diffs, fmt.Sprintf("%s differs from Istio's (-istio +%s):\n%s", ID(want), who, krmtest.Diff(string(wb), string(gb))))
		}
	}
	return diffs
}

// AsRelease131 changes an expected output of the master corpus into what the 1.31 line
// writes: Istio's master dropped the GOMAXPROCS env var from its templates after the 1.31
// branch (istio/istio#60755), and every released line still sets it, after GOMEMLIMIT,
// from the proxy's CPU limit. It is the one injection difference between master at the
// corpus's commit and the 1.31 line (the templates' other changes render the same).
func AsRelease131(v any) any { return proxyEnv(v, withGOMAXPROCS) }

// WithoutGOMAXPROCS is the reverse: compared data of the 1.31 line as master writes it.
func WithoutGOMAXPROCS(v any) any {
	return proxyEnv(v, func(env []any) []any {
		kept := []any{}
		for _, e := range env {
			if m, _ := e.(map[string]any); m["name"] != "GOMAXPROCS" {
				kept = append(kept, e)
			}
		}
		return kept
	})
}

// proxyEnv changes the env of every istio-proxy container in v with change.
func proxyEnv(v any, change func([]any) []any) any {
	switch x := v.(type) {
	case map[string]any:
		if x["name"] == "istio-proxy" {
			if env, ok := x["env"].([]any); ok {
				x["env"] = change(env)
			}
		}
		for k, e := range x {
			x[k] = proxyEnv(e, change)
		}
	case []any:
		for i, e := range x {
			x[i] = proxyEnv(e, change)
		}
	}
	return v
}

func withGOMAXPROCS(env []any) []any {
	at := -1
	for i, e := range env {
		m, _ := e.(map[string]any)
		switch m["name"] {
		case "GOMAXPROCS":
			return env
		case "GOMEMLIMIT":
			at = i
		}
	}
	if at < 0 {
		return env
	}
	gomaxprocs := map[string]any{"name": "GOMAXPROCS", "valueFrom": map[string]any{
		"resourceFieldRef": map[string]any{"resource": "limits.cpu", "divisor": "1"}}}
	return append(env[:at+1:at+1], append([]any{gomaxprocs}, env[at+1:]...)...)
}
