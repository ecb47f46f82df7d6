package yamlpatch

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// FuzzApply checks Apply's promise on arbitrary YAML: patching a document from its own
// value to another (a random change of it) gives YAML that reads back as the other value,
// for YAML 1.2 and 1.1 readers alike; the document's comments and styles may be anything.
func FuzzApply(f *testing.F) {
	for _, doc := range []string{
		"a: 1 # one\nb:\n- name: x # the x\n  v: 'q'\n- name: y\n",
		"# head\nspec:\n  containers: []\n  tags: [a, b]\n  s: |\n    text\n",
		"x: {y: \"z\", n: null}\nlist:\n- 1\n- - 2\n  - 3\n",
	} {
		f.Add(doc, uint64(1), uint64(2))
	}
	f.Fuzz(func(t *testing.T, doc string, s1, s2 uint64) {
		node, err := yaml.Parse(doc)
		if err != nil || node.YNode().Kind != yaml.MappingNode {
			return
		}
		data, err := node.MarshalJSON()
		if err != nil {
			return // YAML that has no JSON form (anchors to keys, odd keys)
		}
		var before, before11 map[string]any
		if err := json.Unmarshal(data, &before); err != nil {
			return
		}
		// Apply keeps the document's own text where the value does not change: a key like
		// y, which YAML 1.1 reads as true, stays ambiguous, so such documents are left out.
		// The text is the encoder's, which writes "! Y" (a string) as Y, whatever Apply does.
		data11, err := sigsyaml.YAMLToJSON([]byte(node.MustString()))
		if err != nil || json.Unmarshal(data11, &before11) != nil || !reflect.DeepEqual(before, before11) {
			return
		}
		g := gen{rand.New(rand.NewPCG(s1, s2))}
		after := g.mutate(before, 3)
		checkApplyTo(t, "fuzz", node, before, roundTrip(t, after, s1%2 == 0))
	})
}
