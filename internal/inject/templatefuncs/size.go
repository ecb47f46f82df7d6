package templatefuncs

import "reflect"

// pricing says how a function's call is priced.
type pricing int

const (
	// shallow: the length of each argument and of the result, not what they hold. The
	// template's data is bounded by the package, and a value by what made it; most
	// functions return a part of their arguments, or text.
	shallow pricing = iota
	// built: everything the arguments hold, walked. These functions put their arguments
	// into a new list or map (a list holding the same list twice, made 40 times over, is
	// cheap to make and huge to print), or compare them element by element.
	built
	// mutated: like built, for functions that put their arguments into the map they are
	// given first (set, merge); putting that map into itself is an error.
	mutated
	// parsed: the result, walked: it is a new tree parsed from text.
	parsed
	// remade: the arguments and the result, walked: a new tree made from the argument's
	// (which it may share parts of, so its maps are not the execution's own).
	remade
)

// pricings are the functions not priced shallow.
var pricings = map[string]pricing{
	"list": built, "tuple": built, "dict": built, "append": built, "push": built, "mustAppend": built,
	"mustPush": built, "prepend": built, "mustPrepend": built, "concat": built, "deepCopy": built,
	"mustDeepCopy": built, "pick": built, "chunk": built, "mustChunk": built,
	"set": mutated, "unset": mutated, "merge": mutated, "mergeOverwrite": mutated, "mustMerge": mutated, "mustMergeOverwrite": mutated,
	"fromJson": parsed, "mustFromJson": parsed, "fromJSON": parsed,
	"omitNil": remade, "toStrings": remade, "sortAlpha": remade,
	// Comparing walks what is compared: priced as builders are, by walking it.
	"deepEqual": built, "has": built, "mustHas": built, "without": built, "mustWithout": built,
	"uniq": built, "mustUniq": built,
}

// Functions whose result holds maps only this execution has: the map itself (newMap) or
// every map in it (newMaps). A mutator may change only such maps; deepMutators (the
// merges) change the maps inside the one they are given too.
var (
	newMap       = map[string]bool{"dict": true, "pick": true}
	deepCopies   = map[string]bool{"deepCopy": true, "mustDeepCopy": true}
	newMaps      = map[string]bool{"deepCopy": true, "mustDeepCopy": true, "fromJson": true, "mustFromJson": true, "fromJSON": true}
	deepMutators = map[string]bool{"merge": true, "mergeOverwrite": true, "mustMerge": true, "mustMergeOverwrite": true}
)

// sizer walks a value to estimate its memory in bytes: strings, slices, arrays, maps,
// structs (and what their exported fields hold), interfaces and pointers to them but to
// structs (see structs). It stops once it is past limit; a value nested deeper than maxDepth is past any limit. When avoid is a map's address, meeting that map
// sets cycle. When record is set, every map met is added to it; when owned is set, meeting
// a map not in it sets foreign.
type sizer struct {
	limit   int64
	avoid   uintptr
	cycle   bool
	record  map[uintptr]bool
	owned   map[uintptr]bool
	foreign bool
	// structs: follow pointers to structs too. A list or map holding a pointer holds a
	// pointer; a deep copy copies what it points to.
	structs bool
}

func (s *sizer) size(v reflect.Value, depth int) int64 {
	if (v.Kind() == reflect.Interface || v.Kind() == reflect.Map) && v.CanInterface() {
		return s.sizeAny(v.Interface(), depth) // no allocation for these kinds
	}
	return s.sizeValue(v, depth)
}

// sizeAny walks the values templates mostly hold (JSON-like maps and lists, labels)
// without reflection, which allocates for every map entry.
func (s *sizer) sizeAny(x any, depth int) int64 {
	if depth > maxDepth || s.cycle {
		return s.limit + 1
	}
	switch x := x.(type) {
	case nil, bool, int, int64, float64:
		return 8
	case string:
		return 16 + int64(len(x))
	case []any:
		n := int64(24)
		for i := 0; i < len(x) && n <= s.limit; i++ {
			n += s.sizeAny(x[i], depth+1)
		}
		return n
	case map[string]any:
		n := 48 + s.seeMap(reflect.ValueOf(x).Pointer())
		for k, e := range x {
			if n > s.limit {
				break
			}
			n += 32 + int64(len(k)) + s.sizeAny(e, depth+1)
		}
		return n
	case map[string]string:
		n := 48 + s.seeMap(reflect.ValueOf(x).Pointer())
		for k, e := range x {
			n += 48 + int64(len(k)+len(e))
		}
		return n
	}
	return s.sizeValue(reflect.ValueOf(x), depth)
}

// seeMap notes a map met at address p: a cycle, a new map, a foreign one. It returns
// more than the limit when the walk must stop.
func (s *sizer) seeMap(p uintptr) int64 {
	if s.avoid != 0 && p == s.avoid {
		s.cycle = true
		return s.limit + 1
	}
	if s.record != nil {
		s.record[p] = true
	}
	if s.owned != nil && !s.owned[p] {
		s.foreign = true
	}
	return 0
}

func (s *sizer) sizeValue(v reflect.Value, depth int) int64 {
	if depth > maxDepth || s.cycle {
		return s.limit + 1
	}
	switch v.Kind() {
	case reflect.String:
		return 16 + int64(v.Len())
	case reflect.Slice, reflect.Array:
		n := int64(24)
		if isFlat(v.Type().Elem()) {
			return n + int64(v.Len())*int64(v.Type().Elem().Size())
		}
		for i := 0; i < v.Len() && n <= s.limit; i++ {
			n += s.size(v.Index(i), depth+1)
		}
		return n
	case reflect.Map:
		n := int64(48) + s.seeMap(v.Pointer())
		for it := v.MapRange(); n <= s.limit && it.Next(); {
			n += 16 + s.size(it.Key(), depth+1)
			n += s.size(it.Value(), depth+1)
		}
		return n
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return 8
		}
		switch e := v.Elem(); e.Kind() {
		case reflect.String, reflect.Slice, reflect.Array, reflect.Map, reflect.Interface:
			return 8 + s.size(e, depth+1)
		case reflect.Struct:
			if v.Kind() == reflect.Interface || s.structs {
				return 8 + s.size(e, depth+1)
			}
		}
	case reflect.Struct:
		return s.sizeStruct(v, depth)
	}
	return 8
}

// sizeStruct is a struct's own size and what its exported fields hold (a list of
// structs holds them inline, and an encoder writes what they hold).
func (s *sizer) sizeStruct(v reflect.Value, depth int) int64 {
	t := v.Type()
	n := int64(t.Size())
	for i := 0; i < t.NumField() && n <= s.limit; i++ {
		if f := t.Field(i); f.IsExported() && !isFlat(f.Type) {
			n += s.size(v.Field(i), depth+1)
		}
	}
	return n
}

// shallowSize estimates the memory of v without walking into it: a string's length, a
// list's or map's number of entries.
func shallowSize(v reflect.Value) int64 {
	for (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && !v.IsNil() {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Array, reflect.Map:
		return kindSize(v.Kind(), v.Len())
	}
	return kindSize(v.Kind(), 0)
}

// kindSize is the shallow size of a value of kind k and length n (see shallowSize): the
// one table the reflective wrapper (shallowSize) and the fast ones (sizeOf) price by.
func kindSize(k reflect.Kind, n int) int64 {
	switch k {
	case reflect.String:
		return 16 + int64(n)
	case reflect.Slice, reflect.Array:
		return 24 + 16*int64(n)
	case reflect.Map:
		return 48 + 64*int64(n)
	}
	return 8
}

// mapPointer is the address of the map v holds, or 0.
func mapPointer(v reflect.Value) uintptr {
	for (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() == reflect.Map && !v.IsNil() {
		return v.Pointer()
	}
	return 0
}

// isFlat reports whether values of type t hold no strings, slices, maps or pointers.
func isFlat(t reflect.Type) bool { return isFlatKind(t.Kind()) }

// isFlatKind reports whether k is a boolean or a number.
func isFlatKind(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	}
	return false
}
