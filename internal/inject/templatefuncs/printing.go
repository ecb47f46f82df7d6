package templatefuncs

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"text/template"
	"text/template/parse"
)

// fmt prints a pointer it does not follow (one inside a struct, a list or a map, or at
// the top but to a number or string) as its address, which changes from run to run; it
// prints a protocol buffer through its text format, which protobuf varies on purpose from
// build to build. A template may not print such values: an action printing one, and the
// functions that format what they are given (printf, print, toString, quote, dict's
// keys, ...; see formatting), stop the execution with an error instead.

// printFunc names the functions a template calls, through addPrintChecks, with the value
// of an action before printing it: one per action (printFunc0, printFunc1, ...), which
// knows where the action is for its error.
const printFunc = "_meshfnPrint"

// addPrintChecks makes the actions of list that may print more than text, numbers or
// booleans check what they print first: {{ X }} becomes {{ X | printFuncN }}, which prints
// exactly what {{ X }} did (a missing map key included: text/template hands the function
// the value as it is). Those actions are the ones in unsafe when it is set (see
// typeActions), else those whose value is not a constant or the result of a function
// returning text, a number or a boolean (fm gives the result types). checks gets the
// check functions; tree, which holds list, names the actions in their errors.
func addPrintChecks(tree *parse.Tree, list *parse.ListNode, fm template.FuncMap, unsafe map[*parse.ActionNode]bool, checks template.FuncMap) error {
	if list == nil {
		return nil
	}
	for _, n := range list.Nodes {
		for _, l := range childLists(n) {
			if err := addPrintChecks(tree, l, fm, unsafe, checks); err != nil {
				return err
			}
		}
		a, ok := n.(*parse.ActionNode)
		if !ok || len(a.Pipe.Decl) > 0 {
			continue
		}
		if unsafe != nil && !unsafe[a] || unsafe == nil && !mayHoldPointers(a.Pipe.Cmds[len(a.Pipe.Cmds)-1], fm) {
			continue
		}
		where, what := tree.ErrorContext(a)
		name := printFunc + strconv.Itoa(len(checks))
		checks[name] = checkPrinted(where + ": " + what)
		cmd := checkCommand.Copy().(*parse.CommandNode)
		cmd.Args[0].(*parse.IdentifierNode).Ident = name
		a.Pipe.Cmds = append(a.Pipe.Cmds, cmd)
	}
	return nil
}

// checkCommand is a command calling printFunc, to copy.
var checkCommand = template.Must(template.New(printFunc).Funcs(template.FuncMap{printFunc: fmt.Sprint}).
	Parse("{{ . | " + printFunc + " }}")).Tree.Root.Nodes[0].(*parse.ActionNode).Pipe.Cmds[1]

// childLists are the lists of nodes a node holds.
func childLists(n parse.Node) []*parse.ListNode {
	switch n := n.(type) {
	case *parse.IfNode:
		return []*parse.ListNode{n.List, n.ElseList}
	case *parse.RangeNode:
		return []*parse.ListNode{n.List, n.ElseList}
	case *parse.WithNode:
		return []*parse.ListNode{n.List, n.ElseList}
	}
	return nil
}

// mayHoldPointers reports whether the last command of an action may give something
// other than text, a number or a boolean: anything but a constant or a call of a
// function returning one.
func mayHoldPointers(cmd *parse.CommandNode, fm template.FuncMap) bool {
	switch first := cmd.Args[0].(type) {
	case *parse.StringNode, *parse.NumberNode, *parse.BoolNode:
		return false
	case *parse.IdentifierNode:
		if fn, ok := fm[first.Ident]; ok {
			t := reflect.TypeOf(fn)
			return t.NumOut() == 0 || !isScalar(t.Out(0).Kind())
		}
		switch first.Ident {
		case "not", "len", "eq", "ne", "lt", "le", "gt", "ge":
			return false
		}
	}
	return true
}

func isScalar(k reflect.Kind) bool {
	return k == reflect.String || isFlatKind(k)
}

// checkPrinted is the check of the action at where: its value, printed as text/template
// prints it (pointers followed, then through String or Error where the value or its
// address has one), must show no address.
func checkPrinted(where string) func(reflect.Value) (reflect.Value, error) {
	return func(v reflect.Value) (reflect.Value, error) {
		if err := printable(v, 'v', true); err != nil {
			return v, &PrintError{Where: where, Err: err}
		}
		return v, nil
	}
}

// PrintError says that an action of a template would print a value that changes from run
// to run (see printable).
type PrintError struct {
	Where string // the template, line and column of the action, and the action
	Err   error
}

func (e *PrintError) Error() string { return "template: " + e.Where + ": " + e.Err.Error() }
func (e *PrintError) Unwrap() error { return e.Err }

// errAddress says that a template would print a value holding a pointer.
var errAddress = errors.New("printing it would show a memory address, which changes from run to run " +
	"(print its fields, or toJson or toYaml it)")

// printable fails when fmt, formatting v with verb, would print a memory address or a
// protocol buffer's text format. follow is text/template's way of printing, which follows
// pointers at the top first (actions, html, js, urlquery).
func printable(v reflect.Value, verb rune, follow bool) error {
	if verb == 'T' || !v.IsValid() {
		return nil
	}
	if verb == 'p' {
		return fmt.Errorf("%%p prints a memory address, which changes from run to run")
	}
	for v.Kind() == reflect.Interface || (follow && v.Kind() == reflect.Pointer) {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	c := printCheck{methods: verb == 'v' || verb == 's' || verb == 'x' || verb == 'X' || verb == 'q'}
	if follow && v.CanAddr() && !v.Type().Implements(stringerType) && !v.Type().Implements(errorType) {
		// text/template prints through the address's String or Error, if it has one.
		if p := v.Addr(); p.Type().Implements(stringerType) || p.Type().Implements(errorType) {
			return c.check(p, 1)
		}
	}
	return c.check(v, 0)
}

type printCheck struct {
	methods bool // the verb prints values through their String or Error methods
	seen    map[uintptr]bool
}

func (c *printCheck) check(v reflect.Value, depth int) error {
	if depth > maxDepth {
		return &BudgetError{What: "a value to print is nested too deeply"}
	}
	t := v.Type()
	if isScalar(t.Kind()) {
		return nil
	}
	if t.Implements(protoType) || reflect.PointerTo(t).Implements(protoType) {
		if t.Kind() != reflect.Pointer || !v.IsNil() {
			return fmt.Errorf("the text format of a protocol buffer (%s) changes from build to build: print its fields, or protoToJSON it", t)
		}
	}
	if c.methods && v.CanInterface() && (t.Implements(stringerType) || t.Implements(errorType)) {
		return nil // fmt prints what its method returns
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		switch e := v.Elem(); e.Kind() {
		case reflect.Struct, reflect.Array, reflect.Slice, reflect.Map:
			if depth == 0 { // fmt prints &{...}
				return c.check(e, 1)
			}
		}
		return fmt.Errorf("a value of type %s: %w", t, errAddress)
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		if v.IsNil() {
			return nil
		}
		return fmt.Errorf("a value of type %s: %w", t, errAddress)
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return c.check(v.Elem(), depth+1)
	case reflect.Map:
		if v.IsNil() || c.visited(v.Pointer()) {
			return nil
		}
		for it := v.MapRange(); it.Next(); {
			if err := c.check(it.Key(), depth+1); err != nil {
				return err
			}
			if err := c.check(it.Value(), depth+1); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && (v.Len() == 0 || c.visited(v.Pointer())) || planFor(t.Elem()).how == asIs {
			return nil
		}
		for i := range v.Len() {
			if err := c.check(v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if err := c.check(v.Field(i), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// visited notes a map or list met, walked once however many times a value holds it.
func (c *printCheck) visited(p uintptr) bool {
	if c.seen == nil {
		c.seen = map[uintptr]bool{}
	}
	if c.seen[p] {
		return true
	}
	c.seen[p] = true
	return false
}

var (
	stringerType = reflect.TypeFor[fmt.Stringer]()
	errorType    = reflect.TypeFor[error]()
)

var anyType = reflect.TypeFor[any]()
