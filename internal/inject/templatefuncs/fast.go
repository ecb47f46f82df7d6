package templatefuncs

import (
	"reflect"
	"strings"

	"google.golang.org/protobuf/proto"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// wrapFast meters the functions of the signatures injection templates call most (quote,
// default, printf, annotation, toJson, isset, set, dict, ... are most of their calls)
// without reflect.MakeFunc, which costs a second reflective call and allocations per
// call; ok is false for other signatures, which wrapReflect meters.
//
// This switch is the one table of those signatures, and fast1, fast2, fast3, fastV and
// fast1V the only wrappers they get: every one charges what the reflective wrapper
// charges, through the same functions (priceShallow and sizeOf for functions priced
// shallow, call and priceResult for the others), so the two cannot price a function
// differently; TestFastWrappersPriceAsReflection checks every function both ways.
func (m *meter) wrapFast(name string, fn any, g guard, p pricing) (wrapped any, ok bool) {
	switch f := fn.(type) {
	case func(string) string:
		return fast1(m, name, f, g, p), true
	case func(any) string:
		return fast1(m, name, f, g, p), true
	case func(any) []any:
		return fast1(m, name, f, g, p), true
	case func(any) any:
		return fast1(m, name, f, g, p), true
	case func(proto.Message) string:
		return fast1(m, name, f, g, p), true
	case func(string, string) string:
		return fast2(m, name, f, g, p), true
	case func(string, string) bool:
		return fast2(m, name, f, g, p), true
	case func(int, string) string:
		return fast2(m, name, f, g, p), true
	case func(string, any) string:
		return fast2(m, name, f, g, p), true
	case func(any, string) string:
		return fast2(m, name, f, g, p), true
	case func(any, any) any:
		return fast2(m, name, f, g, p), true
	case func(any, any) []any:
		return fast2(m, name, f, g, p), true
	case func(map[string]string, string) bool:
		return fast2(m, name, f, g, p), true
	case func(metav1.ObjectMeta, string, any) string:
		return fast3(m, name, f, g, p), true
	case func(any, any, bool) any:
		return fast3(m, name, f, g, p), true
	case func(map[string]any, string, any) map[string]any:
		return fast3(m, name, f, g, p), true
	case func(...any) string:
		return fastV(m, name, f, g, p), true
	case func(...any) any:
		return fastV(m, name, f, g, p), true
	case func(...any) []any:
		return fastV(m, name, f, g, p), true
	case func(...any) map[string]any:
		return fastV(m, name, f, g, p), true
	case func(string, ...any) string:
		return fast1V(m, name, f, g, p), true
	case func(any, ...any) any:
		return fast1V(m, name, f, g, p), true
	}
	return nil, false
}

// fast1 meters f, a function of one argument, as wrapReflect does.
func fast1[A, R any](m *meter, name string, f func(A) R, g guard, p pricing) func(A) R {
	if !shallowOnly(name, p) {
		return func(a A) R {
			m.call(name, p, g, []reflect.Value{valueOf(a)})
			return priced(m, name, p, f(a))
		}
	}
	return func(a A) R {
		m.priceShallow(name, sizeOf(a))
		if g != nil && !m.guardFits(name, a) {
			must(m.checkGuard(name, g, []reflect.Value{valueOf(a)}))
		}
		return shallowResult(m, name, f(a))
	}
}

// fast2 meters f, a function of two arguments, as wrapReflect does.
func fast2[A, B, R any](m *meter, name string, f func(A, B) R, g guard, p pricing) func(A, B) R {
	if !shallowOnly(name, p) {
		return func(a A, b B) R {
			m.call(name, p, g, []reflect.Value{valueOf(a), valueOf(b)})
			return priced(m, name, p, f(a, b))
		}
	}
	return func(a A, b B) R {
		m.priceShallow(name, sizeOf(a)+sizeOf(b))
		if g != nil && !m.guardFits(name, a, b) {
			must(m.checkGuard(name, g, []reflect.Value{valueOf(a), valueOf(b)}))
		}
		return shallowResult(m, name, f(a, b))
	}
}

// fast3 meters f, a function of three arguments, as wrapReflect does.
func fast3[A, B, C, R any](m *meter, name string, f func(A, B, C) R, g guard, p pricing) func(A, B, C) R {
	if !shallowOnly(name, p) {
		return func(a A, b B, c C) R {
			m.call(name, p, g, []reflect.Value{valueOf(a), valueOf(b), valueOf(c)})
			return priced(m, name, p, f(a, b, c))
		}
	}
	return func(a A, b B, c C) R {
		m.priceShallow(name, sizeOf(a)+sizeOf(b)+sizeOf(c))
		if g != nil && !m.guardFits(name, a, b, c) {
			must(m.checkGuard(name, g, []reflect.Value{valueOf(a), valueOf(b), valueOf(c)}))
		}
		return shallowResult(m, name, f(a, b, c))
	}
}

// fastV meters f, a variadic function of any values, as wrapReflect does: its arguments
// are one list.
func fastV[R any](m *meter, name string, f func(...any) R, g guard, p pricing) func(...any) R {
	if !shallowOnly(name, p) {
		return func(a ...any) R {
			m.call(name, p, g, []reflect.Value{reflect.ValueOf(a)})
			return priced(m, name, p, f(a...))
		}
	}
	return func(a ...any) R {
		m.priceShallow(name, sizeOf(a))
		if g != nil && !m.guardFits(name, a...) {
			must(m.checkGuard(name, g, []reflect.Value{reflect.ValueOf(a)}))
		}
		return shallowResult(m, name, f(a...))
	}
}

// fast1V meters f, a function of one argument and any values, as wrapReflect does.
func fast1V[A, R any](m *meter, name string, f func(A, ...any) R, g guard, p pricing) func(A, ...any) R {
	if !shallowOnly(name, p) {
		return func(a A, b ...any) R {
			m.call(name, p, g, []reflect.Value{valueOf(a), reflect.ValueOf(b)})
			return priced(m, name, p, f(a, b...))
		}
	}
	return func(a A, b ...any) R {
		m.priceShallow(name, sizeOf(a)+sizeOf(b))
		if g != nil && !m.formatFits(name, a, b) {
			must(m.checkGuard(name, g, []reflect.Value{valueOf(a), reflect.ValueOf(b)}))
		}
		return shallowResult(m, name, f(a, b...))
	}
}

// shallowOnly reports whether a function's call is priced by the shallow size of its
// arguments and result alone (see priceArgs and priceResult): it is priced shallow and
// notes no maps it makes.
func shallowOnly(name string, p pricing) bool {
	return p == shallow && !newMap[name] && !newMaps[name]
}

// valueOf is x as the reflect.Value text/template gives the reflective wrapper: of type
// T, an interface type staying one (a guard may price a value held by an interface
// otherwise than the value itself). Only a value of an interface type is copied to the
// heap for it.
func valueOf[T any](x T) reflect.Value {
	if reflect.TypeFor[T]().Kind() != reflect.Interface {
		return reflect.ValueOf(any(x))
	}
	return interfaceValue(x)
}

// interfaceValue is valueOf for a value of an interface type.
func interfaceValue[T any](x T) reflect.Value { return reflect.ValueOf(&x).Elem() }

// priced charges a result as wrapReflect does (priceResult) and returns it.
func priced[R any](m *meter, name string, p pricing, r R) R {
	m.priceResult(name, p, valueOf(r))
	return r
}

// shallowResult charges the result of a function priced shallow, as priceResult does.
func shallowResult[R any](m *meter, name string, r R) R {
	m.mustCharge(sizeOf(r), func() string { return "the value " + name + " returned is too large" })
	return r
}

// sizeOf is shallowSize of x, a value of type T, without reflection for the types
// templates pass most.
func sizeOf[T any](x T) int64 {
	switch v := any(x).(type) {
	case string:
		return kindSize(reflect.String, len(v))
	case []any:
		return kindSize(reflect.Slice, len(v))
	case map[string]any:
		return kindSize(reflect.Map, len(v))
	case map[string]string:
		return kindSize(reflect.Map, len(v))
	case nil, bool, int, int64, float64, metav1.ObjectMeta:
		return kindSize(reflect.Invalid, 0)
	}
	return shallowSize(valueOf(x))
}

// priceShallow charges a call priced shallow stepCost and its arguments' size, as
// priceArgs does.
func (m *meter) priceShallow(name string, argsSize int64) {
	m.mustCharge(stepCost+argsSize, func() string { return "the arguments of " + name + " are too large" })
}

// guardFits reports whether the guard of a text function (textGuards) need not be
// checked: its arguments are text, numbers or booleans whose text fits (see flatFits).
func (m *meter) guardFits(name string, args ...any) bool {
	return textGuards[name] && m.flatFits(args...)
}

// formatFits is guardFits for printf, whose guard need not be checked either for a
// format without widths, precisions or indexes and such arguments.
func (m *meter) formatFits(name string, format any, args []any) bool {
	f, ok := format.(string)
	return name == "printf" && ok && plainFormat(f) && m.flatFits(args...) && m.flatFits(f)
}

// textGuards are the functions whose guard is the size of the text made of their
// arguments (see textSizer), which for text, numbers and booleans is at most flatFits'.
var textGuards = map[string]bool{
	"toJson": true, "toRawJson": true, "mustToJson": true, "mustToRawJson": true, "structToJSON": true,
	"toPrettyJson": true, "mustToPrettyJson": true, "toYaml": true, "toString": true, "cat": true,
	"print": true, "println": true, "quote": true, "squote": true, "html": true, "js": true, "urlquery": true,
}

// flatFits reports whether args are text, numbers, booleans or nil whose text fits half
// of what is left (see flatText): their guard then need not walk them.
func (m *meter) flatFits(args ...any) bool {
	n, ok := flatText(args...)
	return ok && n <= m.left()/2
}

// flatText is, when args are all text, numbers, booleans or nil, more than any text guard
// prices them, and more than printf makes of them with a verb without width or precision
// (%f of 1e308 is 316 bytes): 6 bytes a byte and 512 a value.
func flatText(args ...any) (n int64, ok bool) {
	for _, a := range args {
		switch a := a.(type) {
		case string:
			n += 512 + 6*int64(len(a))
		case nil, bool, int, int64, float64:
			n += 512
		default:
			return 0, false
		}
	}
	return n, true
}

// plainFormat reports whether a printf format has no width, precision or argument index:
// printf then makes about the text of its format and arguments (see flatText).
func plainFormat(format string) bool {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		for i++; i < len(format) && strings.IndexByte("#0+- ", format[i]) >= 0; i++ {
		}
		if i < len(format) && !('a' <= format[i] && format[i] <= 'z' || 'A' <= format[i] && format[i] <= 'Z' || format[i] == '%') {
			return false
		}
	}
	return true
}
