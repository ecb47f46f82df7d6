package templatefuncs

import (
	"reflect"
	"testing"
)

func TestOmitNil(t *testing.T) {
	var nilMap map[string]any
	cases := []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"scalar", "x", "x"},
		{"string map untouched", map[string]string{"a": ""}, map[string]string{"a": ""}},
		{"no nils", map[string]any{"a": 1.0, "b": "c"}, map[string]any{"a": 1.0, "b": "c"}},
		{"nil dropped", map[string]any{"a": nil, "b": "c"}, map[string]any{"b": "c"}},
		{"empty map kept", map[string]any{"a": map[string]any{}}, map[string]any{"a": map[string]any{}}},
		{"empty list kept", []any{[]any{}}, []any{[]any{}}},
		{"typed nil map kept", map[string]any{"a": nilMap}, map[string]any{"a": nilMap}},
		{"zero values kept", map[string]any{"a": 0.0, "b": false, "c": ""}, map[string]any{"a": 0.0, "b": false, "c": ""}},
		{"emptied map removed", map[string]any{"a": map[string]any{"x": nil}, "b": 1.0}, map[string]any{"b": 1.0}},
		{"everything emptied", map[string]any{"a": nil, "b": map[string]any{"x": nil}}, nil},
		{"list nils dropped, order kept", []any{nil, 1.0, nil, "a", nil}, []any{1.0, "a"}},
		{"list of nils", []any{nil, nil}, nil},
		{"emptied map in list", []any{map[string]any{"x": nil}, "a"}, []any{"a"}},
		{"deep", map[string]any{"global": map[string]any{"proxy": map[string]any{"resources": map[string]any{
			"limits":   map[string]any{"cpu": nil, "memory": "1Gi"},
			"requests": map[string]any{"cpu": nil, "memory": nil},
		}}}}, map[string]any{"global": map[string]any{"proxy": map[string]any{"resources": map[string]any{
			"limits": map[string]any{"memory": "1Gi"},
		}}}}},
	}
	for _, c := range cases {
		if got := omitNil(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: omitNil = %#v, want %#v", c.name, got, c.want)
		}
	}
}

func TestOmitNilLeavesInputAlone(t *testing.T) {
	in := map[string]any{"a": nil, "b": map[string]any{"c": nil, "d": 1.0}, "e": []any{nil, 2.0}}
	_ = omitNil(in)
	want := map[string]any{"a": nil, "b": map[string]any{"c": nil, "d": 1.0}, "e": []any{nil, 2.0}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("omitNil modified its input: %#v", in)
	}
}

func TestOmitNilReturnsUnchangedContainer(t *testing.T) {
	in := map[string]any{"a": map[string]any{"b": 1.0}}
	got, ok := omitNil(in).(map[string]any)
	if !ok || reflect.ValueOf(got).Pointer() != reflect.ValueOf(in).Pointer() {
		t.Errorf("omitNil copied a map without nils")
	}
}
