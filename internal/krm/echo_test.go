package krm

import (
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// TestUnchangedEchoesTheInput: a function that sets Unchanged writes the input's items and
// config byte for byte (comments, quoting and key order included) and only new results.
func TestUnchangedEchoesTheInput(t *testing.T) {
	input := `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
# a head comment
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: b, annotations: {config.kubernetes.io/path: "b.yaml"}}
  data:
    key: |
      results: not a key here
- kind: ConfigMap
  apiVersion: v1
  metadata:
    name: a # a line comment
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: fn
results:
- message: from an earlier function
  severity: info
`
	f := func(rl *ResourceList) error {
		rl.Unchanged = true
		rl.Warningf(rl.Items[0], "found it")
		return nil
	}
	out, results, err := Run(f, []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(input, "results:\n")
	if !strings.HasPrefix(string(out), head) {
		t.Errorf("the items and config changed:\n%s", out)
	}
	want := head + "results:\n- message: from an earlier function\n  severity: info\n" +
		"- file:\n    path: b.yaml\n  message: found it\n  resourceRef:\n    name: b\n    apiVersion: v1\n    kind: ConfigMap\n  severity: warning\n"
	if string(out) != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if len(results) != 2 || results[1].Severity != fn.Warning {
		t.Errorf("results = %v", results)
	}
}

// TestUnchangedNotEchoable: input laid out otherwise (flow style at the top) is written from
// the input's items again, whatever the function shrank.
func TestUnchangedNotEchoable(t *testing.T) {
	input := `{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}]}`
	f := func(rl *ResourceList) error {
		rl.Unchanged = true
		*rl.Items[0].YNode() = *Map(F("kind", "Shrunk")).YNode()
		return nil
	}
	out, _, err := Run(f, []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"data": {"k": "v"}`) || strings.Contains(string(out), "Shrunk") {
		t.Errorf("output:\n%s", out)
	}
}
