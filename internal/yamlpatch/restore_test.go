package yamlpatch

import (
	"encoding/json"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestRevertGivesBackKeyComment: a key's line comment ("k: # note" over a block
// collection) comes back on the key when Revert empties the key's value (commentOnEmpty
// then moves the comment onto it, "k: {} # note") and Restore fills it again, with a key
// it puts back or with the whole value as written. Found by FuzzRevert (the first case).
func TestRevertGivesBackKeyComment(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, after string
	}{
		{name: "key written empty, filled", yaml: "0: 000\n1:\n100: # note\n  000:\n",
			after: `{"1":null,"100":{"000":{"a":"s3"}}}`},
		{name: "nested key written empty", yaml: "s:\n  k: # note\n    a:\nt: 1\n",
			after: `{"s":{"k":{"a":{"c":2}}},"t":1}`},
		{name: "mapping of nulls replaced by a scalar", yaml: "k: # note\n  a:\n  b:\nx: 1\n",
			after: `{"k":5,"x":1}`},
		{name: "mapping of nulls replaced by a list", yaml: "k: # note\n  a:\n  b:\n",
			after: `{"k":[5]}`},
		{name: "key comment and a value comment", yaml: "k: # note\n  a: # a's\n",
			after: `{"k":{"a":[1]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node := yaml.MustParse(tc.yaml)
			if got := node.MustString(); got != tc.yaml {
				t.Fatalf("the case's YAML is not as the encoder writes it:\n%s", got)
			}
			before := nodeValue(node.YNode())
			var after any
			if err := json.Unmarshal([]byte(tc.after), &after); err != nil {
				t.Fatal(err)
			}
			var kept Kept
			if err := ApplyKeeping(node, before, after, &kept); err != nil {
				t.Fatalf("ApplyKeeping: %v", err)
			}
			if err := Revert(node, after, before, kept); err != nil {
				t.Fatalf("Revert: %v", err)
			}
			if got := node.MustString(); got != tc.yaml {
				keptJSON, _ := json.Marshal(kept)
				t.Errorf("not given back as written\nkept: %s\n%s", keptJSON, diffLines(tc.yaml, got))
			}
		})
	}
}
