package yamlpatch

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
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

// FuzzRevert checks Revert's promise on arbitrary YAML: a document patched from its own
// value to another by ApplyKeeping, then back by Revert with what that kept, is the same
// text again. Documents with anchors or aliases (kept pieces leave them out), comments
// inside flow collections (the encoder moves those), a key twice in a mapping (not YAML)
// or a key that is not a scalar (not JSON) are left out.
func FuzzRevert(f *testing.F) {
	for _, doc := range []string{
		"a: 1 # one\nb:\n- name: x # the x\n  v: 'q'\n- name: y\n",
		"spec:\n  containers:\n  - command: [sh]\n    name: app\n    image: app:1\n  probe: {grpc: {port: 1}, period: 5}\n",
		"m: {}\nl: []\nn: null\n# foot\n",
	} {
		f.Add(doc, uint64(1), uint64(2))
	}
	f.Fuzz(func(t *testing.T, doc string, s1, s2 uint64) {
		node, err := yaml.Parse(doc)
		if err != nil || node.YNode().Kind != yaml.MappingNode || hasAnchors(node.YNode()) || commentInFlow(node.YNode(), false) ||
			duplicateKeys(node.YNode()) {
			return
		}
		node = yaml.MustParse(node.MustString()) // the text as the encoder writes it
		want := node.MustString()
		if strings.Contains(want, "!!") {
			return // explicit tags: not values a typed view gives
		}
		before := nodeValue(node.YNode())
		g := gen{rand.New(rand.NewPCG(s1, s2))}
		after := roundTrip(t, g.mutate(before, 3), s1%2 == 0)
		var kept Kept
		if err := ApplyKeeping(node, before, after, &kept); err != nil {
			return // values Apply refuses (a number YAML reads but JSON cannot hold)
		}
		if err := Revert(node, after, before, kept); err != nil {
			t.Fatalf("Revert: %v", err)
		}
		if got := node.MustString(); got != want {
			keptJSON, _ := json.Marshal(kept)
			t.Fatalf("not given back as written\nkept: %s\n%s", keptJSON, diffLines(want, got))
		}
	})
}

// commentInFlow reports whether a comment sits on a node inside a flow collection.
func commentInFlow(n *yaml.Node, inFlow bool) bool {
	if inFlow && (n.HeadComment != "" || n.LineComment != "" || n.FootComment != "") {
		return true
	}
	inFlow = inFlow || n.Style&yaml.FlowStyle != 0 && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode)
	for _, c := range n.Content {
		if commentInFlow(c, inFlow) {
			return true
		}
	}
	return false
}

// duplicateKeys reports whether a mapping under n has a key twice, or a key that is not a
// scalar.
func duplicateKeys(n *yaml.Node) bool {
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if seen[n.Content[i].Value] || n.Content[i].Kind != yaml.ScalarNode {
				return true
			}
			seen[n.Content[i].Value] = true
		}
	}
	for _, c := range n.Content {
		if duplicateKeys(c) {
			return true
		}
	}
	return false
}
