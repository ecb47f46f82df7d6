package templatefuncs

import (
	"fmt"
	"maps"
	"reflect"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
)

// snapshotDepth is how deeply template data may nest to be copied: encoding/json's own
// limit, so any data read from JSON or YAML is copied.
const snapshotDepth = 10000

// snapshot returns a deep copy of a template's data, for one execution. Every map, slice,
// pointer and interface in it is new, so nothing the execution does (a function that
// sorts or changes what it is given, a method that changes its receiver) reaches the data
// its caller holds, which other executions share. Protocol buffers are copied with
// proto.Clone, values whose type has a DeepCopy method returning its type (Kubernetes'
// quantities, which hold unexported pointers) with it, and times are converted to UTC:
// a pod's timestamps are read in the machine's time zone, and rendering must not depend
// on it.
func snapshot(data any) (any, error) {
	if data == nil {
		return nil, nil
	}
	c := copier{}
	v := reflect.ValueOf(data)
	v = c.copy(v, planFor(v.Type()), 0)
	if c.tooDeep {
		return nil, fmt.Errorf("the template data is nested more than %d deep", snapshotDepth)
	}
	return v.Interface(), nil
}

type copier struct{ tooDeep bool }

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
	case jsonMap, jsonList, stringMap:
		if v.IsNil() {
			return v
		}
		return reflect.ValueOf(c.copyAny(v.Interface(), depth))
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
	v := reflect.ValueOf(x)
	return c.copy(v, planFor(v.Type()), depth).Interface()
}

// copyHow is how values of a type are copied.
type copyHow int

const (
	asIs         copyHow = iota // nothing in them can change: numbers, strings, structs of them
	viaAny                      // an empty interface: by what it holds
	viaInterface                // another interface: by what it holds
	inUTC                       // a time: converted to UTC
	viaClone                    // a protocol buffer: proto.Clone
	viaDeepCopy                 // a type with its own DeepCopy() T
	jsonMap                     // map[string]any
	jsonList                    // []any
	stringMap                   // map[string]string
	pointer
	mapping
	list
	array
	record // a struct: by value, then its exported fields that need copying
)

// copyPlan is how to copy a type, found once per type.
type copyPlan struct {
	how       copyHow
	key, elem *copyPlan // of maps, lists, arrays and pointers
	fields    []fieldPlan
	deepCopy  reflect.Value // the DeepCopy method, as a function of the receiver
}

type fieldPlan struct {
	index int
	plan  *copyPlan
}

var (
	plans     sync.Map   // reflect.Type -> *copyPlan, complete
	planning  sync.Mutex // held while plans are made
	timeType  = reflect.TypeFor[time.Time]()
	protoType = reflect.TypeFor[proto.Message]()
)

func planFor(t reflect.Type) *copyPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*copyPlan)
	}
	planning.Lock()
	defer planning.Unlock()
	made := map[reflect.Type]*copyPlan{}
	p := makePlan(t, made)
	for t, p := range made {
		plans.Store(t, p)
	}
	return p
}

// makePlan makes the plan of t and of the types it holds, into made (a type holding
// itself through a pointer, list or map finds its own plan there).
func makePlan(t reflect.Type, made map[reflect.Type]*copyPlan) *copyPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*copyPlan)
	}
	if p, ok := made[t]; ok {
		return p
	}
	p := &copyPlan{}
	made[t] = p
	if m, ok := t.MethodByName("DeepCopy"); ok && t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface &&
		m.Type.NumIn() == 1 && m.Type.NumOut() == 1 && m.Type.Out(0) == t {
		p.how, p.deepCopy = viaDeepCopy, m.Func
		return p
	}
	switch t.Kind() {
	case reflect.Interface:
		p.how = viaInterface
		if t.NumMethod() == 0 {
			p.how = viaAny
		}
	case reflect.Pointer:
		p.how = viaClone
		if !t.Implements(protoType) {
			p.how, p.elem = pointer, makePlan(t.Elem(), made)
		}
	case reflect.Map:
		p.how, p.key, p.elem = mapping, makePlan(t.Key(), made), makePlan(t.Elem(), made)
		switch t {
		case reflect.TypeFor[map[string]any]():
			p.how = jsonMap
		case reflect.TypeFor[map[string]string]():
			p.how = stringMap
		}
	case reflect.Slice:
		p.how, p.elem = list, makePlan(t.Elem(), made)
		if t == reflect.TypeFor[[]any]() {
			p.how = jsonList
		}
	case reflect.Array:
		if p.elem = makePlan(t.Elem(), made); p.elem.how != asIs {
			p.how = array
		}
	case reflect.Struct:
		if t == timeType {
			p.how = inUTC
			break
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				if fp := makePlan(f.Type, made); fp.how != asIs {
					p.how = record
					p.fields = append(p.fields, fieldPlan{index: i, plan: fp})
				}
			}
		}
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		// Nothing a template can change through them.
	}
	return p
}
