package templatefuncs

import (
	"fmt"
	"reflect"
	"testing"

	meshv1 "istio.io/api/mesh/v1alpha1"
)

// TestFastWrappersPriceAsReflection: every template function, as wrap meters it (without
// reflection for the signatures wrapFast knows), returns what the reflective wrapper
// returns, spends the same budget, and fails alike when it runs out: called with
// arguments made from its parameter types (probeCalls, with nils and maps the execution
// made, which mutators may change), and with the arguments of a few calls below.
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
		{"printf", []any{"%s-%d", "a", 3}},
		{"printf", []any{"%*d", 1000, 3}},
	}
	funcs := templateFuncs()
	compare := func(t *testing.T, name string, newArgs func() []reflect.Value) {
		t.Helper()
		fn := formatChecked(name, funcs[name])
		for _, budget := range []int64{fuelLimit, 1000, 300, 0} {
			fast, slow := &meter{owned: map[uintptr]bool{}}, &meter{owned: map[uintptr]bool{}}
			fast.spent, slow.spent = fuelLimit-budget, fuelLimit-budget
			fw := fast.wrap(name, fn, guards[name])
			sw := slow.wrapReflect(name, fn, guards[name], pricings[name])
			fastArgs, slowArgs := newArgs(), newArgs()
			own(fast, fastArgs)
			own(slow, slowArgs)
			gotRes, gotPanic := callWrapped(fw, fastArgs)
			wantRes, wantPanic := callWrapped(sw, slowArgs)
			if !reflect.DeepEqual(gotRes, wantRes) || fmt.Sprint(gotPanic) != fmt.Sprint(wantPanic) || fast.spent != slow.spent {
				t.Errorf("budget %d: fast: %.200v, %v, spent %d; reflective: %.200v, %v, spent %d",
					budget, fmt.Sprint(gotRes), gotPanic, fast.spent, fmt.Sprint(wantRes), wantPanic, slow.spent)
			}
		}
	}
	for _, c := range calls {
		if _, ok := funcs[c.name]; !ok {
			t.Fatalf("no function %s", c.name)
		}
		t.Run(fmt.Sprintf("%s/%v", c.name, c.args), func(t *testing.T) {
			compare(t, c.name, func() []reflect.Value { return argValues(funcs[c.name], c.args) })
		})
	}
	fastSignatures := map[string]bool{}
	for _, c := range probeCalls(meterValues) {
		if _, ok := (&meter{}).wrapFast(c.name, funcs[c.name], nil, shallow); ok {
			fastSignatures[c.name] = true
		}
		t.Run(c.String(), func(t *testing.T) { compare(t, c.name, c.newArgs) })
	}
	// The functions injection templates call most are metered without reflection.
	for _, name := range []string{"quote", "default", "printf", "annotation", "toJson", "isset", "join", "append",
		"ternary", "omitNil", "first", "coalesce", "compact", "excludeInboundPort", "protoToJSON", "set", "dict",
		"list", "hasPrefix", "contains", "trimPrefix", "toYaml", "indent"} {
		if !fastSignatures[name] {
			t.Errorf("wrapFast does not know the signature of %s, %T", name, funcs[name])
		}
	}
}

// meterValues are probeValues and nils, for every parameter type that can hold one.
func meterValues() map[reflect.Type][]any {
	values := probeValues()
	values[anyType] = append(values[anyType], nil, []any{nil, "x"}, map[string]any{"k": nil})
	values[reflect.TypeFor[map[string]any]()] = append(values[reflect.TypeFor[map[string]any]()], map[string]any(nil))
	values[reflect.TypeFor[map[string]string]()] = append(values[reflect.TypeFor[map[string]string]()], map[string]string(nil))
	return values
}

// own notes every map among args, and in them, as made by m's execution: mutators may
// change them.
func own(m *meter, args []reflect.Value) {
	for _, a := range args {
		(&sizer{limit: fuelLimit, record: m.owned}).size(a, 0)
	}
}

// argValues are args as text/template passes them to fn: of its parameters' types.
func argValues(fn any, args []any) []reflect.Value {
	ft := reflect.TypeOf(fn)
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
	return in
}

// callWrapped calls a wrapped function as text/template does (through reflect), and
// returns its results or what it panicked with.
func callWrapped(fn any, args []reflect.Value) (res []any, panicked any) {
	defer func() { panicked = recover() }()
	for _, r := range reflect.ValueOf(fn).Call(args) {
		res = append(res, r.Interface())
	}
	return res, nil
}
