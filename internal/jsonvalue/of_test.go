package jsonvalue

import (
	"encoding/json"
	"math/rand"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/randfill"
)

// viaJSONText is what Of must equal: json.Marshal, then decoding into an `any`.
func viaJSONText(t testing.TB, v any) (any, bool) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out, true
}

// filler fills pods with random values, the Kubernetes types that encode themselves
// with values they can hold.
func filler(seed uint64) *randfill.Filler {
	return randfill.New().RandSource(rand.NewSource(int64(seed))).NilChance(0.3).NumElements(0, 3).MaxDepth(8).Funcs(
		func(q *resource.Quantity, c randfill.Continue) {
			*q = *resource.NewMilliQuantity(c.Int63n(1e9), []resource.Format{resource.DecimalSI, resource.BinarySI, resource.DecimalExponent}[c.Intn(3)])
		},
		func(tm *metav1.Time, c randfill.Continue) {
			if c.Intn(2) == 0 {
				*tm = metav1.Time{}
				return
			}
			*tm = metav1.Unix(c.Int63n(4e9), 0)
		},
		func(f *metav1.FieldsV1, c randfill.Continue) {
			f.Raw = []byte(`{"f:metadata":{"f:labels":{}}}`)
		},
		func(is *intstr.IntOrString, c randfill.Continue) {
			if c.Intn(2) == 0 {
				*is = intstr.FromInt32(c.Int31())
			} else {
				*is = intstr.FromString(c.String(0))
			}
		},
	)
}

// TestOfAsJSON compares Of with the JSON round trip on random pods.
func TestOfAsJSON(t *testing.T) {
	for seed := range uint64(300) {
		var pod corev1.Pod
		filler(seed).Fill(&pod)
		for _, v := range []any{&pod.ObjectMeta, &pod.Spec, pod.Status, &pod} {
			want, wantOK := viaJSONText(t, v)
			got, ok := Of(v)
			if ok != wantOK || !reflect.DeepEqual(got, want) {
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(want)
				t.Fatalf("seed %d, %T:\nOf:   %s (%v)\nJSON: %s (%v)", seed, v, gj, ok, wj, wantOK)
			}
		}
	}
}
