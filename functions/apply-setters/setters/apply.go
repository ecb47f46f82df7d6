package setters

import (
	"fmt"

	"github.com/meshfn/meshfn/internal/kptset"
	"github.com/meshfn/meshfn/internal/yamlnode"
	"github.com/meshfn/meshfn/internal/yamlscalar"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Change is one field Apply set: its path in the object ("spec.containers[0].image") and
// the value it now has (for a list, the setter value as given).
type Change struct {
	Path  string
	Value string
}

// FieldError is a failure to set one field; Path is where in the object it is.
type FieldError struct {
	Path string
	Err  error
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("field %s: %v", e.Path, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// Apply sets the fields of obj that are tagged with patterns referencing the setters, in
// place, and returns what it set in document order (a mapping's list fields before the
// fields nested in it, as the catalog visits them). On error obj may be half changed:
// apply to a copy when that matters.
func Apply(obj *yaml.RNode, s Setters) ([]Change, error) {
	return apply(obj, s, nil)
}

// apply is Apply adding to used (when not nil) the name of every setter a field's
// pattern references, given or not.
func apply(obj *yaml.RNode, s Setters, used map[string]bool) ([]Change, error) {
	w := &walker{setters: s, used: used}
	if err := w.walk(obj.YNode(), ""); err != nil {
		return nil, err
	}
	return w.changes, nil
}

type walker struct {
	setters Setters
	changes []Change
	used    map[string]bool
}

// note records the setters a field's pattern references.
func (w *walker) note(pattern string) {
	if w.used == nil {
		return
	}
	for _, name := range kptset.Refs(pattern) {
		w.used[name] = true
	}
}

func (w *walker) walk(n *yaml.Node, path string) error {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if err := w.walk(c, path); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		if err := w.listFields(n, path); err != nil {
			return err
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := w.walk(n.Content[i+1], join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := w.walk(c, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		return w.scalar(n, path)
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// scalar sets a scalar tagged with a pattern that references at least one setter.
func (w *walker) scalar(n *yaml.Node, path string) error {
	pattern, ok := kptset.PatternOf(n.LineComment)
	if ok {
		w.note(pattern)
	}
	if !ok || !w.setters.Mentions(pattern) {
		return nil
	}
	value, err := w.setters.Resolve(pattern, n.Value)
	if err != nil {
		return &FieldError{Path: path, Err: err}
	}
	setScalar(n, value)
	w.changes = append(w.changes, Change{Path: path, Value: value})
	return nil
}

// setScalar gives n the value, keeping its style (a quoted string stays quoted) and
// dropping its tag, so the value's own type shows as the catalog writes it: "replicas: 4"
// set to "3" stays an int. An empty value is written "". A field that held a string
// keeps holding one: a value YAML would read as something else ("yes", "on", "1.10",
// "0755") is double-quoted there, where the catalog would write it plain.
func setScalar(n *yaml.Node, value string) {
	wasString := holdsString(n)
	n.Value = value
	n.Tag = yaml.NodeTagEmpty
	switch {
	case value == "":
		n.Style = yaml.DoubleQuotedStyle
	case wasString && n.Style&textStyles == 0 && yamlscalar.NotPlainString(value):
		n.Style = yaml.DoubleQuotedStyle
	}
}

// textStyles are the scalar styles that make a scalar a string whatever it says.
var textStyles = yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle

// holdsString reports whether every YAML reader takes the scalar n for a string: it is
// quoted, a block scalar or tagged !!str, or a plain scalar that neither YAML 1.2 nor 1.1
// (kubectl's) reads as a bool, number or null.
func holdsString(n *yaml.Node) bool {
	if n.Style&textStyles != 0 {
		return true
	}
	if n.ShortTag() != yaml.NodeTagString {
		return false
	}
	return n.Style&yaml.TaggedStyle != 0 || !yamlscalar.NonString11(n.Value)
}

// listFields sets the sequence fields of mapping m that are tagged "# kpt-set: ${name}"
// (on the key for a block list, after the list for a flow list) with a given setter.
func (w *walker) listFields(m *yaml.Node, path string) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, val := m.Content[i], m.Content[i+1]
		if val.Kind != yaml.SequenceNode {
			continue
		}
		comment := key.LineComment
		if val.Style&yaml.FlowStyle != 0 {
			comment = val.LineComment
		}
		pattern, ok := kptset.PatternOf(comment)
		if ok {
			w.note(pattern)
		}
		if !ok || !w.setters.Mentions(pattern) {
			continue
		}
		fieldPath := join(path, key.Value)
		value, items, err := w.listValue(pattern)
		if err != nil {
			return &FieldError{Path: fieldPath, Err: err}
		}
		setList(key, val, items, comment)
		w.changes = append(w.changes, Change{Path: fieldPath, Value: value})
	}
	return nil
}

// listValue returns the value of the setter a list pattern names and the items it
// gives: none for an empty value, else the value parsed as a YAML sequence, which must
// not hold anchors or aliases (they would go into the package as they are).
func (w *walker) listValue(pattern string) (string, []*yaml.Node, error) {
	name, ok := ListSetter(pattern)
	if !ok {
		return "", nil, fmt.Errorf("invalid setter pattern for array node: %q", pattern)
	}
	value := w.setters[name]
	if value == "" {
		return value, nil, nil
	}
	parsed, err := yaml.Parse(value)
	if err != nil || parsed.YNode().Kind != yaml.SequenceNode {
		return "", nil, fmt.Errorf("input to array setter must be an array of values, but found %q", value)
	}
	if err := yamlnode.NoAliases(parsed.YNode()); err != nil {
		return "", nil, fmt.Errorf("input to array setter %s: %w", name, err)
	}
	return value, parsed.YNode().Content, nil
}

// setList replaces the items of the sequence val. Like the catalog, an empty list is
// written "key: [] # kpt-set: ..." and a non-empty one as a block list with the comment
// on the key.
func setList(key, val *yaml.Node, items []*yaml.Node, comment string) {
	val.Content = items
	if len(items) == 0 {
		val.Content = []*yaml.Node{}
		val.Style = yaml.FlowStyle
		val.LineComment, key.LineComment = comment, ""
		return
	}
	val.Style &^= yaml.FlowStyle
	key.LineComment, val.LineComment = comment, ""
}
