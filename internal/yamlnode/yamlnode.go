// Package yamlnode describes YAML nodes for error messages, the same way everywhere:
// "expected a mapping, got the scalar "x"".
package yamlnode

import (
	"errors"
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Describe names the kind of a node, with its value for scalars.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias (*" + n.Value + ")"
	case yaml.ScalarNode:
		switch n.Tag {
		case yaml.NodeTagNull:
			return "null"
		case yaml.NodeTagInt, yaml.NodeTagFloat:
			return "the number " + n.Value
		case yaml.NodeTagBool:
			return "the boolean " + n.Value
		}
		return fmt.Sprintf("the scalar %q", n.Value)
	}
	return "an unexpected node"
}

// StringMap reads a mapping of strings, as Kubernetes has them (labels, annotations, a
// ConfigMap's data), from its YAML node; path names the mapping in errors ("data").
// A missing or null mapping is empty. Scalars of any tag read as their text, a null value
// as "", and an alias as the scalar it points to. Every key whose value is not a scalar
// (a mapping, a list, an alias to one) is an error naming it: reading it as "" would
// silently drop a setting.
func StringMap(n *yaml.Node, path string) (map[string]string, error) {
	out := map[string]string{}
	if n == nil || n.Tag == yaml.NodeTagNull {
		return out, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: expected a mapping, got %s", path, Describe(n))
	}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			errs = append(errs, fmt.Errorf("%s: expected string keys, got %s", path, Describe(k)))
			continue
		}
		if v.Kind == yaml.AliasNode && v.Alias != nil && v.Alias.Kind == yaml.ScalarNode {
			v = v.Alias
		}
		switch {
		case v.Kind != yaml.ScalarNode:
			errs = append(errs, fmt.Errorf("%s.%s: expected a string, got %s%s", path, k.Value, Describe(resolve(v)), asStringHint(v)))
		case v.Tag == yaml.NodeTagNull:
			out[k.Value] = ""
		default:
			out[k.Value] = v.Value
		}
	}
	return out, errors.Join(errs...)
}

// resolve is the node an alias points to, or n.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// asStringHint suggests writing a short flow-style list or mapping as a quoted string,
// which is what a flat string map takes structured values as.
func asStringHint(n *yaml.Node) string {
	if n.Style&yaml.FlowStyle == 0 || n.Kind == yaml.AliasNode {
		return ""
	}
	b, err := yaml.Marshal(n)
	if err != nil || len(b) > 80 {
		return ""
	}
	return fmt.Sprintf(" (write it as a string: %q)", strings.TrimSpace(string(b)))
}

// NoAliases returns an error naming the first anchor (&a) or alias (*a) in n. YAML that a
// user writes into a string (a setter value, a structured config value, an injector
// ConfigMap) must not hold them: an alias repeats what it names wherever the tree is
// expanded, so a few nested ones make a document of billions of nodes (an "alias bomb"),
// and written into the package they stay there for every later reader.
func NoAliases(n *yaml.Node) error {
	if n == nil {
		return nil
	}
	switch {
	case n.Kind == yaml.AliasNode:
		return fmt.Errorf("line %d: YAML alias *%s: anchors and aliases are not allowed", n.Line, n.Value)
	case n.Anchor != "":
		return fmt.Errorf("line %d: YAML anchor &%s: anchors and aliases are not allowed", n.Line, n.Anchor)
	}
	for _, c := range n.Content {
		if err := NoAliases(c); err != nil {
			return err
		}
	}
	return nil
}

// TextNoAliases is NoAliases over every document of a YAML text. Text that does not
// parse gives no error here: the caller's own parser reports it.
func TextNoAliases(text string) error {
	if !strings.ContainsAny(text, "&*") {
		return nil // no anchor or alias can be spelled
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return nil // io.EOF, or a syntax error for the caller to report
		}
		if err := NoAliases(&doc); err != nil {
			return err
		}
	}
}
