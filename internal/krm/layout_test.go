package krm

import (
	"iter"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// runnerInput is a ResourceList as kpt gives it to a function: each item with the runner's
// ids, in every way an id line can stand.
const runnerInput = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: a
    annotations:
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'a.yaml'
      internal.config.kubernetes.io/id: '1'
      config.k8s.io/id: '1'
  data:
    note: |
      config.k8s.io/id: '1'
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: only-ids
    annotations:
      internal.config.kubernetes.io/id: '2'
      config.k8s.io/id: '2'
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: flow
    annotations: {config.kubernetes.io/path: b.yaml, config.k8s.io/id: '3'}
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: commented
    annotations:
      config.kubernetes.io/path: c.yaml
      config.k8s.io/id: '4' # kept, with its comment
`

// TestEchoLeavesRunnerIDsOut: a function that changes nothing (Unchanged, and a
// StreamFunc) writes the input without the lines of the runner's ids, so that kpt does not
// walk every item to copy comments and sort keys that are the input's already; every
// other line is the input's. Where leaving a line out would change something else (the
// annotations would be empty, flow style, a comment), it stays.
func TestEchoLeavesRunnerIDsOut(t *testing.T) {
	want := strings.Replace(runnerInput, "      internal.config.kubernetes.io/id: '1'\n      config.k8s.io/id: '1'\n", "", 1)
	unchanged := func(rl *ResourceList) error { rl.Unchanged = true; return nil }
	out, _, err := Run(unchanged, []byte(runnerInput))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Errorf("Unchanged output:\n%s\nwant:\n%s", out, want)
	}
	var b strings.Builder
	stream := func(rl *ResourceList, items iter.Seq[*yaml.RNode]) error {
		for range items {
		}
		return nil
	}
	if _, err := RunStreamTo(&b, stream, []byte(runnerInput)); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("StreamFunc output:\n%s\nwant:\n%s", b.String(), want)
	}
	// A StreamFunc that stops early: the rest is read on its own, ids left out alike.
	b.Reset()
	first := func(rl *ResourceList, items iter.Seq[*yaml.RNode]) error {
		for range items {
			break
		}
		return nil
	}
	if _, err := RunStreamTo(&b, first, []byte(runnerInput)); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("StreamFunc that stops early, output:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestWriteLeavesRunnerIDsOut: items a function writes as objects carry no runner ids.
func TestWriteLeavesRunnerIDsOut(t *testing.T) {
	touch := func(rl *ResourceList) error {
		return rl.Items[0].PipeE(yaml.SetLabel("touched", "yes"))
	}
	out, _, err := Run(touch, []byte(runnerInput))
	if err != nil {
		t.Fatal(err)
	}
	// The only id left is the text of the ConfigMap's data.
	if strings.Contains(string(out), "internal.config.kubernetes.io/id") || strings.Count(string(out), "config.k8s.io/id") != 1 {
		t.Errorf("runner ids left in the output:\n%s", out)
	}
	if !strings.Contains(string(out), "touched: \"yes\"") && !strings.Contains(string(out), "touched: 'yes'") {
		t.Errorf("the change is missing:\n%s", out)
	}
}
