package istioanalysis

import (
	"testing"

	kubejson "k8s.io/apimachinery/pkg/runtime/serializer/json"
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
