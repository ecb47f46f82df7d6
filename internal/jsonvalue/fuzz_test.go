package jsonvalue

import (
	"encoding/json"
	"reflect"
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

// fuzzSeeds are pods written as JSON: random ones (filler) and hand-written ones whose
// fields encode themselves (quantities, times, int-or-strings, bytes) or hold text JSON
// escapes.
func fuzzSeeds(f *testing.F) []string {
	seeds := []string{
		`{"metadata":{"name":"p","labels":{"a":"<b>&"},"creationTimestamp":"2024-01-02T03:04:05Z"},` +
			`"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"1500m","memory":"1Gi"}},` +
			`"ports":[{"containerPort":8080}],"readinessProbe":{"httpGet":{"port":"http","path":"/\u2028"}}}]}}`,
		`{"spec":{"volumes":[{"name":"s","secret":{"defaultMode":420}}],"overhead":{"cpu":"1e3"},` +
			`"securityContext":{"sysctls":[{"name":"a","value":"1"}]},"terminationGracePeriodSeconds":-1}}`,
		`{"metadata":{"annotations":null,"managedFields":[{"fieldsV1":{"f:a":{}}}]},"spec":{"nodeSelector":{}}}`,
		`{"status":{"conditions":[{"type":"Ready","lastTransitionTime":null}],"podIP":"10.0.0.1"}}`,
	}
	for seed := range uint64(4) {
		var pod corev1.Pod
		filler(seed).Fill(&pod)
		text, err := json.Marshal(&pod)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, string(text))
	}
	return seeds
}

// FuzzOf checks Of against encoding/json (json.Marshal, then decoding into an `any`) on
// the pods encoding/json reads from arbitrary JSON text, and on their parts.
func FuzzOf(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var pod corev1.Pod
		if json.Unmarshal([]byte(text), &pod) != nil {
			return
		}
		for _, v := range []any{&pod, &pod.ObjectMeta, &pod.Spec, pod.Status} {
			want, wantOK := viaJSONText(t, v)
			got, ok := Of(v)
			if ok != wantOK || !reflect.DeepEqual(got, want) {
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(want)
				t.Fatalf("%T:\nOf:   %s (%v)\nJSON: %s (%v)", v, gj, ok, wj, wantOK)
			}
		}
	})
}

// FuzzInto checks Into against the unstructured converter (see checkInto) on the values
// arbitrary text gives, read as JSON (float64 numbers) and as YAML (ints, and the types
// YAML has beyond JSON's, which Into leaves to the converter).
func FuzzInto(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
		if y, err := sigsyaml.JSONToYAML([]byte(s)); err == nil {
			f.Add(string(y))
		}
	}
	f.Add("spec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: 0x1F\n      hostPort: 1e3\n")
	f.Add("metadata:\n  creationTimestamp: 2001-12-14\n  labels: {a: 1, b: true, c: ~}\nspec: {priority: 2147483648}\n")
	f.Fuzz(func(t *testing.T, text string) {
		var fromJSON map[string]any
		if json.Unmarshal([]byte(text), &fromJSON) == nil && fromJSON != nil {
			checkInto(t, "json", fromJSON)
		}
		var fromYAML map[string]any
		if yamlv3.Unmarshal([]byte(text), &fromYAML) == nil && fromYAML != nil {
			checkInto(t, "yaml", fromYAML)
		}
	})
}
