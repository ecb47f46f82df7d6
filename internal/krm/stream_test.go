package krm

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// streamInputs are ResourceLists laid out in the ways RunStreamTo must handle: streamed
// (kpt's and kustomize's layout) or not (the rest).
var streamInputs = []struct {
	name     string
	input    string
	streamed bool
}{
	{"kpt layout", `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- kind: Secret
  apiVersion: v1
  metadata: {name: s, annotations: {config.kubernetes.io/path: "s.yaml"}}
  stringData:
    text: |
      results: not a key here
      - not an entry
# a comment at the first column, between items
-   apiVersion: v1
    kind: Service   # a line comment
    metadata:
      name: svc
-
  apiVersion: v1
  kind: Namespace
  metadata: {name: &n ns, labels: {name: ns}}
  spec: {finalizers: [*n]}
functionConfig: {apiVersion: v1, kind: ConfigMap, metadata: {name: fn}}
results:
- severity: warning
  message: an earlier result
`, true},
	{"indented items", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: b\n", true},
	{"no items", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fn\n", true},
	{"flow items", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}]\n", false},
	{"JSON", `{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}]}`, false},
	{"alias to another item", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: &m\n    name: a\n- apiVersion: v1\n  kind: Secret\n  metadata: *m\n", false},
	{"multi-line quoted scalar", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    k: \"one\n- two\"\n", false},
}

// TestRunStreamToReadsAsRun: a StreamFunc sees the items RunTo reads (the same nodes,
// lines included) and writes the same output, whether the input is streamed or not; the
// kpt layout is streamed.
func TestRunStreamToReadsAsRun(t *testing.T) {
	for _, tc := range streamInputs {
		t.Run(tc.name, func(t *testing.T) {
			var seen []string
			f := func(rl *ResourceList, items iter.Seq[*yaml.RNode]) error {
				seen = nil
				for it := range items {
					seen = append(seen, describeNodes(it.YNode()))
					if len(seen) == 1 {
						rl.Warningf(it, "first")
					}
				}
				return nil
			}
			var streamed bytes.Buffer
			results, err := RunStreamTo(&streamed, f, []byte(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			fromStream := seen
			whole, wholeResults, err := Run(func(rl *ResourceList) error {
				rl.Unchanged = true
				return f(rl, func(yield func(*yaml.RNode) bool) {
					for _, it := range rl.Items {
						if !yield(it) {
							return
						}
					}
				})
			}, []byte(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			if streamed.String() != string(whole) {
				t.Errorf("output:\n%s\nRun's:\n%s", streamed.String(), whole)
			}
			if strings.Join(fromStream, "\n") != strings.Join(seen, "\n") {
				t.Errorf("items read:\n%s\nRun's:\n%s", strings.Join(fromStream, "\n"), strings.Join(seen, "\n"))
			}
			if len(results) != len(wholeResults) {
				t.Errorf("results %v, Run's %v", results, wholeResults)
			}
			if _, ok, _ := (&itemStream{input: []byte(tc.input)}).run(io.Discard, f); ok != tc.streamed {
				t.Errorf("streamed = %v, want %v", ok, tc.streamed)
			}
		})
	}
}

// describeNodes is every node under n with its line and column.
func describeNodes(n *yaml.Node) string {
	var b strings.Builder
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		fmt.Fprintf(&b, "%d:%d:%d:%q ", n.Kind, n.Line, n.Column, n.Value)
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// TestRunStreamToMalformed: an input that is no ResourceList gets RunTo's error.
func TestRunStreamToMalformed(t *testing.T) {
	for _, input := range []string{"apiVersion: v1\nkind: ConfigMap\n", "items:\n- a: [\n", "kind: ResourceList\nitems:\n- - a\n"} {
		f := func(rl *ResourceList, items iter.Seq[*yaml.RNode]) error {
			for range items {
			}
			return nil
		}
		_, err := RunStreamTo(&bytes.Buffer{}, f, []byte(input))
		_, _, want := Run(func(*ResourceList) error { return nil }, []byte(input))
		if err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("%q: error %v, want %v", input, err, want)
		}
	}
}

// TestRunStreamToWritesItemsOnceRead: the items and config go out as soon as the function
// has read every item, before it returns; a function that stops early gets them written
// at the end. Either way the output is Run's.
func TestRunStreamToWritesItemsOnceRead(t *testing.T) {
	input := []byte(streamInputs[0].input)
	head, _, _ := strings.Cut(string(input), "results:\n")
	want, _, err := Run(func(rl *ResourceList) error { rl.Unchanged = true; return nil }, input)
	if err != nil {
		t.Fatal(err)
	}
	for _, stopEarly := range []bool{false, true} {
		var out bytes.Buffer
		f := func(rl *ResourceList, items iter.Seq[*yaml.RNode]) error {
			for range items {
				if stopEarly {
					break
				}
			}
			if written := out.String() == head; written == stopEarly {
				t.Errorf("stopEarly %v: items written before the function returned: %v", stopEarly, written)
			}
			return nil
		}
		if _, err := RunStreamTo(&out, f, slices.Clone(input)); err != nil {
			t.Fatal(err)
		}
		if out.String() != string(want) {
			t.Errorf("stopEarly %v: output:\n%s\nwant:\n%s", stopEarly, out.String(), want)
		}
	}
}
