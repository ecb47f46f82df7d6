package templatefuncs

import (
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// bigValues are values of up to about 200 kB made to grow what functions make of them:
// text to escape, a list nested 600 deep around 10,000 numbers, containers holding a
// kilobyte each, many keys, large widths, patterns matching at every position.
// They are made once: the functions get them through the meter, which refuses to change
// maps a template did not make.
var bigValues = sync.OnceValue(func() map[reflect.Type][]any {
	text := strings.Repeat("<\x00é\n,", 25000)
	var deep any = make([]any, 10000)
	for range 600 {
		deep = []any{deep}
	}
	containers := make([]corev1.Container, 150)
	for i := range containers {
		containers[i] = corev1.Container{Name: "c", Args: []string{strings.Repeat("a", 1000)}}
	}
	keys, labels := map[string]any{}, map[string]string{}
	for i := range 2500 {
		k := strings.Repeat("k", 40) + string(rune('a'+i%26)) + strings.Repeat("x", i%7) + string(rune(i))
		keys[k], labels[k] = 1e308, k
	}
	floats := make([]any, 1000)
	for i := range floats {
		floats[i] = 1e308
	}
	return map[reflect.Type][]any{
		stringType:                            {"", strings.Repeat("%[1]*[2]v", 50), text, ".*", "%.999999f%*v", ""},
		reflect.TypeFor[int]():                {1000000, -1, 3},
		reflect.TypeFor[float64]():            {1e308},
		reflect.TypeFor[bool]():               {true},
		anyType:                               {deep, containers, text, keys, floats, 1000000},
		reflect.TypeFor[map[string]any]():     {keys},
		reflect.TypeFor[map[string]string]():  {labels},
		reflect.TypeFor[[]corev1.Container](): {containers},
		reflect.TypeFor[metav1.ObjectMeta]():  {metav1.ObjectMeta{Annotations: labels}},
	}
})

// TestNoFunctionAllocatesFarMoreThanItsBudget calls every template function, as
// templates get it (metered, with 1 MiB of its budget left), with arguments of up to
// 200 kB made to grow what it makes (bigValues): no call allocates more than 8 times what
// is left, whether it succeeds or stops. A function whose result can be far larger
// than what it is given must be priced before it makes it (see guards).
func TestNoFunctionAllocatesFarMoreThanItsBudget(t *testing.T) {
	const left = 1 << 20
	var before, after runtime.MemStats
	for _, c := range probeCalls(bigValues) {
		m := &meter{owned: map[uintptr]bool{}, spent: fuelLimit - left}
		fn := reflect.ValueOf(m.wrap(c.name, formatChecked(c.name, c.fn), guards[c.name]))
		args := c.newArgs()
		runtime.ReadMemStats(&before)
		func() {
			defer func() { _ = recover() }()
			fn.Call(args)
		}()
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*left {
			t.Errorf("%v allocated %d MiB", c, alloc>>20)
		}
	}
}
