package fnconfig

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Shaped is implemented by a setting's type that decodes itself (a json.Unmarshaler) and
// also accepts a structured form: ConfigShape returns a value of the type whose field
// names that form uses (a struct, or a list of structs), so that its field names are
// checked as exactly as every other setting's.
type Shaped interface {
	ConfigShape() any
}

var shapedType = reflect.TypeFor[Shaped]()

// exactNames checks every field name of v, the JSON form of a setting (as json.Unmarshal
// gives it into an any), against t, the Go type it decodes into: a name must be the field's
// own, letter for letter. encoding/json matches names without regard to case, so without
// this `failon` would be taken for `failOn`. Values whose shape does not match t are left
// to the decoder, which names the type it expected. path names v for messages ("spec").
func exactNames(v any, t reflect.Type, path string) []error {
	t = SettingType(t)
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		fields := Fields(t)
		var errs []error
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			ft, known := fields[k]
			if !known {
				errs = append(errs, fmt.Errorf("unknown field %s%s", joinPath(path, k), DidYouMean(k, fields)))
				continue
			}
			errs = append(errs, exactNames(obj[k], ft, joinPath(path, k))...)
		}
		return errs
	case reflect.Slice, reflect.Array:
		list, ok := v.([]any)
		if !ok {
			return nil
		}
		var errs []error
		for i, item := range list {
			errs = append(errs, exactNames(item, t.Elem(), path+"["+strconv.Itoa(i)+"]")...)
		}
		return errs
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		var errs []error
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			errs = append(errs, exactNames(obj[k], t.Elem(), joinPath(path, k))...)
		}
		return errs
	}
	return nil
}

// SettingType returns the type whose field names Decode checks a setting of type t
// against: t without pointers, or the shape a Shaped type declares; nil for a type that
// decodes itself and declares none (only its own decoder knows its form), or an interface
// (any value goes).
func SettingType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Interface {
		return nil
	}
	if t.Implements(shapedType) || reflect.PointerTo(t).Implements(shapedType) {
		shape := reflect.TypeOf(reflect.New(t).Interface().(Shaped).ConfigShape())
		if shape == nil || shape == t {
			return nil
		}
		return SettingType(shape)
	}
	if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return nil
	}
	return t
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// DidYouMean returns " (did you mean NAME?)" when name is a near miss of one of the
// known names: the same letters in another case, or at most two edits away (one for a
// short name); else "". Functions use it for config keys and for names a config gives
// that nothing uses (apply-setters' setters).
func DidYouMean[V any](name string, known map[string]V) string {
	best, bestDist := "", 0
	for _, k := range slices.Sorted(maps.Keys(known)) {
		d := editDistance(strings.ToLower(name), strings.ToLower(k))
		if d == 0 {
			return fmt.Sprintf(" (did you mean %s?)", k)
		}
		if best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	limit := 2
	if len(name) <= 4 {
		limit = 1
	}
	if best == "" || bestDist > limit {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance is the optimal string alignment distance between a and b (insertions,
// deletions, substitutions and swaps of neighbours, as typos are made), counted in bytes
// (names are ASCII).
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
