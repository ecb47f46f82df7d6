// Package yamlnode describes YAML nodes for error messages, the same way everywhere:
// "expected a mapping, got the scalar "x"".
package yamlnode

import (
	"fmt"

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
