package proxyconfig

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// list renders messages in go-multierror's list layout.
func list(items ...string) string {
	if len(items) == 1 {
		return "1 error occurred:\n\t* " + items[0] + "\n\n"
	}
	return strconv.Itoa(len(items)) + " errors occurred:\n\t* " + strings.Join(items, "\n\t* ") + "\n\n"
}

func TestErrorHelpers(t *testing.T) {
	a, b, c := errors.New("a"), errors.New("b"), errors.New("c")
	if got := appendErrors(a, nil, appendErrors(nil, b, c)); len(got.Errors) != 3 || got.Errors[0] != a {
		t.Errorf("appendErrors did not flatten: %#v", got.Errors)
	}
	if got := prefixed(appendErrors(nil, a, b), "p:").Error(); got != list("p: a", "p: b") {
		t.Errorf("prefixed list = %q", got)
	}
	if got := prefixed(a, "x{{err}}:").Error(); got != "xa: a" {
		t.Errorf("prefixed placeholder = %q", got)
	}
	if prefixed(nil, "p") != nil || orNil(&MultiError{}) != nil || orNil(nil) != nil {
		t.Error("nil handling")
	}
	if got := joinOne(nil, a); got != a {
		t.Errorf("joinOne(nil, a) = %v", got)
	}
	if got := joinOne(a, b).Error(); got != list("a", "b") {
		t.Errorf("joinOne(a, b) = %q", got)
	}
	if !errors.Is(appendErrors(nil, a, b), b) {
		t.Error("errors.Is does not see list entries")
	}
	if !errors.Is(prefixed(a, "p:"), a) {
		t.Error("errors.Is does not see through a prefix")
	}
}
