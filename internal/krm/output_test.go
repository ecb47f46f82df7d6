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
				gl, wl := strings.Split(string(got), "\n"), strings.Split(want, "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("Run differs from the SDK at line %d:\nRun: %q\nSDK: %q", i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("Run differs from the SDK: %d lines, SDK %d", len(gl), len(wl))
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
