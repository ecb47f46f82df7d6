package krm

import (
	"bytes"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// misleadingInputs are ResourceLists with a line at the first column that reads like a key
// of the ResourceList but continues a multi-line quoted scalar or flow collection.
var misleadingInputs = map[string]string{
	"results in an item's double-quoted scalar": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    k: \"one\nresults: two\"\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n",
	"results in an item's single-quoted scalar, then results": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    k: 'one\nresults: two'\n" +
		"results:\n- message: earlier\n  severity: info\n",
	"functionConfig in an item's flow sequence": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  list: [x,\nfunctionConfig: y]\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n",
	"items in an earlier result": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n" +
		"results:\n- message: \"one\nfunctionConfig: two\"\n  severity: info\n" +
		"items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n",
	"results in the function config": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n" +
		"functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fn\n  data:\n    k: \"one\nresults: two\"\n",
	"items in the function config": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n" +
		"functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fn\n  data:\n    k: \"one\nitems: two\"\n" +
		"items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n",
}

// TestEchoIsAlwaysTheInput: whatever the input's lines look like, an Unchanged function's
// output (streamed or not) is YAML holding the input's items and config, and the input's
// results followed by the function's. Before, a line "results: two" continuing a quoted
// scalar was taken for the ResourceList's results: the item lost its lines and the output
// was no YAML.
func TestEchoIsAlwaysTheInput(t *testing.T) {
	for name, input := range misleadingInputs {
		t.Run(name, func(t *testing.T) {
			checkEcho(t, input)
		})
	}
}

// checkEcho runs an Unchanged function that adds one result on input, streamed and not,
// and checks the output holds the input's items, config and results and the new result.
func checkEcho(t *testing.T, input string) {
	t.Helper()
	in, err := fn.ParseResourceList([]byte(input))
	if err != nil {
		t.Skipf("not a ResourceList: %v", err)
	}
	in.Results = earlierResults(in.Results) // a null result is dropped
	for _, it := range in.Items {
		if _, err := yaml.Parse(it.String()); err != nil {
			t.Skipf("an item is no YAML on its own (an alias to another item's anchor): %v", err)
		}
	}
	stream := func(rl *ResourceList, items iter.Seq[*yaml.RNode]) error {
		for range items {
		}
		rl.Infof(nil, "new")
		return nil
	}
	var streamed bytes.Buffer
	if _, err := RunStreamTo(&streamed, stream, []byte(input)); err != nil {
		t.Fatalf("RunStreamTo: %v", err)
	}
	ran := false
	whole, _, err := Run(func(rl *ResourceList) error {
		ran = true
		rl.Unchanged = true
		rl.Infof(nil, "new")
		return nil
	}, []byte(input))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for how, out := range map[string][]byte{"streamed": streamed.Bytes(), "whole": whole} {
		got, err := fn.ParseResourceList(out)
		if err != nil {
			t.Errorf("%s: the output is no ResourceList (%v):\n%s", how, err, out)
			continue
		}
		if g, w := sameItems(t, got.Items), sameItems(t, in.Items); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: items\n%v\nwant\n%v\noutput:\n%s", how, g, w, out)
		}
		if g, w := shapeOf(t, got.FunctionConfig.String()), shapeOf(t, in.FunctionConfig.String()); g != w {
			t.Errorf("%s: function config %v, want %v", how, g, w)
		}
		switch {
		case !ran: // refused (TestRefusedInputNeverRuns): the reasons follow the input's results
			if len(got.Results) <= len(in.Results) || !HasErrors(got.Results[len(in.Results):]) {
				t.Errorf("%s: results %v, want %v and why the input is refused", how, got.Results, in.Results)
			}
		case len(got.Results) != len(in.Results)+1 || got.Results[len(got.Results)-1].Message != "new":
			t.Errorf("%s: results %v, want %v and the new one", how, got.Results, in.Results)
		}
	}
}

// sameItems is the items' shapes, sorted: the output keeps the input's order or sorts
// as the SDK does.
func sameItems(t *testing.T, items fn.KubeObjects) []string {
	t.Helper()
	var out []string
	for _, it := range items {
		out = append(out, shapeOf(t, it.String()))
	}
	slices.Sort(out)
	return out
}

// shapeOf is what YAML text holds, whatever its style and comments: collections with
// their entries in order, scalars as tag and value, aliases by name.
func shapeOf(t *testing.T, text string) string {
	t.Helper()
	n, err := yaml.Parse(text)
	if err != nil {
		t.Fatalf("%v in:\n%s", err, text)
	}
	var b strings.Builder
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.AliasNode:
			fmt.Fprintf(&b, "*%s ", n.Value)
		case yaml.ScalarNode:
			fmt.Fprintf(&b, "%s%q ", n.ShortTag(), n.Value)
		default:
			fmt.Fprintf(&b, "%d[", n.Kind)
			for _, c := range n.Content {
				walk(c)
			}
			b.WriteString("] ")
		}
	}
	walk(n.YNode())
	return b.String()
}

// FuzzEcho: for any input RunStreamTo and Run read, an Unchanged function's output holds
// the input's items, config and results, and the new result.
func FuzzEcho(f *testing.F) {
	for _, input := range misleadingInputs {
		f.Add(input)
	}
	for _, tc := range streamInputs {
		f.Add(tc.input)
	}
	f.Fuzz(func(t *testing.T, input string) {
		if strings.Count(input, "\n") > 200 {
			return
		}
		checkEcho(t, input)
	})
}
