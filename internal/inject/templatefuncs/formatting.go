package templatefuncs

import (
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// formatting are the functions that format values they are given with fmt, found by
// TestNoFunctionPrintsAnAddress: print, printf, println, cat, toString, quote, squote,
// toStrings, sortAlpha and join format their arguments, dict its keys, annotation its
// default and excludeInboundPort its port; html, js and urlquery print theirs as actions
// do (pointers at the top followed).
var formatting = map[string]bool{
	"print": true, "printf": true, "println": true, "cat": true, "toString": true, "quote": true,
	"squote": true, "toStrings": true, "sortAlpha": true, "join": true, "dict": true,
	"annotation": true, "excludeInboundPort": true, "html": true, "js": true, "urlquery": true,
}

// formatChecked returns fn, a formatting function, failing instead when what it would
// format holds a memory address or a protocol buffer (see printable). It keeps fn's type,
// so the meter's wrappers apply as to fn; other functions are returned as they are.
func formatChecked(name string, fn any) any {
	if !formatting[name] {
		return fn
	}
	follow := name == "html" || name == "js" || name == "urlquery"
	switch f := fn.(type) {
	case func(...any) string: // print, println, cat, quote, squote, html, js, urlquery
		return func(a ...any) string {
			for _, x := range a {
				must(printable(reflect.ValueOf(x), 'v', follow))
			}
			return f(a...)
		}
	case func(string, ...any) string: // printf
		return func(format string, a ...any) string {
			args := make([]reflect.Value, len(a))
			for i, x := range a {
				args[i] = reflect.ValueOf(x)
			}
			must(checkPrintf(format, args))
			return f(format, a...)
		}
	case func(any) string: // toString
		return func(a any) string { must(printable(reflect.ValueOf(a), 'v', false)); return f(a) }
	case func(any) []string: // toStrings, sortAlpha: each element
		return func(a any) []string { must(printableElems(a)); return f(a) }
	case func(string, any) string: // join: each element
		return func(sep string, a any) string { must(printableElems(a)); return f(sep, a) }
	case func(any, string) string: // excludeInboundPort
		return func(a any, s string) string { must(printable(reflect.ValueOf(a), 'v', false)); return f(a, s) }
	case func(metav1.ObjectMeta, string, any) string: // annotation's default
		return func(m metav1.ObjectMeta, k string, d any) string {
			must(printable(reflect.ValueOf(d), 'v', false))
			return f(m, k, d)
		}
	case func(...any) map[string]any: // dict's keys
		return func(a ...any) map[string]any {
			for i := 0; i < len(a); i += 2 {
				must(printable(reflect.ValueOf(a[i]), 'v', false))
			}
			return f(a...)
		}
	}
	panic("templatefuncs: formatting function " + name + " of an unexpected type")
}

// printableElems checks each element of a list as fmt prints it alone (strval), or a
// value that is not a list as a whole.
func printableElems(a any) error {
	v := reflect.ValueOf(a)
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return printable(v, 'v', false)
	}
	for i := range v.Len() {
		if err := printable(v.Index(i), 'v', false); err != nil {
			return err
		}
	}
	return nil
}
