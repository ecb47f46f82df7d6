package templatefuncs

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"text/template"
)

// Template is a parsed injection template whose executions are deterministic, offline
// and bounded: the functions with an effect (clock, randomness, network, ...) are refused
// by Parse, and each Execute has a budget (see fuelLimit). Execute is safe for concurrent
// use.
type Template struct {
	base   *template.Template // parsed, never executed; each executor runs a clone
	opts   Options
	checks template.FuncMap // the checks of printed values (see addPrintChecks)
	pool   sync.Pool
}

// executor is a clone of the template whose functions are metered by its own meter.
type executor struct {
	t    *template.Template
	m    *meter
	data snapshots
}

// Parse parses an injection template with FuncMap(opts), named name. A template that
// calls a function with an effect (the clock, randomness, the network, the host: see
// effects) or a method that could change the template data is an error naming it.
func Parse(name, text string, opts Options) (*Template, error) {
	fm := FuncMap(opts)
	fm[stepFunc] = func(int) struct{} { return struct{}{} }
	base, err := template.New(name).Funcs(fm).Parse(text)
	if err != nil {
		return nil, err
	}
	t := &Template{base: base, opts: opts, checks: template.FuncMap{}}
	for _, tt := range base.Templates() {
		if tt.Tree == nil {
			continue
		}
		if err := check(tt.Tree.Root); err != nil {
			return nil, fmt.Errorf("template %q: %w", tt.Name(), err)
		}
	}
	for _, tt := range base.Templates() {
		if tt.Tree == nil {
			continue
		}
		if err := addPrintChecks(tt.Tree, tt.Tree.Root, withBuiltins(fm), t.checks); err != nil {
			return nil, err
		}
		if err := addSteps(tt.Tree.Root, fm); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Name is the template's name.
func (t *Template) Name() string { return t.base.Name() }

// Templates are the parsed templates (the named one and those it defines), for
// inspection; their block bodies start with a call of the step function.
func (t *Template) Templates() []*template.Template { return t.base.Templates() }

// Execute renders the template with data into w. It fails with a *BudgetError when the
// execution goes over its budget; what it wrote until then must be discarded.
func (t *Template) Execute(w io.Writer, data any) error {
	_, err := t.execute(w, data)
	return err
}

// execute is Execute, also returning what the execution spent of its budget.
func (t *Template) execute(w io.Writer, data any) (spent int64, err error) {
	e := t.executor()
	defer t.pool.Put(e)
	own, err := e.data.take(data)
	if err != nil {
		return 0, err
	}
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

func (t *Template) executor() *executor {
	if e, ok := t.pool.Get().(*executor); ok {
		return e
	}
	m := &meter{owned: map[uintptr]bool{}}
	c := template.Must(t.base.Clone())
	c.Funcs(meteredFuncs(t.opts, m)).Funcs(t.checks)
	return &executor{t: c, m: m}
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
