package templatefuncs

import (
	"reflect"
)

// textSizer estimates the size of the text an encoder (JSON, YAML) or fmt makes of a value,
// walking it as they do (a list holding one value many times is walked as many times):
// perByte bytes for each byte of a string or map key (escapes), perNode for every value
// (a number, separators, a key's quotes, and for YAML the encoder's own work), and for
// indenting encoders indent bytes per level of nesting on every value's line. It stops
// once past limit; a value nested deeper than maxDepth is past any limit.
type textSizer struct {
	perByte, perNode, indent int64
	limit                    int64
	n                        int64
}

func (s *textSizer) over() bool { return s.n > s.limit }

func (s *textSizer) size(v reflect.Value, depth int) {
	if s.over() {
		return
	}
	if depth > maxDepth {
		s.n = s.limit + 1
		return
	}
	s.n += s.perNode + s.indent*int64(depth)
	if !v.IsValid() {
		return
	}
	if v.Kind() == reflect.Interface && !v.IsNil() && v.CanInterface() {
		s.sizeJSON(v.Interface(), depth)
		return
	}
	switch v.Kind() {
	case reflect.String:
		s.n += s.perByte * int64(v.Len())
	case reflect.Slice, reflect.Array:
		if isFlat(v.Type().Elem()) {
			s.n += int64(v.Len()) * (s.perNode + s.indent*int64(depth+1))
			return
		}
		for i := 0; i < v.Len() && !s.over(); i++ {
			s.size(v.Index(i), depth+1)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next() && !s.over(); {
			s.size(it.Key(), depth+1)
			s.size(it.Value(), depth+1)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			s.n -= s.perNode + s.indent*int64(depth)
			s.size(v.Elem(), depth)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField() && !s.over(); i++ {
			f := t.Field(i)
			if !f.IsExported() && (f.Type.Kind() == reflect.Pointer || f.Type.Kind() == reflect.Interface) {
				continue // not written by encoders; fmt would show an address, which it refuses
			}
			s.n += s.perByte * int64(len(f.Name))
			s.size(v.Field(i), depth+1)
		}
	}
}

// sizeJSON is size for the values JSON decodes to, without reflection.
func (s *textSizer) sizeJSON(x any, depth int) {
	switch x := x.(type) {
	case nil, bool, float64, int64, int:
	case string:
		s.n += s.perByte * int64(len(x))
	case []any:
		for i := 0; i < len(x) && !s.over(); i++ {
			s.size1(x[i], depth+1)
		}
	case map[string]any:
		for k, e := range x {
			if s.over() {
				return
			}
			s.n += s.perNode + s.perByte*int64(len(k))
			s.size1(e, depth+1)
		}
	default:
		s.n -= s.perNode + s.indent*int64(depth)
		s.size(reflect.ValueOf(x), depth)
	}
}

func (s *textSizer) size1(x any, depth int) {
	if depth > maxDepth {
		s.n = s.limit + 1
		return
	}
	s.n += s.perNode + s.indent*int64(depth)
	s.sizeJSON(x, depth)
}

// textSize is what a textSizer finds for each of args, added, with a list of variadic
// arguments walked as its elements.
func textSize(args []reflect.Value, perByte, perNode, indent int64) int64 {
	s := &textSizer{perByte: perByte, perNode: perNode, indent: indent, limit: fuelLimit}
	for _, a := range args {
		s.size(a, 0)
	}
	return s.n
}

// Text size guards (see guards): what encoders and fmt make of their arguments.
var (
	// JSON: escapes (\u003c) make up to 6 bytes of a byte; a number up to 24.
	jsonSize = func(a []reflect.Value) int64 { return textSize(a, 6, 32, 0) }
	// Pretty JSON indents every value's line by two spaces a level.
	prettyJSONSize = func(a []reflect.Value) int64 { return textSize(a, 6, 32, 2) }
	// YAML goes through JSON and yaml's own tree and events, about 256 bytes a value.
	yamlSize = func(a []reflect.Value) int64 { return textSize(a, 6, 256, 2) }
	// fmt's %v: a byte a byte, a number up to 24; quoting, escaping for HTML, JavaScript
	// and URLs make more of a byte.
	fmtSize    = func(a []reflect.Value) int64 { return textSize(a, 1, 32, 0) }
	quotedSize = func(a []reflect.Value) int64 { return textSize(a, 4, 32, 0) }
	escapeSize = func(a []reflect.Value) int64 { return textSize(a, 6, 32, 0) }
)
