package templatefuncs

import (
	"reflect"
	"text/template"
	"text/template/parse"
)

// The checks of printed values cost a function call per action. Most actions print text
// or numbers, which the type of the template data tells: typeActions follows the types
// through the templates (fields, methods, map values, ranges, variables, template calls)
// and finds the actions that may print something else, which alone need a check.

// vtype is what an expression of a template gives, as far as the data's type tells.
type vtype struct {
	t    reflect.Type // its type; nil when unknown (or json, or printable)
	data bool         // it comes from the template data
	json bool         // what JSON decodes to: from fromJSON, or the data's empty interfaces (checked)
	// printable: one of several values, each safe to print, of which nothing more is known
	// (what a variable or default may give).
	printable bool
}

var unknown = vtype{}

// printSafe reports whether printing a value of type v shows no address: text, numbers,
// pointers to them (an action follows pointers), lists and maps of them, and JSON values.
func (v vtype) printSafe() bool {
	if v.json || v.printable {
		return true
	}
	if v.t == nil {
		return false
	}
	t := v.t
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return isScalar(t.Elem().Kind())
	case reflect.Map:
		return isScalar(t.Key().Kind()) && isScalar(t.Elem().Kind())
	}
	return isScalar(t.Kind())
}

// join is what a variable or pass-through function may give when it may give a or b.
func join(a, b vtype) vtype {
	switch {
	case a == b:
		return a
	case a.printSafe() && b.printSafe():
		return vtype{printable: true}
	}
	return unknown
}

// of is the value a data-derived value of static type t gives: JSON when t is the empty
// interface.
func of(t reflect.Type, data bool) vtype {
	if t == nil {
		return unknown
	}
	if t.Kind() == reflect.Interface {
		if data && t.NumMethod() == 0 {
			return vtype{json: true, data: true}
		}
		return unknown
	}
	return vtype{t: t, data: data}
}

// typer follows types through a set of templates executed with data of one type.
type typer struct {
	fm      template.FuncMap
	dots    map[string]vtype // the dot each template runs with (the join of its calls)
	vars    map[string]vtype // by template and variable name
	called  map[string]bool  // the templates that run
	changed bool             // a dot or variable changed in this pass
	unsafe  map[*parse.ActionNode]bool
}

// typeActions returns the actions of the templates under root that may print something
// whose printing could show an address, when root runs with data of type data; ok is
// false when the types could not be settled.
func typeActions(root *template.Template, data reflect.Type, fm template.FuncMap) (unsafe map[*parse.ActionNode]bool, ok bool) {
	ty := &typer{fm: fm, dots: map[string]vtype{root.Name(): of(data, true)}, vars: map[string]vtype{},
		called: map[string]bool{root.Name(): true}}
	for range 20 {
		ty.changed, ty.unsafe = false, map[*parse.ActionNode]bool{}
		for _, tt := range root.Templates() {
			if tt.Tree != nil && ty.called[tt.Name()] {
				ty.list(tt.Name(), tt.Tree.Root, ty.dots[tt.Name()])
			}
		}
		if !ty.changed {
			return ty.unsafe, true
		}
	}
	return nil, false
}

func (ty *typer) set(m map[string]vtype, key string, v vtype) {
	old, ok := m[key]
	if ok {
		v = join(old, v)
	}
	if !ok || v != old {
		m[key] = v
		ty.changed = true
	}
}

func (ty *typer) list(tmpl string, l *parse.ListNode, dot vtype) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		ty.node(tmpl, n, dot)
	}
}

func (ty *typer) node(tmpl string, n parse.Node, dot vtype) {
	switch n := n.(type) {
	case *parse.ActionNode:
		if v := ty.pipe(tmpl, n.Pipe, dot); len(n.Pipe.Decl) == 0 && !v.printSafe() {
			ty.unsafe[n] = true
		}
	case *parse.IfNode:
		ty.pipe(tmpl, n.Pipe, dot)
		ty.list(tmpl, n.List, dot)
		ty.list(tmpl, n.ElseList, dot)
	case *parse.WithNode:
		ty.list(tmpl, n.List, ty.pipe(tmpl, n.Pipe, dot))
		ty.list(tmpl, n.ElseList, dot)
	case *parse.RangeNode:
		key, elem := ty.rangeOf(ty.pipe(tmpl, n.Pipe, dot, true))
		switch decl := n.Pipe.Decl; len(decl) {
		case 1:
			ty.set(ty.vars, tmpl+decl[0].Ident[0], elem)
		case 2:
			ty.set(ty.vars, tmpl+decl[0].Ident[0], key)
			ty.set(ty.vars, tmpl+decl[1].Ident[0], elem)
		}
		ty.list(tmpl, n.List, elem)
		ty.list(tmpl, n.ElseList, dot)
	case *parse.TemplateNode:
		v := unknown
		if n.Pipe != nil {
			v = ty.pipe(tmpl, n.Pipe, dot)
		}
		ty.called[n.Name] = true
		ty.set(ty.dots, n.Name, v)
	}
}

// pipe is the type of a pipeline; its variables get it (but a range's, which get its
// keys and elements: noDecl).
func (ty *typer) pipe(tmpl string, p *parse.PipeNode, dot vtype, noDecl ...bool) vtype {
	if p == nil {
		return unknown
	}
	var final *vtype
	for _, c := range p.Cmds {
		v := ty.command(tmpl, c, dot, final)
		final = &v
	}
	v := unknown
	if final != nil {
		v = *final
	}
	if len(noDecl) == 0 {
		for _, d := range p.Decl {
			ty.set(ty.vars, tmpl+d.Ident[0], v)
		}
	}
	return v
}

func (ty *typer) command(tmpl string, c *parse.CommandNode, dot vtype, final *vtype) vtype {
	switch n := c.Args[0].(type) {
	case *parse.IdentifierNode:
		args := make([]vtype, 0, len(c.Args))
		for _, a := range c.Args[1:] {
			args = append(args, ty.arg(tmpl, a, dot))
		}
		if final != nil {
			args = append(args, *final)
		}
		return ty.call(n.Ident, args)
	case *parse.PipeNode:
		return ty.pipe(tmpl, n, dot)
	}
	for _, a := range c.Args[1:] { // a method's arguments
		ty.arg(tmpl, a, dot)
	}
	return ty.arg(tmpl, c.Args[0], dot)
}

func (ty *typer) arg(tmpl string, n parse.Node, dot vtype) vtype {
	switch n := n.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return ty.fields(dot, n.Ident)
	case *parse.ChainNode:
		return ty.fields(ty.arg(tmpl, n.Node, dot), n.Field)
	case *parse.VariableNode:
		v := ty.dots[tmpl] // $
		if n.Ident[0] != "$" {
			v = ty.vars[tmpl+n.Ident[0]]
		}
		return ty.fields(v, n.Ident[1:])
	case *parse.PipeNode:
		return ty.pipe(tmpl, n, dot)
	case *parse.IdentifierNode:
		return ty.call(n.Ident, nil)
	case *parse.StringNode:
		return vtype{t: reflect.TypeFor[string]()}
	case *parse.BoolNode:
		return vtype{t: reflect.TypeFor[bool]()}
	case *parse.NumberNode:
		return vtype{t: reflect.TypeFor[float64]()}
	}
	return unknown
}

// call is the type of a call of a function or built-in with arguments of types args.
func (ty *typer) call(name string, args []vtype) vtype {
	joined := func(args []vtype) vtype {
		if len(args) == 0 {
			return unknown
		}
		v := args[0]
		for _, a := range args[1:] {
			v = join(v, a)
		}
		return v
	}
	switch name {
	case "index":
		if len(args) == 0 {
			return unknown
		}
		v := args[0]
		for range args[1:] {
			_, v = ty.rangeOf(v)
		}
		return v
	case "slice":
		if len(args) == 0 {
			return unknown
		}
		return args[0]
	case "and", "or", "default", "valueOrDefault", "coalesce":
		return joined(args)
	case "ternary":
		if len(args) < 2 {
			return unknown
		}
		return join(args[0], args[1])
	case "not", "len", "eq", "ne", "lt", "le", "gt", "ge":
		return vtype{t: reflect.TypeFor[bool]()}
	case "fromJSON", "fromJson", "mustFromJson": // what encoding/json decodes to
		return vtype{json: true}
	}
	fn, ok := ty.fm[name]
	if !ok {
		return unknown
	}
	ft := reflect.TypeOf(fn)
	if ft.NumOut() == 0 {
		return unknown
	}
	return of(ft.Out(0), false)
}

// fields is the type of v.names..., as text/template evaluates fields: through pointers,
// a method of the value or its address, else a struct's field or a map's value.
func (ty *typer) fields(v vtype, names []string) vtype {
	for _, name := range names {
		if v.json {
			continue // a map's value, or an error
		}
		if v.t == nil { // unknown, or printable but of an unknown type
			return unknown
		}
		t := v.t
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if m, ok := reflect.PointerTo(t).MethodByName(name); ok {
			if m.Type.NumOut() == 0 {
				return unknown
			}
			v = of(m.Type.Out(0), false)
			continue
		}
		switch t.Kind() {
		case reflect.Struct:
			f, ok := t.FieldByName(name)
			if !ok || !f.IsExported() {
				return unknown
			}
			v = of(f.Type, v.data)
		case reflect.Map:
			if t.Key().Kind() != reflect.String {
				return unknown
			}
			v = of(t.Elem(), v.data)
		default:
			return unknown
		}
	}
	return v
}

// rangeOf is the type of the keys and elements a range over v gives (and of index's
// result).
func (ty *typer) rangeOf(v vtype) (key, elem vtype) {
	if v.json {
		return vtype{t: reflect.TypeFor[string]()}, v
	}
	if v.t == nil {
		return unknown, unknown
	}
	t := v.t
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return vtype{t: reflect.TypeFor[int]()}, of(t.Elem(), v.data)
	case reflect.Map:
		return of(t.Key(), v.data), of(t.Elem(), v.data)
	case reflect.String:
		return vtype{t: reflect.TypeFor[int]()}, vtype{t: reflect.TypeFor[uint8]()}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return vtype{t: t}, vtype{t: t}
	}
	return unknown, unknown
}
