package krm

import (
	"bytes"
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// refusedInputs are items (and configs) no function may read, each with what the error
// result must say about item "a" (in file a.yaml where its annotations can be read) or
// the config "fn".
var refusedInputs = []struct {
	name, input, message string
}{
	{"labels a list", item("{name: a, labels: [x], annotations: {config.kubernetes.io/path: a.yaml}}", ""), "metadata.labels: expected a mapping, got a list"},
	{"annotations a list", item("{name: a, annotations: [x]}", ""), "metadata.annotations: expected a mapping, got a list"},
	{"metadata a list", item("[a]", ""), "metadata: expected a mapping, got a list"},
	{"metadata a scalar", item("a", ""), `metadata: expected a mapping, got the scalar "a"`},
	{"name a list", item("{name: [a], annotations: {config.kubernetes.io/path: a.yaml}}", ""), "metadata.name: expected a string, got a list"},
	{"namespace a mapping", item("{name: a, namespace: {b: c}}", ""), "metadata.namespace: expected a string, got a mapping"},
	{"label value a list", item("{name: a, labels: {b: [c]}}", ""), "metadata.labels.b: expected a string, got a list"},
	{"annotation key a list", item("{name: a, annotations: {[b]: c}}", ""), "metadata.annotations: expected string keys, got a list"},
	{"kind a list", strings.Replace(item("{name: a}", ""), "kind: ConfigMap", "kind: [ConfigMap]", 1), "kind: expected a string, got a list"},
	{"label value an alias", item("{name: &n a, labels: {b: *n}}", ""), "metadata.labels.b: expected a string, got an alias (*n)"},
	{"metadata an alias", "items:\n- apiVersion: v1\n  kind: ConfigMap\n  spec: &m {name: a}\n  metadata: *m\n", "metadata: expected a mapping, got an alias (*m)"},
	{"alias to another item's anchor", item("{name: z}", "  data: &d {k: v}\n") +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a, annotations: {config.kubernetes.io/path: a.yaml}}\n  data: *d\n",
		"the YAML alias *d names an anchor outside it"},
	{"alias to the config's anchor", "functionConfig: {apiVersion: v1, kind: ConfigMap, metadata: {name: fn}, data: &d {k: v}}\n" +
		item("{name: a, annotations: {config.kubernetes.io/path: a.yaml}}", "  data: *d\n"), "the YAML alias *d names an anchor outside it"},
	{"List member's labels a list", "items:\n- apiVersion: v1\n  kind: List\n  metadata: {name: a}\n  items:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n" +
		"  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c, labels: [x]}}\n", "items[1]: metadata.labels: expected a mapping, got a list"},
	{"List member null", "items:\n- apiVersion: v1\n  kind: List\n  metadata: {name: a}\n  items: [null]\n", "items[0]: expected a mapping, got null"},
	{"config annotations a list", item("{name: a}", "") + "functionConfig: {apiVersion: v1, kind: ConfigMap, metadata: {name: fn, annotations: [a]}}\n",
		"the function config cannot be read: metadata.annotations"},
}

// item is an items list of one ConfigMap with the metadata and the further lines.
func item(meta, rest string) string {
	return "items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: " + meta + "\n" + rest
}

// TestRefusedInputNeverRuns: an item whose metadata kyaml's accessors crash on or misread
// (a list where a mapping belongs, an alias), or that holds an alias to an anchor outside
// it, is an error result naming it and its file; the function never runs (streamed, its
// results are dropped), and the output is the input, as YAML. Before, "labels: [x]"
// crashed five functions inside kyaml, and items sharing an anchor were sorted so the
// alias came before its anchor (no YAML, exit 0).
func TestRefusedInputNeverRuns(t *testing.T) {
	for _, tc := range refusedInputs {
		t.Run(tc.name, func(t *testing.T) {
			input := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n" + tc.input
			in, err := fn.ParseResourceList([]byte(input))
			if err != nil {
				t.Fatalf("%v in:\n%s", err, input)
			}
			ran := false
			mutate := func(rl *ResourceList) error {
				ran = true
				for _, it := range append(rl.Items, rl.Config) {
					_ = Describe(it)
					it.SetLabels(map[string]string{"changed": "yes"})
				}
				return nil
			}
			validate := func(rl *ResourceList, items iter.Seq[*yaml.RNode]) error {
				for it := range items {
					_ = Describe(it)
				}
				rl.Infof(nil, "validated")
				return nil
			}
			var streamed bytes.Buffer
			streamResults, err := RunStreamTo(&streamed, validate, []byte(input))
			if err != nil {
				t.Fatal(err)
			}
			out, results, err := Run(mutate, []byte(input))
			if err != nil {
				t.Fatal(err)
			}
			if ran {
				t.Error("the function ran")
			}
			for how, o := range map[string]struct {
				out     []byte
				results fn.Results
			}{"Run": {out, results}, "RunStreamTo": {streamed.Bytes(), streamResults}} {
				checkRefused(t, how, o.out, o.results, tc.message, in)
			}
		})
	}
}

// checkRefused checks a refused input's output: the input's items as YAML, and one error
// result with the message, naming the first item (and its file, where readable).
func checkRefused(t *testing.T, how string, out []byte, results fn.Results, message string, in *fn.ResourceList) {
	t.Helper()
	got, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatalf("%s: the output is no ResourceList (%v):\n%s", how, err, out)
	}
	if len(got.Items) != len(in.Items) || strings.Contains(string(out), "changed") {
		t.Errorf("%s: the items changed:\n%s", how, out)
	}
	if !HasErrors(results) || len(results) != 1 || !strings.Contains(results[0].Message, message) {
		t.Fatalf("%s: results %v, want one error saying %q", how, results, message)
	}
	r := results[0]
	if strings.Contains(message, "function config") {
		if r.ResourceRef == nil || r.ResourceRef.Name != "fn" {
			t.Errorf("%s: the result does not name the config: %+v", how, r.ResourceRef)
		}
		return
	}
	if r.ResourceRef == nil || r.ResourceRef.Kind == "" && !strings.HasPrefix(message, "kind") ||
		r.ResourceRef.Name != "a" && !strings.Contains(message, "metadata:") && !strings.Contains(message, "metadata.name") {
		t.Errorf("%s: the result does not name the resource: %+v", how, r.ResourceRef)
	}
	if strings.Contains(string(out), "a.yaml") && !strings.Contains(message, "annotations") && (r.File == nil || r.File.Path != "a.yaml") {
		t.Errorf("%s: the result does not name the file: %+v", how, r.File)
	}
}

// TestAliasesInsideAnItemAreRead: an alias to an anchor of its own item, outside what the
// metadata readers read, is YAML every function reads and writes as it is.
func TestAliasesInsideAnItemAreRead(t *testing.T) {
	input := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n  data: {a: &v x, b: *v}\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data: {a: &v y, b: *v}\n"
	out, results, err := Run(func(rl *ResourceList) error { return nil }, []byte(input))
	if err != nil || HasErrors(results) {
		t.Fatalf("err %v, results %v", err, results)
	}
	want := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data: {a: &v y, b: *v}\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n  data: {a: &v x, b: *v}\n"
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

// TestACrashIsAnErrorResult: a function that panics, having changed an item, writes the
// input's items and an error result saying it crashed, streamed or not.
func TestACrashIsAnErrorResult(t *testing.T) {
	input := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
	want, _, err := Run(func(rl *ResourceList) error { return errors.New("failed") }, []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	out, results, err := Run(func(rl *ResourceList) error {
		rl.Items[0].SetLabels(map[string]string{"changed": "yes"})
		var m map[string]int
		m["x"]++
		return nil
	}, []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(want), "results:")
	if !strings.HasPrefix(string(out), head) || !HasErrors(results) || !strings.Contains(results[0].Message, "the function crashed") {
		t.Errorf("output:\n%s\nwant the input's items and an error result", out)
	}
	var streamed bytes.Buffer
	results, err = RunStreamTo(&streamed, func(rl *ResourceList, items iter.Seq[*yaml.RNode]) error {
		for range items {
			panic("in the middle")
		}
		return nil
	}, []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(streamed.String(), input) || !HasErrors(results) || !strings.Contains(results[0].Message, "in the middle") {
		t.Errorf("streamed output:\n%s", streamed.String())
	}
}
