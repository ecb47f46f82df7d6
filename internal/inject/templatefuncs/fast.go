package templatefuncs

import (
	"reflect"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// wrapFast meters the functions of the most common signatures (quote, default, printf,
// annotation, toJson, ... are most of the calls injection templates make) without
// reflect.MakeFunc, which costs a second reflective call and allocations per call. It
// prices them as wrap does shallow functions, and panics as wrap does; ok is false for
// other signatures.
func (m *meter) wrapFast(name string, fn any, g guard, p pricing) (wrapped any, ok bool) {
	if p != shallow {
		return m.wrapFastBuilder(name, fn, g, p)
	}
	if w, ok := m.wrapFastText(name, fn, g); ok {
		return w, true
	}
	return m.wrapFastValues(name, fn, g)
}

// wrapFastText is wrapFast for the signatures whose arguments are text (and an int or
// an ObjectMeta), whose guard is always checked.
func (m *meter) wrapFastText(name string, fn any, g guard) (wrapped any, ok bool) {
	switch f := fn.(type) {
	case func(string) string:
		return func(a string) string {
			m.pre(name, strSize(a))
			if g != nil {
				must(m.checkGuard(name, g, values(a)))
			}
			return m.str(name, f(a))
		}, true
	case func(string, string) string:
		return func(a, b string) string {
			m.pre(name, strSize(a)+strSize(b))
			if g != nil {
				must(m.checkGuard(name, g, values(a, b)))
			}
			return m.str(name, f(a, b))
		}, true
	case func(string, string) bool:
		return func(a, b string) bool {
			m.pre(name, strSize(a)+strSize(b))
			if g != nil {
				must(m.checkGuard(name, g, values(a, b)))
			}
			return m.any(name, f(a, b)).(bool)
		}, true
	case func(int, string) string:
		return func(a int, b string) string {
			m.pre(name, 8+strSize(b))
			if g != nil {
				must(m.checkGuard(name, g, values(a, b)))
			}
			return m.str(name, f(a, b))
		}, true
	case func(metav1.ObjectMeta, string, any) string:
		return func(a metav1.ObjectMeta, b string, c any) string {
			m.pre(name, 8+strSize(b)+anySize(c))
			if g != nil {
				must(m.checkGuard(name, g, values(a, b, c)))
			}
			return m.str(name, f(a, b, c))
		}, true
	}
	return nil, false
}

// wrapFastValues is wrapFast for the signatures that take any values; the guard of a
// text function (textGuards) or of printf with a plain format is skipped for flat
// arguments that fit.
func (m *meter) wrapFastValues(name string, fn any, g guard) (wrapped any, ok bool) {
	switch f := fn.(type) {
	case func(any) string:
		return func(a any) string {
			m.pre(name, anySize(a))
			if g != nil && !(textGuards[name] && m.flatFits(a)) {
				must(m.checkGuard(name, g, values(a)))
			}
			return m.str(name, f(a))
		}, true
	case func(...any) string:
		return func(a ...any) string {
			m.pre(name, listSize(a))
			if g != nil && !(textGuards[name] && m.flatFits(a...)) {
				must(m.checkGuard(name, g, values(a)))
			}
			return m.str(name, f(a...))
		}, true
	case func(string, ...any) string:
		return func(a string, b ...any) string {
			m.pre(name, strSize(a)+listSize(b))
			if g != nil && !(name == "printf" && plainFormat(a) && m.flatFits(b...) && m.flatFits(a)) {
				must(m.checkGuard(name, g, values(a, b)))
			}
			return m.str(name, f(a, b...))
		}, true
	case func(any, ...any) any:
		return func(a any, b ...any) any {
			m.pre(name, anySize(a)+listSize(b))
			if g != nil {
				must(m.checkGuard(name, g, values(a, b)))
			}
			return m.any(name, f(a, b...))
		}, true
	case func(any, any) any:
		return func(a, b any) any {
			m.pre(name, anySize(a)+anySize(b))
			if g != nil {
				must(m.checkGuard(name, g, values(a, b)))
			}
			return m.any(name, f(a, b))
		}, true
	}
	return nil, false
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

// pre charges a call stepCost and its arguments' size.
func (m *meter) pre(name string, argsSize int64) {
	m.mustCharge(stepCost+argsSize, func() string { return "the arguments of " + name + " are too large" })
}

// wrapFastBuilder is wrapFast for set, dict and list, which the built-in templates call
// most among the functions priced by walking their arguments.
func (m *meter) wrapFastBuilder(name string, fn any, g guard, p pricing) (wrapped any, ok bool) {
	switch f := fn.(type) {
	case func(map[string]any, string, any) map[string]any:
		return func(d map[string]any, k string, v any) map[string]any {
			m.call(name, p, g, values(d, k, v))
			r := f(d, k, v)
			m.priceResult(name, p, reflect.ValueOf(r))
			return r
		}, true
	case func(...any) map[string]any:
		return func(a ...any) map[string]any {
			m.call(name, p, g, values(a))
			r := f(a...)
			m.priceResult(name, p, reflect.ValueOf(r))
			return r
		}, true
	case func(...any) []any:
		return func(a ...any) []any {
			m.call(name, p, g, values(a))
			r := f(a...)
			m.priceResult(name, p, reflect.ValueOf(r))
			return r
		}, true
	}
	return nil, false
}

// str and any charge a function's result.
func (m *meter) str(name string, r string) string {
	m.mustCharge(strSize(r), func() string { return "the value " + name + " returned is too large" })
	return r
}

func (m *meter) any(name string, r any) any {
	m.mustCharge(anySize(r), func() string { return "the value " + name + " returned is too large" })
	return r
}

func strSize(s string) int64 { return 16 + int64(len(s)) }
func anySize(a any) int64    { return shallowSize(reflect.ValueOf(a)) }
func listSize(l []any) int64 { return 24 + 16*int64(len(l)) }

func values(args ...any) []reflect.Value {
	vals := make([]reflect.Value, len(args))
	for i, a := range args {
		vals[i] = reflect.ValueOf(a)
	}
	return vals
}
