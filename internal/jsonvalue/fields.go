package jsonvalue

import (
	"reflect"
	"strings"
	"unicode"
)

// field is a struct field as encoding/json sees it.
type field struct {
	name      string
	index     []int // through embedded structs
	tagged    bool
	omitEmpty bool
	omitZero  func(v reflect.Value) bool // nil without omitzero
	typ       reflect.Type
}

// fieldsOf lists the fields encoding/json encodes for struct type t, following its rules
// for tags, embedded structs and names that clash; ok is false where they are more than
// this package follows (the ",string" option, embedded pointers and unexported embedded
// structs, invalid tag names), for the caller to go through JSON.
func fieldsOf(t reflect.Type) ([]field, bool) {
	var all []field
	if !collectFields(t, nil, &all) {
		return nil, false
	}
	// The dominant field of each name: the shallowest, or the only tagged one of the
	// shallowest; names held by several such fields are dropped.
	byName := map[string][]field{}
	var order []string
	for _, f := range all {
		if _, seen := byName[f.name]; !seen {
			order = append(order, f.name)
		}
		byName[f.name] = append(byName[f.name], f)
	}
	var out []field
	for _, name := range order {
		if f, ok := dominant(byName[name]); ok {
			out = append(out, f)
		}
	}
	return out, true
}

func dominant(fs []field) (field, bool) {
	depth := len(fs[0].index)
	for _, f := range fs {
		depth = min(depth, len(f.index))
	}
	var shallow []field
	for _, f := range fs {
		if len(f.index) == depth {
			shallow = append(shallow, f)
		}
	}
	if len(shallow) == 1 {
		return shallow[0], true
	}
	var tagged []field
	for _, f := range shallow {
		if f.tagged {
			tagged = append(tagged, f)
		}
	}
	if len(tagged) == 1 {
		return tagged[0], true
	}
	return field{}, false
}

func collectFields(t reflect.Type, index []int, out *[]field) bool {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") || name != "" && !validTagName(name) {
			return false
		}
		idx := append(append([]int(nil), index...), i)
		if sf.Anonymous && name == "" {
			if sf.Type.Kind() != reflect.Struct || !sf.IsExported() {
				return false // embedded pointers, interfaces, unexported structs: left to JSON
			}
			if !collectFields(sf.Type, idx, out) {
				return false
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		f := field{name: name, index: idx, tagged: name != "", typ: sf.Type}
		if name == "" {
			f.name = sf.Name
		}
		for opt := range strings.SplitSeq(opts, ",") {
			switch opt {
			case "omitempty":
				f.omitEmpty = true
			case "omitzero":
				f.omitZero = zeroFunc(sf.Type)
			}
		}
		*out = append(*out, f)
	}
	return true
}

// validTagName is encoding/json's test of a tag name it uses.
func validTagName(s string) bool {
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// zeroFunc is how encoding/json tests a value of t for omitzero: its IsZero method (of
// the value, or of its address), else reflect's zero test.
func zeroFunc(t reflect.Type) func(v reflect.Value) bool {
	switch {
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || v.Interface().(interface{ IsZero() bool }).IsZero()
		}
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil() ||
				v.Interface().(interface{ IsZero() bool }).IsZero()
		}
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Interface().(interface{ IsZero() bool }).IsZero() }
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				c := reflect.New(v.Type()).Elem()
				c.Set(v)
				v = c
			}
			return v.Addr().Interface().(interface{ IsZero() bool }).IsZero()
		}
	}
	return reflect.Value.IsZero
}

// empty is encoding/json's test for omitempty.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

func structEncoder(t reflect.Type, sub func(reflect.Type) encodeFunc) encodeFunc {
	fields, ok := fieldsOf(t)
	if !ok {
		return viaJSON
	}
	encs := make([]encodeFunc, len(fields))
	for i, f := range fields {
		encs[i] = sub(f.typ)
	}
	return func(v reflect.Value) (any, bool) {
		// The values first, then a map of their number: most fields are left out.
		var buf [64]struct {
			name  string
			value any
		}
		kept := buf[:0]
		for i := range fields {
			f := &fields[i]
			fv := v
			if len(f.index) == 1 {
				fv = v.Field(f.index[0])
			} else {
				fv = v.FieldByIndex(f.index)
			}
			if f.omitEmpty && empty(fv) || f.omitZero != nil && f.omitZero(fv) {
				continue
			}
			e, ok := encs[i](fv)
			if !ok {
				return nil, false
			}
			kept = append(kept, struct {
				name  string
				value any
			}{f.name, e})
		}
		out := make(map[string]any, len(kept))
		for _, k := range kept {
			out[k.name] = k.value
		}
		return out, true
	}
}
