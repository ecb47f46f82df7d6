package templatefuncs

import (
	"fmt"
	"maps"
	"reflect"
	"time"

	"google.golang.org/protobuf/proto"
)

// snapshotDepth is how deeply template data may nest to be copied: encoding/json's own
// limit, so any data read from JSON or YAML is copied.
const snapshotDepth = 10000

// snapshots make the copies of template data that one executor's executions render with
// (see take). Each execution gets its own deep copy: every map, slice, pointer and
// interface in it is new, so nothing the execution does (a function that sorts or changes
// what it is given, a method that changes its receiver) reaches the data its caller holds,
// which other executions share. Protocol buffers are copied with proto.Clone, Kubernetes'
// API types with their own DeepCopyInto (and quantities with DeepCopy), and times are
// converted to UTC: a pod's timestamps are read in the machine's time zone, and rendering
// must not depend on it.
//
// The copies of the data's fields that hold JSON values (the injector's values, the
// largest part of the data and the same for every workload) are kept: the next execution
// takes one again when it still equals the caller's field, which comparing costs far less
// than copying. A copy an execution changed no longer equals, and is made anew.
type snapshots struct {
	kept map[int]reflect.Value // by field of the data's struct
}

// take returns the copy of data for one execution, and whether the data's empty
// interfaces hold only what JSON decodes to (maps, lists, strings, numbers, booleans).
func (s *snapshots) take(data any) (own any, jsonOnly bool, err error) {
	if data == nil {
		return nil, true, nil
	}
	c := copier{}
	v := reflect.ValueOf(data)
	if p := planFor(v.Type()); p.how == pointer && !v.IsNil() && p.elem.how == record {
		out := reflect.New(v.Elem().Type())
		s.copyFields(&c, out.Elem(), v.Elem(), p.elem)
		v = out
	} else {
		v = c.copy(v, p, 0)
	}
	if c.tooDeep {
		return nil, false, fmt.Errorf("the template data is nested more than %d deep", snapshotDepth)
	}
	return v.Interface(), !c.nonJSON, nil
}

// copyFields copies the struct v into out field by field, taking kept copies of its JSON
// fields where they still equal v's.
func (s *snapshots) copyFields(c *copier, out, v reflect.Value, p *copyPlan) {
	out.Set(v)
	for _, f := range p.fields {
		src := v.Field(f.index)
		switch f.plan.how {
		case viaAny, jsonMap, jsonList:
			if k, ok := s.kept[f.index]; ok && k.Type() == src.Type() && jsonEqual(src.Interface(), k.Interface()) {
				out.Field(f.index).Set(k)
				continue
			}
			k := c.copy(src, f.plan, 1)
			if s.kept == nil {
				s.kept = map[int]reflect.Value{}
			}
			s.kept[f.index] = k
			out.Field(f.index).Set(k)
		default:
			out.Field(f.index).Set(c.copy(src, f.plan, 1))
		}
	}
}

// snapshot is a copy of data made by snapshots of its own.
func snapshot(data any) (any, error) {
	own, _, err := (&snapshots{}).take(data)
	return own, err
}

// jsonEqual reports whether a and b are equal values made of what JSON decodes to (maps,
// lists, strings, numbers, booleans, nil), nil maps and lists apart from empty ones; for
// anything else it reports false.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) || (a == nil) != (b == nil) {
			return false
		}
		for k, e := range a {
			if f, ok := b[k]; !ok || !jsonEqual(e, f) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) || (a == nil) != (b == nil) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	case string:
		b, ok := b.(string)
		return ok && a == b
	case float64:
		b, ok := b.(float64)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case int64:
		b, ok := b.(int64)
		return ok && a == b
	case int:
		b, ok := b.(int)
		return ok && a == b
	case nil:
		return b == nil
	}
	return false
}

type copier struct {
	tooDeep bool
	nonJSON bool // an empty interface held something JSON does not decode to
}

func (c *copier) copy(v reflect.Value, p *copyPlan, depth int) reflect.Value {
	if depth > snapshotDepth {
		c.tooDeep = true
		return v
	}
	switch p.how {
	case asIs:
		return v
	case viaAny:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(reflect.ValueOf(c.copyAny(v.Interface(), depth+1)))
		return out
	case viaInterface:
		if v.IsNil() {
			return v
		}
		e := v.Elem()
		out := reflect.New(v.Type()).Elem()
		out.Set(c.copy(e, planFor(e.Type()), depth+1))
		return out
	case inUTC:
		return reflect.ValueOf(v.Interface().(time.Time).UTC())
	case viaClone:
		if v.IsNil() {
			return v
		}
		return reflect.ValueOf(proto.Clone(v.Interface().(proto.Message)))
	case viaDeepCopy:
		return p.deepCopy.Call([]reflect.Value{v})[0]
	case viaDeepCopyInto:
		src := v
		if !src.CanAddr() {
			src = reflect.New(v.Type()).Elem()
			src.Set(v)
		}
		out := reflect.New(v.Type())
		p.deepCopy.Call([]reflect.Value{src.Addr(), out})
		fixTimes(out.Elem(), p)
		return out.Elem()
	case jsonMap, jsonList, stringMap:
		if v.IsNil() {
			return v
		}
		return reflect.ValueOf(c.copyAny(v.Interface(), depth))
	}
	return c.copyContainer(v, p, depth)
}

// copyContainer is copy for pointers, maps, lists, arrays and structs, element by element.
func (c *copier) copyContainer(v reflect.Value, p *copyPlan, depth int) reflect.Value {
	switch p.how {
	case pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(c.copy(v.Elem(), p.elem, depth+1))
		return out
	case mapping:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(c.copy(it.Key(), p.key, depth+1), c.copy(it.Value(), p.elem, depth+1))
		}
		return out
	case list:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		c.copyElems(out, v, p.elem, depth)
		return out
	case array:
		out := reflect.New(v.Type()).Elem()
		c.copyElems(out, v, p.elem, depth)
		return out
	case record:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for _, f := range p.fields {
			out.Field(f.index).Set(c.copy(v.Field(f.index), f.plan, depth+1))
		}
		return out
	}
	return v
}

// copyElems copies the elements of the list v into out, of the same length.
func (c *copier) copyElems(out, v reflect.Value, elem *copyPlan, depth int) {
	if elem.how == asIs {
		reflect.Copy(out, v)
		return
	}
	for i := range v.Len() {
		out.Index(i).Set(c.copy(v.Index(i), elem, depth+1))
	}
}

// copyAny copies a value held by an interface: the values JSON and YAML decode to (the
// injector's values) without reflection, others by their plan.
func (c *copier) copyAny(x any, depth int) any {
	if depth > snapshotDepth {
		c.tooDeep = true
		return x
	}
	switch x := x.(type) {
	case nil, string, bool, float64, int64, int:
		return x
	case map[string]any:
		if x == nil {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = c.copyAny(e, depth+1)
		}
		return out
	case []any:
		if x == nil {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = c.copyAny(e, depth+1)
		}
		return out
	case map[string]string:
		return maps.Clone(x)
	}
	c.nonJSON = true
	v := reflect.ValueOf(x)
	return c.copy(v, planFor(v.Type()), depth).Interface()
}
