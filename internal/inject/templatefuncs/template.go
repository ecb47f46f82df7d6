package templatefuncs

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"text/template"
	"text/template/parse"
)

// Template is a parsed injection template whose executions are deterministic, offline
// and bounded: the functions with an effect (clock, randomness, network, ...) are refused
// by Parse, each Execute renders with its own copy of the data (see snapshots), checks
// what it prints (see printable), and has a budget (see fuelLimit). Execute is safe for
// concurrent use.
type Template struct {
	base     *template.Template // parsed and checked; never executed nor changed
	opts     Options
	snaps    freeList[*snapshots]
	variants sync.Map // reflect.Type of the data (nil: any) -> *variant
}

// variant is the template made ready to run with data of one type: a copy of its parse
// trees with the checks of printed values that type needs (see typeActions; with data of
// any type, every action that may print more than text or numbers is checked) and the
// step calls (see addSteps).
type variant struct {
	base   *template.Template
	checks template.FuncMap
	pool   freeList[*executor]
}

// executor is a clone of a variant whose functions are metered by its own meter.
type executor struct {
	t *template.Template
	m *meter
}

// Parse parses an injection template with FuncMap(opts), named name. A template that
// calls a function with an effect (the clock, randomness, the network, the host: see
// effects) or a method that could change the template data is an error naming it.
func Parse(name, text string, opts Options) (*Template, error) {
	fm := FuncMap(opts)
	base, err := template.New(name).Funcs(fm).Parse(text)
	if err != nil {
		return nil, err
	}
	for _, tt := range base.Templates() {
		if tt.Tree == nil {
			continue
		}
		if err := check(tt.Tree.Root); err != nil {
			return nil, fmt.Errorf("template %q: %w", tt.Name(), err)
		}
	}
	return &Template{base: base, opts: opts}, nil
}

// Name is the template's name.
func (t *Template) Name() string { return t.base.Name() }

// Templates are the parsed templates (the named one and those it defines), for
// inspection.
func (t *Template) Templates() []*template.Template { return t.base.Templates() }

// Execute renders the template with data into w. It fails with a *BudgetError when the
// execution goes over its budget; what it wrote until then must be discarded.
func (t *Template) Execute(w io.Writer, data any) error {
	_, err := t.execute(w, data)
	return err
}

// execute is Execute, also returning what the execution spent of its budget.
func (t *Template) execute(w io.Writer, data any) (spent int64, err error) {
	s := t.snaps.get(func() *snapshots { return &snapshots{} })
	defer t.snaps.put(s)
	own, jsonOnly, err := s.take(data)
	if err != nil {
		return 0, err
	}
	var typ reflect.Type
	if jsonOnly && data != nil {
		typ = reflect.TypeOf(data)
	}
	v, err := t.variant(typ)
	if err != nil {
		return 0, err
	}
	e := v.executor(t.opts)
	defer v.pool.put(e)
	e.m.reset()
	err = e.t.Execute(&limitedWriter{w: w, m: e.m}, own)
	var budget *BudgetError
	var printing *PrintError
	switch {
	case errors.As(err, &budget):
		err = budget // text/template's message would name the step function
	case errors.As(err, &printing):
		err = printing // and the print check, where this names the action
	}
	return e.m.spent, err
}

// variant returns the variant for data of type typ, made on first use.
func (t *Template) variant(typ reflect.Type) (*variant, error) {
	if v, ok := t.variants.Load(typ); ok {
		return v.(*variant), nil
	}
	fm := withBuiltins(FuncMap(t.opts))
	base := template.New(t.base.Name())
	for _, tt := range t.base.Templates() {
		if tt.Tree != nil {
			if _, err := base.AddParseTree(tt.Name(), tt.Tree.Copy()); err != nil {
				return nil, err
			}
		}
	}
	v := &variant{base: base, checks: template.FuncMap{}}
	var unsafe map[*parse.ActionNode]bool
	if typ != nil {
		var ok bool
		if unsafe, ok = typeActions(base, typ, fm); !ok {
			return t.variant(nil)
		}
	}
	for _, tt := range base.Templates() {
		if tt.Tree == nil {
			continue
		}
		if err := addPrintChecks(tt.Tree, tt.Tree.Root, fm, unsafe, v.checks); err != nil {
			return nil, err
		}
		if err := addSteps(tt.Tree.Root); err != nil {
			return nil, err
		}
	}
	stored, _ := t.variants.LoadOrStore(typ, v)
	return stored.(*variant), nil
}

func (v *variant) executor(opts Options) *executor {
	return v.pool.get(func() *executor {
		m := &meter{owned: map[uintptr]bool{}}
		c := template.Must(v.base.Clone())
		c.Funcs(meteredFuncs(opts, m)).Funcs(v.checks)
		return &executor{t: c, m: m}
	})
}

// freeList keeps values for reuse: up to freeListSize of them, which unlike a sync.Pool's
// survive garbage collections (an executor costs a clone of the template and its
// functions; kept copies of the data save copying it).
type freeList[T any] struct {
	once sync.Once
	c    chan T
}

const freeListSize = 32

func (f *freeList[T]) get(newT func() T) T {
	f.once.Do(func() { f.c = make(chan T, freeListSize) })
	select {
	case x := <-f.c:
		return x
	default:
		return newT()
	}
}

func (f *freeList[T]) put(x T) {
	f.once.Do(func() { f.c = make(chan T, freeListSize) })
	select {
	case f.c <- x:
	default:
	}
}

// meteredFuncs is FuncMap(opts) with every function metered by m, and the built-ins
// that make strings (print, printf, println, html, js, urlquery) too.
func meteredFuncs(opts Options, m *meter) template.FuncMap {
	fm := FuncMap(opts)
	for name, fn := range builtinStringFuncs() {
		fm[name] = fn
	}
	for name, fn := range fm {
		if effects[name] == pure {
			fm[name] = m.wrap(name, formatChecked(name, fn), guards[name])
		}
	}
	fm[stepFunc] = m.step
	return fm
}

// withBuiltins is fm with the built-ins that make strings.
func withBuiltins(fm template.FuncMap) template.FuncMap {
	out := template.FuncMap{}
	for name, fn := range fm {
		out[name] = fn
	}
	for name, fn := range builtinStringFuncs() {
		out[name] = fn
	}
	return out
}

// builtinStringFuncs are text/template's built-ins that make strings (print, printf,
// println, html, js, urlquery), as functions meteredFuncs can meter.
func builtinStringFuncs() template.FuncMap {
	return template.FuncMap{
		"print": fmt.Sprint, "printf": fmt.Sprintf, "println": fmt.Sprintln,
		"html": template.HTMLEscaper, "js": template.JSEscaper, "urlquery": template.URLQueryEscaper,
	}
}
