package proxyconfig

import (
	"fmt"
	"strings"
)

// MultiError is a list of validation problems. Its message has the layout of
// hashicorp/go-multierror's list format, which Istio's messages carry:
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
	lines := make([]string, len(m.Errors))
	for i, err := range m.Errors {
		lines[i] = "* " + err.Error()
	}
	return fmt.Sprintf("%d errors occurred:\n\t%s\n\n", len(m.Errors), strings.Join(lines, "\n\t"))
}

// Unwrap gives errors.Is and errors.As access to the listed errors.
func (m *MultiError) Unwrap() []error { return m.Errors }

// appendErrors is go-multierror's Append: errs are added to acc, nil ones
// skipped and a *MultiError among them flattened one level; a non-nil acc
// that is not a *MultiError becomes the first entry of a new list.
func appendErrors(acc error, errs ...error) *MultiError {
	list, isList := acc.(*MultiError)
	if !isList || list == nil {
		list = &MultiError{}
		if !isList && acc != nil {
			list.Errors = append(list.Errors, acc)
		}
	}
	for _, err := range errs {
		if inner, ok := err.(*MultiError); ok {
			if inner != nil {
				list.Errors = append(list.Errors, inner.Errors...)
			}
			continue
		}
		if err != nil {
			list.Errors = append(list.Errors, err)
		}
	}
	return list
}

// joinOne is Istio's AppendErrors for one more error: a single error stays
// as it is, only a second one turns the result into a list.
func joinOne(acc, err error) error {
	switch {
	case acc == nil:
		return err
	case err == nil:
		return acc
	}
	return appendErrors(acc, err)
}

// prefixedError is an error whose message got a prefix; it unwraps to the
// original error.
type prefixedError struct {
	msg   string
	inner error
}

func (e *prefixedError) Error() string { return e.msg }
func (e *prefixedError) Unwrap() error { return e.inner }

// prefixed is go-multierror's Prefix: "<prefix> <message>", for each entry
// when err is a *MultiError. As there, "{{err}}" anywhere in prefix stands
// for the message too.
func prefixed(err error, prefix string) error {
	if err == nil {
		return nil
	}
	format := prefix + " {{err}}"
	wrap := func(e error) error {
		return &prefixedError{msg: strings.ReplaceAll(format, "{{err}}", e.Error()), inner: e}
	}
	list, ok := err.(*MultiError)
	if !ok {
		return wrap(err)
	}
	out := &MultiError{}
	if list == nil {
		return out
	}
	out.Errors = make([]error, len(list.Errors))
	for i, e := range list.Errors {
		out.Errors[i] = wrap(e)
	}
	return out
}

// orNil turns a nil or empty list into an untyped nil error.
func orNil(list *MultiError) error {
	if list == nil || len(list.Errors) == 0 {
		return nil
	}
	return list
}
