package yamlnode

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestNodeValueDecodesAsYAML: on every golden input of inject-sidecar, and the tricky cases of
// FuzzNodeValue, Value gives what yaml.v3 decodes, or leaves the node to it.
func TestNodeValueDecodesAsYAML(t *testing.T) {
	inputs, err := filepath.Glob("../../functions/inject-sidecar/injection/testdata/golden/*/input.yaml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	read := 0
	for _, in := range inputs {
		text, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		if compareNodeValue(t, string(text)) {
			read++
		}
	}
	for _, text := range nodeValueSeeds {
		compareNodeValue(t, text)
	}
	if read < len(inputs)*9/10 {
		t.Errorf("Value read %d of %d golden inputs", read, len(inputs))
	}
}

var nodeValueSeeds = []string{
	"a: 1\nb: -20\nc: 007\nd: 0x1f\ne: 1_000\nf: 1.5\ng: .inf\nh: true\ni: yes\nj: ~\nk: null\nl:\nm: '1'\n",
	"a: &x {b: 1}\nc: *x\n", "<<: {a: 1}\n", "a: 1\na: 2\n", "1: a\n", "? [a]\n: b\n", "a: !!str 1\nb: !!int '2'\n",
	"a: 2001-12-14\nb: !custom x\nc: !!binary aGk=\n", "a: [1, -0, 99999999999999999999]\n", "a: !!float 1\n",
	"a: |\n  text\nb: >\n  folded\n", "a: True\nb: FALSE\nc: Null\nd: NULL\n",
	"b: 1\na: {d: [], c: {}}\nA: \"<&>\\u2028\\t\\\"é\"\n\"\": x\n", "a: [{b: ~}, [], '']\n",
}

func FuzzNodeValue(f *testing.F) {
	for _, s := range nodeValueSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) { compareNodeValue(t, text) })
}

// compareNodeValue parses text and, when Value reads it, checks the value against
// yaml.v3's decode, and AppendJSON against encoding/json's Marshal of it. It reports
// whether Value read it.
func compareNodeValue(t testing.TB, text string) bool {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil || len(doc.Content) == 0 {
		return false
	}
	got, ok := Value(doc.Content[0])
	if !ok {
		return false
	}
	var want any
	if err := doc.Content[0].Decode(&want); err != nil {
		t.Fatalf("Value read %q, which the decoder refuses: %v", text, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Value(%q) = %#v, the decoder gives %#v", text, got, want)
	}
	wantJSON, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if gotJSON, ok := AppendJSON(nil, doc.Content[0]); !ok || string(gotJSON) != string(wantJSON) {
		t.Fatalf("AppendJSON(%q) = %s (%v), Marshal writes %s", text, gotJSON, ok, wantJSON)
	}
	return true
}
