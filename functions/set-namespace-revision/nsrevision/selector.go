package nsrevision

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Selector is a Kubernetes label selector over Namespaces. It accepts two forms:
//
//   - a mapping in the form of a metav1.LabelSelector (matchLabels, matchExpressions), as
//     the typed config writes it;
//   - a string in kubectl's selector syntax ("env=prod,tier in (web,api)"), as a
//     ConfigMap's data (or the typed config, for brevity) writes it.
//
// Unmarshalling only keeps what was written; Spec.Validate parses it, so that a bad
// selector is reported together with every other problem of the config.
type Selector struct {
	text     string          // the string form, when written as a string
	object   json.RawMessage // the mapping form, when written as a mapping
	isString bool
	parsed   labels.Selector
}

// UnmarshalJSON keeps a JSON string or object for Validate to parse; anything else is a
// type error.
func (s *Selector) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) > 0 && data[0] == '"':
		s.isString = true
		return json.Unmarshal(data, &s.text)
	case len(data) > 0 && data[0] == '{':
		s.object = append(json.RawMessage(nil), data...)
		return nil
	}
	return &json.UnmarshalTypeError{Value: jsonKind(data), Type: reflect.TypeOf(metav1.LabelSelector{})}
}

// ConfigShape declares the mapping form's field names (metav1.LabelSelector's), which
// fnconfig checks letter for letter before decoding.
func (*Selector) ConfigShape() any { return metav1.LabelSelector{} }

// jsonKind names the kind of a JSON value the way encoding/json's type errors do.
func jsonKind(data []byte) string {
	switch {
	case len(data) == 0:
		return "nothing"
	case data[0] == '[':
		return "array"
	case data[0] == 't' || data[0] == 'f':
		return "bool"
	}
	return "number"
}

// String returns the selector in kubectl's syntax once it is compiled, or as written.
func (s *Selector) String() string {
	if s.parsed != nil {
		return s.parsed.String()
	}
	if s.isString {
		return s.text
	}
	return string(s.object)
}

// Matches reports whether a Namespace with these labels is selected. A selector that is
// not compiled matches nothing.
func (s *Selector) Matches(set labels.Set) bool {
	return s.parsed != nil && s.parsed.Matches(set)
}

// compile parses the selector in whichever form it was written. An empty selector is an
// error: Kubernetes reads it as "everything", which is never what relabelling wants.
func (s *Selector) compile() error {
	var (
		sel labels.Selector
		err error
	)
	if s.isString {
		if strings.TrimSpace(s.text) == "" {
			return errEmptySelector
		}
		sel, err = labels.Parse(s.text)
		if err != nil {
			return fmt.Errorf("invalid selector %q: %w", s.text, err)
		}
	} else {
		sel, err = parseObject(s.object)
		if err != nil {
			return err
		}
	}
	if sel.Empty() {
		return errEmptySelector
	}
	s.parsed = sel
	return nil
}

var errEmptySelector = errors.New("empty: an empty selector would select every Namespace; " +
	"give matchLabels or matchExpressions, or name the namespaces")

// parseObject decodes the mapping form strictly and converts it to a labels.Selector.
func parseObject(raw json.RawMessage) (labels.Selector, error) {
	var ls metav1.LabelSelector
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ls); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, fmt.Errorf("%s: cannot read %s as %s", typeErr.Field, typeErr.Value, typeErr.Type)
		}
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return nil, fmt.Errorf("unknown field %s (expected matchLabels or matchExpressions)", field)
		}
		return nil, err
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		return nil, fmt.Errorf("invalid selector: %w", err)
	}
	return sel, nil
}
