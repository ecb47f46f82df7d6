package jsonvalue

import (
	"maps"
	"math/rand"
	"reflect"
	"slices"
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	sigsyaml "sigs.k8s.io/yaml"
)

// checkInto compares Into with the unstructured converter on values: both fail, or both
// give the same pod.
func checkInto(t *testing.T, label string, values map[string]any) {
	t.Helper()
	var want, got corev1.Pod
	wantErr := runtime.DefaultUnstructuredConverter.FromUnstructured(values, &want)
	ok := Into(values, &got)
	if ok && wantErr != nil {
		t.Fatalf("%s: Into accepted what the converter refuses: %v", label, wantErr)
	}
	if ok && !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: Into and the converter differ:\nInto:      %+v\nconverter: %+v", label, got, want)
	}
}

// TestIntoAsConverter reads random pods' values (as JSON gives them, and as YAML gives
// them, with integers), and values broken at random places, with both.
func TestIntoAsConverter(t *testing.T) {
	accepted := 0
	for seed := range uint64(300) {
		var pod corev1.Pod
		filler(seed).Fill(&pod)
		v, ok := Of(&pod)
		if !ok {
			t.Fatalf("seed %d: Of failed", seed)
		}
		values := v.(map[string]any)
		checkInto(t, "json", values)
		var got corev1.Pod
		if Into(values, &got) {
			accepted++
		}
		// The values a YAML decoder gives: ints, not float64.
		text, err := sigsyaml.Marshal(&pod)
		if err != nil {
			t.Fatal(err)
		}
		var fromYAML map[string]any
		if err := yamlv3.Unmarshal(text, &fromYAML); err != nil {
			t.Fatal(err)
		}
		checkInto(t, "yaml", fromYAML)
		r := rand.New(rand.NewSource(int64(seed)))
		for range 5 {
			checkInto(t, "broken", breakValue(r, deepCopy(values)).(map[string]any))
		}
	}
	if accepted < 250 {
		t.Errorf("Into read only %d of 300 random pods", accepted)
	}
}

// breakValue replaces one value somewhere in v by one of another type.
func breakValue(r *rand.Rand, v any) any {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if r.Intn(3) == 0 {
				x[k] = breakValue(r, x[k])
				return x
			}
		}
		return x
	case []any:
		if len(x) > 0 {
			i := r.Intn(len(x))
			x[i] = breakValue(r, x[i])
		}
		return x
	}
	return []any{"x", 1.5, true, nil, map[string]any{}, []any{}, -3.0, int64(7), "8080"}[r.Intn(9)]
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}
