package templatefuncs

import (
	"fmt"
	"io"
	"reflect"
)

// The budget of one template execution. It counts what the template does, not time, so a
// template stops at the same point on every machine.
const (
	// fuelLimit is what one execution may spend, in units of about a byte of memory:
	// every value a function is given or returns costs its size, every byte of output one
	// unit, every function call stepCost, and every loop iteration and template call
	// stepCost and nodeCost for each node of its body (see stepFunc).
	fuelLimit = 32 << 20
	stepCost  = 256
	// outputLimit caps what one execution writes: far more than a pod Kubernetes can
	// store (etcd takes objects up to 1.5 MiB).
	outputLimit = 4 << 20
	// maxDepth is how deeply a value may nest (encoding/json stops at 1000 too).
	maxDepth = 1000
)

// BudgetError says that a template execution went over its budget, and where.
type BudgetError struct{ What string }

func (e *BudgetError) Error() string {
	return fmt.Sprintf("template execution stopped: %s (a template may spend %d MiB on values and output, "+
		"%d MiB of output, values nested %d deep)", e.What, fuelLimit>>20, outputLimit>>20, maxDepth)
}

// meter counts what one execution spends, and which maps it made (the only ones its
// functions may change). Each executor has its own.
type meter struct {
	spent int64
	owned map[uintptr]bool
}

func (m *meter) reset() {
	m.spent = 0
	clear(m.owned)
}

func (m *meter) left() int64 { return fuelLimit - m.spent }

// charge spends n units, or fails naming what went over.
func (m *meter) charge(n int64, what func() string) error {
	m.spent += n
	if m.spent > fuelLimit {
		return &BudgetError{What: what()}
	}
	return nil
}

// mustCharge is charge for the metered functions, which fail by panicking:
// text/template turns a panic in a function into the error of the execution, and a
// function that keeps its own signature costs no more to call than the original.
func (m *meter) mustCharge(n int64, what func() string) {
	must(m.charge(n, what))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// nodeCost is what a step charges for each node of the body it starts.
const nodeCost = 16

// step is stepFunc: a pass through a body of weight nodes costs stepCost and nodeCost
// per node. Its result is assigned, not printed; a zero-size result costs text/template
// no allocation.
func (m *meter) step(weight int) struct{} {
	m.mustCharge(stepCost+nodeCost*int64(weight), func() string {
		return "too many steps (loop iterations, template calls)"
	})
	return struct{}{}
}

// wrap returns fn metered by m: a call costs stepCost plus the size of its arguments and
// of its result (see pricings), and panics with an error once the execution is over
// budget (see mustCharge). guard, when set, prices the result before the call, for
// functions whose result can be far larger than their arguments (until, repeat, indent,
// ...): they fail before they allocate.
func (m *meter) wrap(name string, fn any, guard guard) any {
	fv := reflect.ValueOf(fn)
	ft := fv.Type()
	if ft.Kind() != reflect.Func || ft.NumOut() == 0 || ft.NumOut() > 2 {
		return fn // not a template function; text/template rejects it as it would have
	}
	p := pricings[name]
	if w, ok := m.wrapFast(name, fn, guard, p); ok {
		return w
	}
	return m.wrapReflect(name, fn, guard, p)
}

// wrapReflect is wrap for any signature, through reflect.MakeFunc.
func (m *meter) wrapReflect(name string, fn any, guard guard, p pricing) any {
	fv := reflect.ValueOf(fn)
	ft := fv.Type()
	return reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
		m.call(name, p, guard, args)
		var res []reflect.Value
		if ft.IsVariadic() {
			res = fv.CallSlice(args)
		} else {
			res = fv.Call(args)
		}
		if len(res) == 2 && !res[1].IsNil() {
			return res
		}
		m.priceResult(name, p, res[0])
		return res
	}).Interface()
}

// priceResult charges a call's result (see pricings), and notes the maps it made.
func (m *meter) priceResult(name string, p pricing, res reflect.Value) {
	n := shallowSize(res)
	switch {
	case p == parsed:
		n = (&sizer{limit: m.left(), record: m.owned}).size(res, 0)
	case p == remade:
		n = (&sizer{limit: m.left()}).size(res, 0)
	case newMaps[name]:
		(&sizer{limit: fuelLimit, record: m.owned}).size(res, 0) // priced by its argument
	case newMap[name]:
		m.owned[mapPointer(res)] = true
	}
	m.mustCharge(n, func() string { return "the value " + name + " returned is too large" })
}

// call prices a call's arguments before it (see pricings and guards), panicking when it
// goes over budget.
func (m *meter) call(name string, p pricing, g guard, args []reflect.Value) {
	cost, err := m.priceArgs(name, p, args)
	must(err)
	m.mustCharge(cost, func() string { return "the arguments of " + name + " are too large" })
	if g != nil {
		must(m.checkGuard(name, g, args))
	}
}

// checkOwned fails unless the map a mutator changes (and, for a merge, every map in it)
// was made by this execution: the template's data, the injector's values in particular,
// is shared by every workload the injector renders, some at the same time.
func (m *meter) checkOwned(name string, dst reflect.Value) error {
	foreign := !m.owned[mapPointer(dst)]
	if !foreign && deepMutators[name] {
		s := &sizer{limit: m.left(), owned: m.owned}
		s.size(dst, 0)
		foreign = s.foreign
	}
	if foreign {
		return fmt.Errorf("%s would change a map of the template data, which every workload shares: change a copy (deepCopy)", name)
	}
	return nil
}

// checkGuard fails when the guard prices a call's result above what is left.
func (m *meter) checkGuard(name string, g guard, args []reflect.Value) error {
	if n := g(args); n > m.left() {
		return &BudgetError{What: fmt.Sprintf("%s would make a value of about %d bytes", name, n)}
	}
	return nil
}

// priceArgs is what a call's arguments cost: their shallow size, or for builders and
// mutators the size of everything they hold. A mutator must change only maps this
// execution made, and must not put the map it changes into itself.
func (m *meter) priceArgs(name string, p pricing, args []reflect.Value) (int64, error) {
	cost := int64(stepCost)
	if p == mutated {
		if err := m.checkOwned(name, args[0]); err != nil {
			return 0, err
		}
	}
	for i, a := range args {
		switch {
		case p == built || p == remade:
			cost += (&sizer{limit: m.left() - cost, structs: deepCopies[name]}).size(a, 0)
		case p == mutated && i > 0:
			s := &sizer{limit: m.left() - cost, avoid: mapPointer(args[0])}
			cost += s.size(a, 0)
			if s.cycle {
				return 0, fmt.Errorf("%s would put a map into itself", name)
			}
		default:
			cost += shallowSize(a)
		}
	}
	return cost, nil
}

// limitedWriter charges every byte of output and stops at outputLimit.
type limitedWriter struct {
	w       io.Writer
	m       *meter
	written int64
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.written += int64(len(p))
	if l.written > outputLimit {
		return 0, &BudgetError{What: fmt.Sprintf("the output is larger than %d MiB", outputLimit>>20)}
	}
	if err := l.m.charge(int64(len(p)), func() string { return "too much output" }); err != nil {
		return 0, err
	}
	return l.w.Write(p)
}
