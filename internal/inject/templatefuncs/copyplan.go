package templatefuncs

import (
	"reflect"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
)

// copyHow is how values of a type are copied.
type copyHow int

const (
	asIs            copyHow = iota // nothing in them can change: numbers, strings, structs of them
	viaAny                         // an empty interface: by what it holds
	viaInterface                   // another interface: by what it holds
	inUTC                          // a time: converted to UTC
	viaClone                       // a protocol buffer: proto.Clone
	viaDeepCopy                    // a type with its own DeepCopy() T
	viaDeepCopyInto                // a struct whose pointer has DeepCopyInto(*T) (Kubernetes' API types)
	jsonMap                        // map[string]any
	jsonList                       // []any
	stringMap                      // map[string]string
	pointer
	mapping
	list
	array
	record // a struct: by value, then its exported fields that need copying
)

// copyPlan is how to copy a type, found once per type.
type copyPlan struct {
	how        copyHow
	key, elem  *copyPlan   // of maps, lists, arrays and pointers
	fields     []fieldPlan // of a struct: the exported fields that need copying
	times      bool        // values hold times (through exported fields, lists, maps, pointers)
	anys       bool        // values hold empty interfaces (which copyAny copies and checks)
	timeFields []fieldPlan // of a struct: the exported fields that hold times
	deepCopy   reflect.Value
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

func needsCopy(t reflect.Type) bool { return planFor(t).how != asIs }

func planFor(t reflect.Type) *copyPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*copyPlan)
	}
	planning.Lock()
	defer planning.Unlock()
	made := map[reflect.Type]*copyPlan{}
	p := makePlan(t, made)
	findTimes(made)
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
		planStruct(t, p, made)
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		// Nothing a template can change through them.
	}
	return p
}

// planStruct makes the plan of a struct type: a time, one copied by its own DeepCopyInto
// (generated code, much faster than reflection), or field by field.
func planStruct(t reflect.Type, p *copyPlan, made map[reflect.Type]*copyPlan) {
	if t == timeType {
		p.how, p.times = inUTC, true
		return
	}
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			if fp := makePlan(f.Type, made); fp.how != asIs {
				p.how = record
				p.fields = append(p.fields, fieldPlan{index: i, plan: fp})
			}
		}
	}
	pt := reflect.PointerTo(t)
	if m, ok := pt.MethodByName("DeepCopyInto"); ok && p.how != asIs &&
		m.Type.NumIn() == 2 && m.Type.In(1) == pt && m.Type.NumOut() == 0 {
		p.how, p.deepCopy = viaDeepCopyInto, m.Func
	}
}

// findTimes marks the plans whose values hold times and empty interfaces, until nothing
// changes (a type may hold itself). A struct holding empty interfaces is copied field by
// field, not by its DeepCopyInto, so that copyAny sees what they hold.
func findTimes(made map[reflect.Type]*copyPlan) {
	for changed := true; changed; {
		changed = false
		for _, p := range made {
			if p.how == viaClone || p.how == viaDeepCopy {
				continue
			}
			times := p.times || p.elem != nil && p.elem.times
			anys := p.anys || p.how == viaAny || p.how == jsonMap || p.how == jsonList || p.elem != nil && p.elem.anys
			p.timeFields = p.timeFields[:0]
			for _, f := range p.fields {
				anys = anys || f.plan.anys
				if f.plan.times {
					times = true
					p.timeFields = append(p.timeFields, f)
				}
			}
			if times != p.times || anys != p.anys {
				p.times, p.anys, changed = times, anys, true
			}
		}
	}
	for _, p := range made {
		if p.how == viaDeepCopyInto && p.anys {
			p.how = record
		}
	}
}

// fixTimes converts to UTC the times an addressable value holds, as plan p finds them.
func fixTimes(v reflect.Value, p *copyPlan) {
	if !p.times {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		if p.how == inUTC {
			v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
			return
		}
		for _, f := range p.timeFields {
			fixTimes(v.Field(f.index), f.plan)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			fixTimes(v.Elem(), p.elem)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			fixTimes(v.Index(i), p.elem)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			fixTimes(e, p.elem)
			v.SetMapIndex(it.Key(), e)
		}
	}
}
