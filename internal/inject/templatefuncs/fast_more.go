package templatefuncs

import (
	"reflect"

	"google.golang.org/protobuf/proto"
)

// wrapFastPriced meters the other signatures injection templates call often (isset,
// join, append, ternary, omitNil, first, coalesce, compact, excludeInboundPort,
// protoToJSON) without reflect.MakeFunc. It prices them exactly as wrap does, whatever
// their pricing: the arguments and the result go through call and priceResult. ok is
// false for other signatures.
func (m *meter) wrapFastPriced(name string, fn any, g guard, p pricing) (wrapped any, ok bool) {
	switch f := fn.(type) {
	case func(map[string]string, string) bool:
		return func(a map[string]string, b string) bool {
			m.call(name, p, g, values(a, b))
			return m.result(name, p, f(a, b)).(bool)
		}, true
	case func(string, any) string:
		return func(a string, b any) string {
			m.call(name, p, g, values(a, b))
			return m.result(name, p, f(a, b)).(string)
		}, true
	case func(any, string) string:
		return func(a any, b string) string {
			m.call(name, p, g, values(a, b))
			return m.result(name, p, f(a, b)).(string)
		}, true
	case func(any, any) []any:
		return func(a, b any) []any {
			m.call(name, p, g, values(a, b))
			return m.list(name, p, f(a, b))
		}, true
	case func(any) []any:
		return func(a any) []any {
			m.call(name, p, g, values(a))
			return m.list(name, p, f(a))
		}, true
	case func(any, any, bool) any:
		return func(a, b any, c bool) any {
			m.call(name, p, g, values(a, b, c))
			return m.result(name, p, f(a, b, c))
		}, true
	case func(any) any:
		return func(a any) any {
			m.call(name, p, g, values(a))
			return m.result(name, p, f(a))
		}, true
	case func(...any) any:
		return func(a ...any) any {
			m.call(name, p, g, []reflect.Value{reflect.ValueOf(a)})
			return m.result(name, p, f(a...))
		}, true
	case func(proto.Message) string:
		return func(a proto.Message) string {
			m.call(name, p, g, []reflect.Value{reflect.ValueOf(&a).Elem()})
			return m.result(name, p, f(a)).(string)
		}, true
	}
	return nil, false
}

// result charges a call's result as wrap does (priceResult) and returns it.
func (m *meter) result(name string, p pricing, r any) any {
	m.priceResult(name, p, reflect.ValueOf(r))
	return r
}

// list is result for a list: a nil list stays a typed nil.
func (m *meter) list(name string, p pricing, r []any) []any {
	m.priceResult(name, p, reflect.ValueOf(r))
	return r
}
