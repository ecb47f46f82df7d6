package jsonvalue

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// Into reads generic values into *ptr as the unstructured converter of
// k8s.io/apimachinery (runtime.DefaultUnstructuredConverter.FromUnstructured) does, and
// reports true; or reports false, with *ptr in any state, where that converter would
// fail or where Into leaves the work to it (values of other types than encoding/json's
// and int64, strings for []byte, ...).
func Into(values map[string]any, ptr any) bool {
	dv := reflect.ValueOf(ptr)
	if dv.Kind() != reflect.Pointer || dv.IsNil() {
		return false
	}
	dv.Elem().SetZero() // the decoders fill zero values (see structDecoder)
	return decoders.get(dv.Elem().Type())(values, dv.Elem())
}

// decodeFunc sets dv from a generic value, or reports false.
type decodeFunc func(sv any, dv reflect.Value) bool

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

var decoders = &planCache[decodeFunc]{
	build: newDecoder,
	later: func(get func() decodeFunc) decodeFunc {
		return func(sv any, dv reflect.Value) bool { return get()(sv, dv) }
	},
}

// newDecoder mirrors the converter: a nil value sets the zero value; simple kinds take
// values JSON could give them (an integral float for an integer); maps, slices, pointers
// and structs are built from maps and lists, types that unmarshal JSON from the JSON of
// the value.
func newDecoder(t reflect.Type, sub func(reflect.Type) decodeFunc) decodeFunc {
	zero := reflect.Zero(t)
	nilOr := func(d decodeFunc) decodeFunc {
		return func(sv any, dv reflect.Value) bool {
			if sv == nil {
				dv.Set(zero)
				return true
			}
			return d(sv, dv)
		}
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return nilOr(simpleDecoder(t))
	case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Struct:
	default:
		return func(any, reflect.Value) bool { return false }
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if t == intOrStringType {
			return nilOr(intOrStringDecoder)
		}
		return nilOr(unmarshalerDecoder)
	}
	switch t.Kind() {
	case reflect.Map:
		return nilOr(mapDecoder(t, sub))
	case reflect.Slice:
		return nilOr(sliceDecoder(t, sub))
	case reflect.Pointer:
		elem := sub(t.Elem())
		return nilOr(func(sv any, dv reflect.Value) bool {
			p := reflect.New(t.Elem())
			dv.Set(p)
			return elem(sv, p.Elem())
		})
	}
	return nilOr(structDecoder(t, sub))
}

// simpleDecoder converts as the converter does between JSON's four groups: strings,
// booleans, numbers (integers from integers or integral floats) and nothing else.
func simpleDecoder(t reflect.Type) decodeFunc {
	k := t.Kind()
	isInt := k >= reflect.Int && k <= reflect.Uint64
	isFloat := k == reflect.Float32 || k == reflect.Float64
	return func(sv any, dv reflect.Value) bool {
		switch v := sv.(type) {
		case string:
			if k != reflect.String {
				return false
			}
			dv.SetString(v)
		case bool:
			if k != reflect.Bool {
				return false
			}
			dv.SetBool(v)
		case float64:
			if !isFloat && !(isInt && v == math.Trunc(v)) {
				return false
			}
			dv.Set(reflect.ValueOf(v).Convert(t))
		case int64:
			if !isInt && !isFloat {
				return false
			}
			dv.Set(reflect.ValueOf(v).Convert(t))
		case int:
			if !isInt && !isFloat {
				return false
			}
			dv.Set(reflect.ValueOf(v).Convert(t))
		default:
			return false
		}
		return true
	}
}

// unmarshalerDecoder gives the type its value's JSON, as the converter does.
func unmarshalerDecoder(sv any, dv reflect.Value) bool {
	data, err := json.Marshal(sv)
	if err != nil {
		return false
	}
	return dv.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(data) == nil
}

// intOrStringDecoder is unmarshalerDecoder for IntOrString without the JSON: a string,
// or an integer that fits.
func intOrStringDecoder(sv any, dv reflect.Value) bool {
	switch v := sv.(type) {
	case string:
		if !utf8.ValidString(v) {
			return unmarshalerDecoder(sv, dv)
		}
		dv.Set(reflect.ValueOf(intstr.FromString(v)))
		return true
	case float64:
		if v == math.Trunc(v) && v >= math.MinInt32 && v <= math.MaxInt32 {
			dv.Set(reflect.ValueOf(intstr.FromInt32(int32(v))))
			return true
		}
	case int64:
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			dv.Set(reflect.ValueOf(intstr.FromInt32(int32(v))))
			return true
		}
	case int:
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			dv.Set(reflect.ValueOf(intstr.FromInt32(int32(v))))
			return true
		}
	}
	return unmarshalerDecoder(sv, dv)
}

func mapDecoder(t reflect.Type, sub func(reflect.Type) decodeFunc) decodeFunc {
	elem := sub(t.Elem())
	if t.Key().Kind() != reflect.String {
		return func(any, reflect.Value) bool { return false }
	}
	return func(sv any, dv reflect.Value) bool {
		m, ok := sv.(map[string]any)
		if !ok {
			return false
		}
		if m == nil {
			dv.SetZero()
			return true
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, v := range m {
			e := reflect.New(t.Elem()).Elem()
			if !elem(v, e) {
				return false
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), e)
		}
		dv.Set(out)
		return true
	}
}

func sliceDecoder(t reflect.Type, sub func(reflect.Type) decodeFunc) decodeFunc {
	elem := sub(t.Elem())
	return func(sv any, dv reflect.Value) bool {
		l, ok := sv.([]any)
		if !ok {
			return false // a string for []byte: left to the converter
		}
		if l == nil {
			dv.SetZero()
			return true
		}
		out := reflect.MakeSlice(t, len(l), cap(l))
		for i, v := range l {
			if !elem(v, out.Index(i)) {
				return false
			}
		}
		dv.Set(out)
		return true
	}
}

// structField is a struct field as the converter reads it: by the name of its JSON tag
// (its Go name without one), or inlined (an embedded field without a name), when it
// reads the struct's own map.
type structField struct {
	index  []int
	decode decodeFunc
}

// structDecoder reads a map into a struct, as the converter does: each field from the
// value of its name (keys without a field are ignored), an inlined struct's fields from
// the same map. The struct is zero beforehand (Into zeroes its target, and every value
// within is new), so fields whose value is absent or null are left as they are, and the
// map's keys are visited instead of the struct's fields.
func structDecoder(t reflect.Type, sub func(reflect.Type) decodeFunc) decodeFunc {
	byName := map[string][]structField{}
	if !collectNames(t, nil, sub, byName) {
		return func(any, reflect.Value) bool { return false }
	}
	return func(sv any, dv reflect.Value) bool {
		m, ok := sv.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range m {
			if v == nil {
				continue
			}
			for _, f := range byName[k] {
				fv := dv.Field(f.index[0])
				if len(f.index) > 1 {
					fv = dv.FieldByIndex(f.index)
				}
				if !f.decode(v, fv) {
					return false
				}
			}
		}
		return true
	}
}

// collectNames lists the fields of struct type t (and of its inlined structs) by name;
// false for a struct this package leaves to the converter (an unexported field, or an
// inlined field that is not a struct).
func collectNames(t reflect.Type, index []int, sub func(reflect.Type) decodeFunc, byName map[string][]structField) bool {
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			return false
		}
		idx := append(append([]int(nil), index...), i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" && sf.Anonymous {
			if sf.Type.Kind() != reflect.Struct || reflect.PointerTo(sf.Type).Implements(unmarshalerType) ||
				!collectNames(sf.Type, idx, sub, byName) {
				return false
			}
			continue
		}
		if name == "" {
			name = sf.Name
		}
		byName[name] = append(byName[name], structField{index: idx, decode: sub(sf.Type)})
	}
	return true
}
