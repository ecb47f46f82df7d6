package istioanalysis

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	kubejson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestTypeOfAsInterpret: where ObjectOf reads an object's group, version and kind from its
// YAML, they are those Istio's decoder reads from its JSON; where the YAML says them in any
// other way, the JSON is read.
func TestTypeOfAsInterpret(t *testing.T) {
	tests := []struct {
		doc  string
		read bool // typeOf reads it
	}{
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n", true},
		{"apiVersion: v1\nkind: Service\n", true},
		{"apiVersion: networking.istio.io/v1\nkind: VirtualService\n", true},
		{"kind: Service\n", false},
		{"apiVersion: v1\n", false},
		{"apiVersion: 1\nkind: Service\n", false},
		{"apiVersion: v1\nkind: !!str Service\n", true},
		{"apiVersion: v1\nkind: [Service]\n", false},
		{"apiVersion: v1\nkind: Service\nKind: Pod\n", false},
		{"apiVersion: v1\nAPIVERSION: v2\nkind: Service\n", false},
		{"apiVersion: a/b/c\nkind: Service\n", false},
		{"<<: {apiVersion: v1}\nkind: Service\n", false},
		{"apiVersion: ''\nkind: ''\n", true},
	}
	for _, tt := range tests {
		n := yaml.MustParse(tt.doc).YNode()
		o, err := ObjectOf("d", n)
		if err != nil {
			t.Fatalf("%q: %v", tt.doc, err)
		}
		if got := o.gvk != nil; got != tt.read {
			t.Errorf("%q: typeOf read it: %v, want %v", tt.doc, got, tt.read)
			continue
		}
		if o.gvk == nil {
			continue
		}
		want, err := kubejson.DefaultMetaFactory.Interpret(o.JSON)
		if err != nil || *want != *o.gvk {
			t.Errorf("%q: typeOf %v, Istio's decoder reads %v (%v)", tt.doc, *o.gvk, want, err)
		}
	}
}

// TestWorkloadFieldsWithoutFullWalk: the field map of a workload, walking only where a
// kept path may lie, is the one a walk of the whole object keeps; on every workload of the
// validation goldens (and its pod template as a pod), and on keys that hold dots.
func TestWorkloadFieldsWithoutFullWalk(t *testing.T) {
	inputs, err := filepath.Glob("../validation/testdata/*/input.yaml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	var objs []*yaml.Node
	for _, path := range inputs {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		items, err := kio.FromBytes(text)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, it := range items {
			objs = append(objs, it.YNode())
			if tmpl, _ := it.Pipe(yaml.Lookup("spec", "template")); tmpl != nil {
				pod := yaml.MustParse("apiVersion: v1\nkind: Pod\n")
				for _, f := range tmpl.Content() {
					pod.YNode().Content = append(pod.YNode().Content, f)
				}
				objs = append(objs, pod.YNode())
			}
		}
	}
	for _, doc := range []string{
		"apiVersion: v1\nkind: Pod\nmetadata.labels: {a: b}\nspec.containers: [{image: x}]\nspec:\n  containers[3]: {image: y}\n  containers: [{image: z, name: z}, a]\n",
		"apiVersion: v1\nkind: Pod\nspec.containers[0].image: x\nmetadata: [a, {b: c}]\nspec: {containers: {image: x}}\n",
	} {
		objs = append(objs, yaml.MustParse(doc).YNode())
	}
	workloads := 0
	for i, n := range objs {
		if !isWorkload(n) {
			continue
		}
		workloads++
		pruned, full := map[string]int{}, map[string]int{}
		fieldLines(n, "", pruned, workloadFieldQueried, workloadFieldUnder)
		fieldLines(n, "", full, workloadFieldQueried, everyField)
		if !maps.Equal(pruned, full) {
			t.Errorf("object %d (line %d): fields %v, the whole walk keeps %v", i, n.Line, pruned, full)
		}
	}
	if workloads < 20 {
		t.Errorf("only %d workloads compared", workloads)
	}
}
