package yamlnode

import (
	"strconv"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Value is what yaml.v3 decodes n into as an any (map[string]any, []any, string, int,
// bool, nil) for the nodes Kubernetes objects are mostly made of (pod templates, for
// one), without its reflective decoder. ok
// is false for anything else (other tags, numbers that are not plain decimal integers,
// anchors and aliases, merge keys, keys that are not strings, repeated keys): the decoder
// reads those.
func Value(n *yaml.Node) (any, bool) {
	if n.Anchor != "" {
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.Anchor != "" {
				return nil, false
			}
			if _, repeated := m[k.Value]; repeated {
				return nil, false
			}
			v, ok := Value(n.Content[i+1])
			if !ok {
				return nil, false
			}
			m[k.Value] = v
		}
		return m, true
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, e := range n.Content {
			v, ok := Value(e)
			if !ok {
				return nil, false
			}
			l[i] = v
		}
		return l, true
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, false
}

// scalarValue is Value for a scalar.
func scalarValue(n *yaml.Node) (any, bool) {
	switch n.Tag {
	case "!!str":
		return n.Value, true
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return true, true
		case "false", "False", "FALSE":
			return false, true
		}
	case "!!null":
		switch n.Value {
		case "", "~", "null", "Null", "NULL":
			return nil, true
		}
	case "!!int":
		if plainDecimal(n.Value) {
			if i, err := strconv.Atoi(n.Value); err == nil {
				return i, true
			}
		}
	}
	return nil, false
}

// plainDecimal reports whether s is a decimal integer as YAML writes one plainly: an
// optional minus, then digits without a leading zero.
func plainDecimal(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
