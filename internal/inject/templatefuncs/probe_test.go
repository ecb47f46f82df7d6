package templatefuncs

import (
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The probes call every function a template can call with arguments made from its
// parameter types, to find the functions of a class (nondeterministic, printing memory
// addresses, allocating more than they are priced) without naming them beforehand.

// probeCall is one call of a template function with arguments.
type probeCall struct {
	name    string
	fn      any
	args    []reflect.Value
	newArgs func() []reflect.Value // args again, made anew
}

func (c probeCall) String() string {
	parts := make([]string, len(c.args))
	for i, a := range c.args {
		s := fmt.Sprintf("%T", a.Interface())
		if a.Kind() == reflect.String || a.Kind() == reflect.Int {
			s = fmt.Sprintf("%.20q", fmt.Sprint(a.Interface()))
		}
		parts[i] = s
	}
	return fmt.Sprintf("%s%v", c.name, parts)
}

// templateFuncs are the functions templates can call, by name: FuncMap's pure ones and
// the built-ins that make strings, unmetered.
func templateFuncs() map[string]any {
	fm := FuncMap(Options{Env: map[string]string{"A": "1"}})
	out := map[string]any{}
	for name, fn := range fm {
		if effects[name] == pure {
			out[name] = fn
		}
	}
	for name, fn := range builtinStringFuncs() {
		out[name] = fn
	}
	return out
}

// probeCalls makes, for every template function, calls whose arguments are taken from
// values (called for each call: some functions change their arguments): every
// combination of the values of its parameters' types when there are at most
// maxCombinations, else as many calls as the longest list of values, argument i of the
// k-th call being values()[type][(k+i) % len] (variadic parameters get two arguments).
// Parameters of a type values does not hold get its zero value.
func probeCalls(values func() map[reflect.Type][]any) []probeCall {
	var calls []probeCall
	funcs := templateFuncs()
	names := make([]string, 0, len(funcs))
	for name := range funcs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ft := reflect.TypeOf(funcs[name])
		var params []reflect.Type
		for i := range ft.NumIn() {
			p := ft.In(i)
			if ft.IsVariadic() && i == ft.NumIn()-1 {
				params = append(params, p.Elem(), p.Elem())
				continue
			}
			params = append(params, p)
		}
		longest, product, vals := 1, 1, values()
		for _, p := range params {
			longest = max(longest, len(vals[p]))
			product *= max(1, len(vals[p]))
		}
		n, pick := longest, func(k, i, n int) int { return (k + i) % n }
		if product <= maxCombinations {
			n, pick = product, func(k, i, _ int) int {
				for _, p := range params[:i] {
					k /= max(1, len(vals[p]))
				}
				return k % max(1, len(vals[params[i]]))
			}
		}
		for k := range n {
			newArgs := func() []reflect.Value {
				values := values()
				args := make([]reflect.Value, len(params))
				for i, p := range params {
					args[i] = reflect.New(p).Elem()
					if vs := values[p]; len(vs) > 0 {
						if v := vs[pick(k, i, len(vs))]; v != nil {
							args[i].Set(reflect.ValueOf(v))
						}
					}
				}
				return args
			}
			calls = append(calls, probeCall{name: name, fn: funcs[name], args: newArgs(), newArgs: newArgs})
		}
	}
	return calls
}

// maxCombinations is how many calls a function gets at most with every combination of
// its arguments' values.
const maxCombinations = 128

// call calls the function with its arguments made anew, returning its results or what
// it panicked with.
func (c probeCall) call() (res []reflect.Value, panicked any) {
	defer func() { panicked = recover() }()
	return reflect.ValueOf(c.fn).Call(c.newArgs()), nil
}

var (
	stringType = reflect.TypeFor[string]()
)

// manyKeys is a map with enough keys that two iterations in the same order are unlikely.
func manyKeys() (map[string]any, map[string]string) {
	a, s := map[string]any{}, map[string]string{}
	for i := range 16 {
		k := fmt.Sprintf("k%02d", i)
		a[k], s[k] = fmt.Sprintf("v%02d", i), fmt.Sprintf("v%02d", i)
	}
	return a, s
}

// probeValues are values of the parameter types template functions have, small ones
// (the probes for size add their own).
func probeValues() map[reflect.Type][]any {
	a, s := manyKeys()
	containers := []corev1.Container{{Name: "web", Image: "web:1", Args: []string{"b", "a"},
		Ports: []corev1.ContainerPort{{ContainerPort: 8080}}}}
	return map[reflect.Type][]any{
		stringType:                              {"k03", "a,b", "%v-%s", "", "{\"a\":[1,2]}"},
		reflect.TypeFor[int]():                  {2, 0, 7},
		reflect.TypeFor[bool]():                 {true, false},
		reflect.TypeFor[float64]():              {1.5},
		anyType:                                 {a, []any{"b", "a", a}, "x", 3, s, []string{"b", "a"}, containers},
		reflect.TypeFor[map[string]any]():       {a},
		reflect.TypeFor[map[string]string]():    {s},
		reflect.TypeFor[[]corev1.Container]():   {containers},
		reflect.TypeFor[metav1.ObjectMeta]():    {metav1.ObjectMeta{Name: "p", Annotations: s, Labels: s}},
		reflect.TypeFor[*meshv1.MeshConfig]():   {otelMesh(meshv1.MeshConfig_ExtensionProvider_ISTIO_CANONICAL)},
		reflect.TypeFor[*durationpb.Duration](): {durationpb.New(3 * time.Second)},
		reflect.TypeFor[time.Time]():            {time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)},
	}
}

// TestEveryFunctionIsDeterministic: every template function returns the same result
// for the same arguments, call after call (keys and values once iterated a map).
func TestEveryFunctionIsDeterministic(t *testing.T) {
	for _, c := range probeCalls(probeValues) {
		first, firstPanic := c.call()
		for range 8 {
			res, p := c.call()
			if fmt.Sprint(p) != fmt.Sprint(firstPanic) || !reflect.DeepEqual(values2any(res), values2any(first)) {
				t.Errorf("%v: %v, then %v", c, values2any(first), values2any(res))
				break
			}
		}
	}
}

func values2any(vs []reflect.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v.Interface()
	}
	return out
}
