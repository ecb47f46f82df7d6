package annotations

import (
	"errors"
	"fmt"
	"strings"
)

// MultiError is a list of problems. Its message has the layout Istio's
// injector produces (hashicorp/go-multierror's list format):
//
//	2 errors occurred:
//		* first
//		* second
//
// followed by an empty line.
type MultiError struct {
	Errors []error
}

func (m *MultiError) Error() string {
	if len(m.Errors) == 1 {
		return fmt.Sprintf("1 error occurred:\n\t* %s\n\n", m.Errors[0])
	}
	items := make([]string, len(m.Errors))
	for i, e := range m.Errors {
		items[i] = "* " + e.Error()
	}
	return fmt.Sprintf("%d errors occurred:\n\t%s\n\n", len(m.Errors), strings.Join(items, "\n\t"))
}

// Unwrap gives errors.Is and errors.As access to the listed errors.
func (m *MultiError) Unwrap() []error { return m.Errors }

// appendErrors adds errs to acc the way go-multierror's Append does: nil
// errors are skipped and a *MultiError among errs is flattened one level. A
// non-nil acc that is not a *MultiError becomes the first entry.
func appendErrors(acc error, errs ...error) *MultiError {
	out, ok := acc.(*MultiError)
	switch {
	case !ok:
		out = &MultiError{}
		if acc != nil {
			out.Errors = append(out.Errors, acc)
		}
	case out == nil:
		out = &MultiError{}
	}
	for _, e := range errs {
		if m, isList := e.(*MultiError); isList {
			if m != nil {
				out.Errors = append(out.Errors, m.Errors...)
			}
			continue
		}
		if e != nil {
			out.Errors = append(out.Errors, e)
		}
	}
	return out
}

// joinOne is Istio's AppendErrors for two errors: the first error alone
// stays as it is, only a second one turns the result into a list.
func joinOne(acc, err error) error {
	if acc == nil {
		return err
	}
	if err == nil {
		return acc
	}
	return appendErrors(acc, err)
}

// prefixed puts prefix in front of err, or in front of every entry when err
// is a *MultiError (go-multierror's Prefix). As in Istio, the text
// "{{err}}" anywhere in prefix is replaced by the message too.
func prefixed(err error, prefix string) error {
	if err == nil {
		return nil
	}
	format := prefix + " {{err}}"
	wrap := func(e error) error {
		return errors.New(strings.ReplaceAll(format, "{{err}}", e.Error()))
	}
	if m, ok := err.(*MultiError); ok {
		out := &MultiError{Errors: make([]error, len(m.Errors))}
		for i, e := range m.Errors {
			out.Errors[i] = wrap(e)
		}
		return out
	}
	return wrap(err)
}

// orNil turns an empty or nil list into an untyped nil error.
func orNil(m *MultiError) error {
	if m == nil || len(m.Errors) == 0 {
		return nil
	}
	return m
}
