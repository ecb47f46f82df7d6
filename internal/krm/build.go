package krm

import (
	"fmt"
	"strconv"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Field is one key of a mapping built with Map.
type Field struct {
	Key   string
	Value any
}

// F is shorthand for a Field.
func F(key string, value any) Field { return Field{Key: key, Value: value} }

// Map builds a YAML mapping whose keys keep the order given. Values may be strings
// (quoted where YAML 1.1 would misread them), ints, bools, []string, []any, *yaml.RNode
// (from Map or List) or nil (the key is left out).
func Map(fields ...Field) *yaml.RNode {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for _, f := range fields {
		if f.Value == nil {
			continue
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagString, Value: f.Key}, valueNode(f.Value))
	}
	return yaml.NewRNode(m)
}

// List builds a YAML sequence of the given values (see Map for the types allowed).
func List(items ...any) *yaml.RNode {
	s := &yaml.Node{Kind: yaml.SequenceNode}
	for _, it := range items {
		s.Content = append(s.Content, valueNode(it))
	}
	return yaml.NewRNode(s)
}

// Str returns a string scalar, quoted where a YAML 1.1 reader would misread it.
func Str(s string) *yaml.RNode {
	n := yaml.NewStringRNode(s)
	quoteIfAmbiguous(n.YNode())
	return n
}

// Quoted returns a double-quoted string scalar, for values Istio's charts quote.
func Quoted(s string) *yaml.RNode {
	n := yaml.NewStringRNode(s)
	n.YNode().Style = yaml.DoubleQuotedStyle
	return n
}

func valueNode(v any) *yaml.Node {
	switch v := v.(type) {
	case string:
		return Str(v).YNode()
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagInt, Value: strconv.Itoa(v)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagBool, Value: strconv.FormatBool(v)}
	case []string:
		s := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range v {
			s.Content = append(s.Content, Str(e).YNode())
		}
		return s
	case []any:
		return List(v...).YNode()
	case *yaml.RNode:
		return v.YNode()
	}
	panic(fmt.Sprintf("krm.Map: unsupported value type %T", v))
}
