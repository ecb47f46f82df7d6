package krm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestRunWritesAsSDK: whatever the number of results, items released or encoded by the
// function and items of the same identity, Run writes what the SDK's ToYAML writes.
func TestRunWritesAsSDK(t *testing.T) {
	var in strings.Builder
	in.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for i := range 40 {
		// Several items share an identity; some have comments, some need quoting.
		fmt.Fprintf(&in, "- # item %d\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-%d\n    namespace: ns-%d\n  data:\n    n: %q # the number\n    on: 'yes'\n",
			i, i%7, i%3, fmt.Sprint(i))
	}
	in.WriteString("functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: config\n  data:\n    k: v\n")
	for _, results := range []int{0, 1, 63, 64, 65, 200} {
		t.Run(fmt.Sprint(results), func(t *testing.T) {
			change := func(item *yaml.RNode, i int) {
				if err := item.PipeE(yaml.SetField("changed", yaml.NewStringRNode(fmt.Sprint(i)))); err != nil {
					t.Fatal(err)
				}
			}
			got, _, err := Run(func(rl *ResourceList) error {
				rl.Encoded = map[*yaml.RNode]EncodedItem{}
				for i, item := range rl.Items {
					if i%3 == 0 {
						change(item, i)
						e, err := EncodeItem(item)
						if err != nil {
							return err
						}
						rl.Encoded[item] = e
						rl.Release(item)
					}
				}
				for i := range results {
					rl.Infof(rl.Items[i%len(rl.Items)], "result %d: \"quoted\" and: colon", i)
				}
				return nil
			}, []byte(in.String()))
			if err != nil {
				t.Fatal(err)
			}
			want := sdkOutput(t, in.String(), results, change)
			if string(got) != want {
				t.Fatalf("Run differs from the SDK:\n%s", lineDiff(string(got), want))
			}
		})
	}
}

// sdkOutput makes the same changes and results with the SDK alone.
func sdkOutput(t *testing.T, input string, results int, change func(*yaml.RNode, int)) string {
	rl, err := fn.ParseResourceList([]byte(input))
	if err != nil {
		t.Fatal(err)
	}
	nodes := make([]*yaml.RNode, len(rl.Items))
	for i, item := range rl.Items {
		nodes[i] = item.MoveToResourceNode()
		if i%3 == 0 {
			change(nodes[i], i)
		}
	}
	for i := range results {
		rl.Results = append(rl.Results, &fn.Result{Message: fmt.Sprintf("result %d: \"quoted\" and: colon", i),
			Severity: fn.Info, ResourceRef: refOf(nodes[i%len(nodes)]), File: fileOf(nodes[i%len(nodes)])})
	}
	for i := range rl.Items {
		rl.Items[i] = fn.MoveToKubeObject(nodes[i])
	}
	out, err := rl.ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// tricky are texts whose YAML form depends on the encoder's rules: YAML 1.1 words and
// numbers, indicators, blanks at the ends, line breaks, long lines, non-ASCII, text that
// is not UTF-8 (written as !!binary).
var tricky = []string{
	"", "injected by revision default", "yes", "No", "on", "OFF", "y", "true", "null", "~", "1:20", "-3:25:45.5",
	"123", "0x1F", "1e3", ".5", "+1", "- item", "-x", "? q", ": c", "a: b", "a #b", "#c", "trailing ", " leading",
	"'single'", "\"double\" and: colon", "line\nbreak", "ends\n", "\n", "two\n\n", "tab\there", "a\tb\n c ",
	strings.Repeat("long words ", 20), strings.Repeat("x", 120), "é ü 中文", "emoji 😀", "ctrl \x01", "nbsp\u00a0",
	"&anchor", "*alias", "!tag", "%dir", "@at", "`tick", "{a}", "[b]", "a,b", "|", ">", "=", "<<", "<<x",
	"line with trailing space \nnext", "  \n  indented", "\u2028sep", "bom\ufeff", "bad \xff utf-8",
}

// TestEncodeTailWritesAsSDK: the function config and results, encoded a chunk of results
// at a time, are what the SDK's ToYAML writes of them all at once, for results whose
// YAML depends on the encoder's rules (tricky), field references, file indexes JSON writes
// as floats, and as many results as fill several chunks.
func TestEncodeTailWritesAsSDK(t *testing.T) {
	var results fn.Results
	for i, s := range tricky {
		results = append(results,
			&fn.Result{Message: s, Severity: fn.Warning},
			&fn.Result{Message: "about " + s, Severity: fn.Info,
				ResourceRef: &fn.ResourceRef{APIVersion: "apps/v1", Kind: "Deployment", Name: s, Namespace: tricky[(i+1)%len(tricky)]},
				File:        &fn.File{Path: s + "/x.yaml", Index: i}},
			&fn.Result{Severity: fn.Error, ResourceRef: &fn.ResourceRef{}, File: &fn.File{},
				Tags: map[string]string{s: "v", "k" + s: s, "apiVersion": "a", "name": s}},
			&fn.Result{Message: s, Field: &fn.Field{Path: "spec." + s, CurrentValue: s, ProposedValue: i}},
		)
	}
	results = append(results, &fn.Result{}, &fn.Result{File: &fn.File{Index: -999999}}, &fn.Result{File: &fn.File{Index: 1000000}})
	if len(results) <= 2*resultsPerChunk {
		t.Fatalf("%d results do not fill several chunks of %d", len(results), resultsPerChunk)
	}
	config := yaml.MustParse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\ndata:\n  k: 'yes'\n")
	for _, n := range []int{0, 1, resultsPerChunk, resultsPerChunk + 1, len(results)} {
		for _, withConfig := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/config=%v", n, withConfig), func(t *testing.T) {
				sdk := &fn.ResourceList{Results: results[:n], FunctionConfig: fn.NewEmptyKubeObject()}
				var cfg *yaml.RNode
				if withConfig {
					cfg = config
					sdk.FunctionConfig = fn.MoveToKubeObject(config.Copy())
				}
				if n == 0 {
					sdk.Results = nil
				}
				want, err := sdk.ToYAML()
				if err != nil {
					t.Fatal(err)
				}
				got, err := encodeTail(cfg, results[:n])
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != string(want) {
					t.Errorf("encodeTail differs from the SDK:\n%s", lineDiff(string(got), string(want)))
				}
			})
		}
	}
}

// lineDiff names the first line where got and want differ.
func lineDiff(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			return fmt.Sprintf("line %d:\ngot:  %q\nwant: %q", i+1, gl[i], wl[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(gl), len(wl))
}
