// Package jsonvalue converts between typed objects and the generic values encoding/json
// gives for them (map[string]any, []any, string, float64, bool, nil), without JSON text:
// Of(v) equals what decoding json.Marshal(v) into an `any` gives, and Into reads such
// values into a typed object as k8s.io/apimachinery's unstructured converter does. Both
// work from a plan computed once per type, and take JSON text only where a type encodes
// itself (a json.Marshaler other than the few Kubernetes types they know) or where the
// plan would be ambiguous.
package jsonvalue

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Of returns the value decoding json.Marshal(v) into an `any` gives, and false where
// json.Marshal fails.
func Of(v any) (any, bool) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil, true
	}
	return encoders.get(rv.Type())(rv)
}

// encodeFunc converts one value of a type.
type encodeFunc func(v reflect.Value) (any, bool)

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
	quantityType      = reflect.TypeFor[resource.Quantity]()
	timeType          = reflect.TypeFor[metav1.Time]()
	intOrStringType   = reflect.TypeFor[intstr.IntOrString]()
)

var encoders = &planCache[encodeFunc]{
	build: newEncoder,
	later: func(get func() encodeFunc) encodeFunc {
		return func(v reflect.Value) (any, bool) { return get()(v) }
	},
}

func newEncoder(t reflect.Type, sub func(reflect.Type) encodeFunc) encodeFunc {
	switch t {
	case quantityType:
		return func(v reflect.Value) (any, bool) {
			b, err := v.Interface().(resource.Quantity).MarshalJSON()
			if err != nil || len(b) < 2 || b[0] != '"' {
				return viaJSON(v)
			}
			return string(b[1 : len(b)-1]), true
		}
	case timeType:
		return func(v reflect.Value) (any, bool) {
			tm := v.Interface().(metav1.Time)
			if tm.IsZero() {
				return nil, true
			}
			return viaJSON(v)
		}
	case intOrStringType:
		return func(v reflect.Value) (any, bool) {
			is := v.Interface().(intstr.IntOrString)
			if is.Type == intstr.Int {
				return float64(is.IntVal), true
			}
			if is.Type == intstr.String && utf8.ValidString(is.StrVal) {
				return is.StrVal, true
			}
			return viaJSON(v)
		}
	}
	if t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
		return viaJSON
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value) (any, bool) {
			if s := v.String(); utf8.ValidString(s) {
				return s, true
			}
			return viaJSON(v)
		}
	case reflect.Bool:
		return func(v reflect.Value) (any, bool) { return v.Bool(), true }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) (any, bool) { return float64(v.Int()), true }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(v reflect.Value) (any, bool) { return float64(v.Uint()), true }
	case reflect.Float64:
		return func(v reflect.Value) (any, bool) {
			f := v.Float()
			return f, !math.IsNaN(f) && !math.IsInf(f, 0)
		}
	case reflect.Pointer:
		elem := sub(t.Elem())
		return func(v reflect.Value) (any, bool) {
			if v.IsNil() {
				return nil, true
			}
			return elem(v.Elem())
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return bytesEncoder
		}
		return sliceEncoder(t, sub)
	case reflect.Map:
		if k := t.Key(); k.Kind() != reflect.String || k.Implements(textMarshalerType) ||
			reflect.PointerTo(k).Implements(textMarshalerType) {
			return viaJSON
		}
		return mapEncoder(t, sub)
	case reflect.Struct:
		return structEncoder(t, sub)
	}
	return viaJSON // floats of 32 bits, arrays, interfaces, ... : as JSON does
}

// viaJSON converts through JSON text: what the caller does not convert itself.
func viaJSON(v reflect.Value) (any, bool) {
	x := v.Interface()
	if v.CanAddr() && !v.Type().Implements(marshalerType) && reflect.PointerTo(v.Type()).Implements(marshalerType) {
		x = v.Addr().Interface() // encoding/json calls a pointer method where it can
	}
	b, err := json.Marshal(x)
	if err != nil {
		return nil, false
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, false
	}
	return out, true
}

func bytesEncoder(v reflect.Value) (any, bool) {
	if v.IsNil() {
		return nil, true
	}
	if v.Type().Elem() != reflect.TypeFor[byte]() {
		return viaJSON(v) // a named byte type, which may encode itself
	}
	return base64.StdEncoding.EncodeToString(v.Bytes()), true
}

func sliceEncoder(t reflect.Type, sub func(reflect.Type) encodeFunc) encodeFunc {
	elem := sub(t.Elem())
	return func(v reflect.Value) (any, bool) {
		if v.IsNil() {
			return nil, true
		}
		out := make([]any, v.Len())
		for i := range out {
			var ok bool
			if out[i], ok = elem(v.Index(i)); !ok {
				return nil, false
			}
		}
		return out, true
	}
}

func mapEncoder(t reflect.Type, sub func(reflect.Type) encodeFunc) encodeFunc {
	elem := sub(t.Elem())
	return func(v reflect.Value) (any, bool) {
		if v.IsNil() {
			return nil, true
		}
		out := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key().String()
			if !utf8.ValidString(k) {
				return viaJSON(v)
			}
			e, ok := elem(iter.Value())
			if !ok {
				return nil, false
			}
			out[k] = e
		}
		return out, true
	}
}
