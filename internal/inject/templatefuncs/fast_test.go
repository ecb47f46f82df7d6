package templatefuncs

import (
	"fmt"
	"reflect"
	"testing"

	meshv1 "istio.io/api/mesh/v1alpha1"
)

// TestFastWrappersPriceAsReflection: the functions wrap meters without reflection
// (wrapFast, wrapFastPriced) return what the reflective wrapper returns, spend the same
// budget, and fail alike when it runs out.
func TestFastWrappersPriceAsReflection(t *testing.T) {
	nested := map[string]any{"a": []any{"x", map[string]any{"b": nil}}, "c": "d"}
	calls := []struct {
		name string
		args []any
	}{
		{"isset", []any{map[string]string{"a": "1", "b": "2"}, "a"}},
		{"isset", []any{map[string]string(nil), "zz"}},
		{"join", []any{",", []any{"a", "b", 3}}},
		{"join", []any{"--", []string{"x", "y"}}},
		{"excludeInboundPort", []any{8080, "15020,15021"}},
		{"excludeInboundPort", []any{"", ""}},
		{"append", []any{[]any{"a", nested}, nested}},
		{"push", []any{[]string{"a"}, "b"}},
		{"compact", []any{[]any{"", "a", nil, 0, nested}}},
		{"ternary", []any{nested, "no", true}},
		{"ternary", []any{nil, "no", false}},
		{"omitNil", []any{nested}},
		{"first", []any{[]any{nested, "x"}}},
		{"first", []any{[]any{}}},
		{"deepCopy", []any{nested}},
		{"coalesce", []any{nil, "", nested}},
		{"coalesce", []any{}},
		{"protoToJSON", []any{&meshv1.ProxyConfig{DiscoveryAddress: "istiod:15012"}}},
		{"protoToJSON", []any{(*meshv1.ProxyConfig)(nil)}},
		{"hasPrefix", []any{"abc", "a"}},
		{"contains", []any{"abc", "z"}},
		{"trimPrefix", []any{"a", "abc"}},
		{"quote", []any{"abc"}},
		{"toJson", []any{nested}},
	}
	fm := FuncMap(Options{})
	for _, c := range calls {
		fn, ok := fm[c.name]
		if !ok {
			t.Fatalf("no function %s", c.name)
		}
		for _, budget := range []int64{fuelLimit, 300, 0} {
			t.Run(fmt.Sprintf("%s/%v/%d", c.name, c.args, budget), func(t *testing.T) {
				fast, slow := &meter{owned: map[uintptr]bool{}}, &meter{owned: map[uintptr]bool{}}
				fast.spent, slow.spent = fuelLimit-budget, fuelLimit-budget
				fw := fast.wrap(c.name, fn, guards[c.name])
				sw := slow.wrapReflect(c.name, fn, guards[c.name], pricings[c.name])
				gotRes, gotPanic := callWrapped(fw, c.args)
				wantRes, wantPanic := callWrapped(sw, c.args)
				if !reflect.DeepEqual(gotRes, wantRes) || fmt.Sprint(gotPanic) != fmt.Sprint(wantPanic) || fast.spent != slow.spent {
					t.Errorf("fast: %#v, %v, spent %d; reflective: %#v, %v, spent %d",
						gotRes, gotPanic, fast.spent, wantRes, wantPanic, slow.spent)
				}
			})
		}
	}
}

// callWrapped calls a wrapped function as text/template does (through reflect), and
// returns its results or what it panicked with.
func callWrapped(fn any, args []any) (res []any, panicked any) {
	defer func() { panicked = recover() }()
	fv := reflect.ValueOf(fn)
	ft := fv.Type()
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		pt := ft.In(min(i, ft.NumIn()-1))
		if ft.IsVariadic() && i >= ft.NumIn()-1 {
			pt = pt.Elem()
		}
		v := reflect.New(pt).Elem()
		if a != nil {
			v.Set(reflect.ValueOf(a))
		}
		in[i] = v
	}
	for _, r := range fv.Call(in) {
		res = append(res, r.Interface())
	}
	return res, nil
}
