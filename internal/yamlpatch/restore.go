package yamlpatch

import (
	"fmt"
	"slices"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Restore puts back, in node, the pieces ApplyKeeping kept, once Apply has changed the
// values back: each piece replaces what Apply built in its place, and a removed key goes
// back to where it was in its mapping. A piece whose place is gone (the YAML was edited
// since) is left out. The values are those Apply wrote, as the typed view reads them: a
// piece written 3000m where the view read "3" is the same value, as written.
func Restore(node *yaml.RNode, kept Kept) error {
	root := node.YNode()
	if root == nil {
		return fmt.Errorf("yamlpatch: nil node")
	}
	for _, piece := range kept {
		target := follow(root, piece.At)
		if target == nil {
			continue
		}
		written, err := piece.node()
		if err != nil {
			return err
		}
		moved := emptyComment(target)
		switch {
		case piece.Key != nil && written != nil:
			restoreKey(target, piece, written)
			uncommentOnEmpty(root, piece.At, target, moved)
		case piece.Name != "" && written != nil:
			restoreElement(target, piece.Name, written)
		case written != nil:
			if target.Kind == written.Kind {
				*target = *written
				unmoveLineComment(root, piece.At, written)
				uncommentOnEmpty(root, piece.At, target, moved)
			}
		}
	}
	return nil
}

// Check reports the first piece that is not what ApplyKeeping writes: YAML that does not
// read as a piece, anchors or aliases (a kept piece is written out where it was; an alias
// bomb would be), a key piece that is not one key.
func (k Kept) Check() error {
	for _, piece := range k {
		written, err := piece.node()
		if err != nil {
			return err
		}
		if piece.Key != nil && (written == nil || written.Kind != yaml.MappingNode || len(written.Content) != 2) {
			return fmt.Errorf("the kept key %q at %v is not one key and its value", *piece.Key, piece.At)
		}
	}
	return nil
}

// node reads the piece's node from its YAML or its tree; nil when it holds neither.
func (piece Piece) node() (*yaml.Node, error) {
	switch {
	case piece.YAML != "":
		n, err := decodeOne(piece.YAML)
		if err != nil {
			return nil, fmt.Errorf("the kept piece at %v: %w", piece.At, err)
		}
		return n, nil
	case piece.Tree != nil:
		n := piece.Tree.node()
		if hasAnchors(n) || !wellFormed(n) {
			return nil, fmt.Errorf("the kept piece at %v is not a YAML node without anchors", piece.At)
		}
		return n, nil
	}
	return nil, nil
}

// decodeOne reads what encodeOne wrote.
func decodeOne(text string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("not one YAML document")
	}
	l := doc.Content[0]
	if l.Kind != yaml.SequenceNode || len(l.Content) != 2 || l.Content[1].ShortTag() != tagNull {
		return nil, fmt.Errorf("not a list of the piece and ~")
	}
	if hasAnchors(l) {
		return nil, fmt.Errorf("anchors and aliases are not allowed")
	}
	return l.Content[0], nil
}

// wellFormed reports whether n and the nodes under it are of a kind with the content that
// kind has: scalars none, mappings pairs.
func wellFormed(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.ScalarNode:
		return len(n.Content) == 0
	case yaml.MappingNode:
		if len(n.Content)%2 != 0 {
			return false
		}
	case yaml.SequenceNode:
	default:
		return false
	}
	for _, c := range n.Content {
		if !wellFormed(c) {
			return false
		}
	}
	return true
}

// follow returns the node at path under n, or nil.
func follow(n *yaml.Node, path []any) *yaml.Node {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return nil
			}
			i := keyIndex(n.Content, s)
			if i < 0 {
				return nil
			}
			n = n.Content[i+1]
		case float64, int:
			i, _ := toFloat(s)
			if n.Kind != yaml.SequenceNode || i < 0 || int(i) >= len(n.Content) || float64(int(i)) != i {
				return nil
			}
			n = n.Content[int(i)]
		case map[string]any:
			name, _ := s["name"].(string)
			if n = elementNamed(n, name); n == nil {
				return nil
			}
		default:
			return nil
		}
	}
	return n
}

// elementNamed returns the element of the list n whose name is name, or nil.
func elementNamed(n *yaml.Node, name string) *yaml.Node {
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	for _, e := range n.Content {
		if got, ok := nodeName(e); ok && got == name {
			return e
		}
	}
	return nil
}

// restoreKey puts a key of the mapping m back as written, after the key it followed: a
// key Apply built again from its value, or one whose empty value the typed view did not
// show, which Apply removed.
func restoreKey(m *yaml.Node, piece Piece, written *yaml.Node) {
	if m.Kind != yaml.MappingNode || written.Kind != yaml.MappingNode || len(written.Content) != 2 {
		return
	}
	pair := written.Content
	i := keyIndex(m.Content, *piece.Key)
	var trailing string // the mapping's trailing comment, which Apply gave the last key
	switch {
	case i >= 0 && m.Content[i+1].Kind == pair[1].Kind:
		if i+2 == len(m.Content) && m.Content[i].FootComment != pair[0].FootComment {
			trailing = m.Content[i].FootComment
		}
		m.Content = slices.Delete(m.Content, i, i+2)
	case i < 0 && isEmptyNode(pair[1]):
		unflowEmpty(m) // as Apply fills an empty mapping
		i = len(m.Content)
	default:
		return
	}
	at := 0
	if piece.After != nil {
		at = i // where it is, unless the key it followed is there
		if j := keyIndex(m.Content, *piece.After); j >= 0 {
			at = j + 2
		}
	}
	m.Content = slices.Insert(m.Content, at, pair...)
	if at > 0 {
		unjoinFoot(m.Content[at-2], pair[0].FootComment)
	}
	if trailing != "" {
		joinFoot(m.Content[len(m.Content)-2], trailing)
	}
}

// unmoveLineComment clears the line comment of the key of the value at path when it is
// the value's own, put back: Apply moved it to the key (moveLineComment) when the value
// became a block collection.
func unmoveLineComment(root *yaml.Node, path []any, value *yaml.Node) {
	if value.LineComment == "" {
		return
	}
	if key := keyOf(root, path); key != nil && key.LineComment == value.LineComment {
		key.LineComment = ""
	}
}

// emptyComment returns the line comment of n when n is an empty collection: the one
// commentOnEmpty may have moved there from n's key when Revert emptied n.
func emptyComment(n *yaml.Node) string {
	if len(n.Content) != 0 || n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode {
		return ""
	}
	return n.LineComment
}

// uncommentOnEmpty undoes commentOnEmpty once Restore has filled the value at path, which
// Revert had emptied: the line comment the empty value carried (comment, from
// emptyComment) goes back to the value's key when the value is now a block collection
// with content, where the encoder would write it after the collection's last line, and the
// key has none. The document holds all it takes: a block collection's own line comment
// is not written on its key's line, so an empty value's comment that the filled value does
// not keep was its key's.
func uncommentOnEmpty(root *yaml.Node, path []any, value *yaml.Node, comment string) {
	if comment == "" || value.LineComment != "" && value.LineComment != comment ||
		value.Style&yaml.FlowStyle != 0 || len(value.Content) == 0 ||
		value.Kind != yaml.MappingNode && value.Kind != yaml.SequenceNode {
		return
	}
	if key := keyOf(root, path); key != nil && key.LineComment == "" {
		key.LineComment, value.LineComment = comment, ""
	}
}

// keyOf returns the key node of the value at path under root, or nil when the value is not
// a mapping's.
func keyOf(root *yaml.Node, path []any) *yaml.Node {
	if len(path) == 0 {
		return nil
	}
	key, ok := path[len(path)-1].(string)
	parent := follow(root, path[:len(path)-1])
	if !ok || parent == nil || parent.Kind != yaml.MappingNode {
		return nil
	}
	if i := keyIndex(parent.Content, key); i >= 0 {
		return parent.Content[i]
	}
	return nil
}

// unjoinFoot takes off the foot comment of n what Apply's removal of the key that
// followed n joined to it (joinFoot), now that the key is back with its own.
func unjoinFoot(n *yaml.Node, comment string) {
	switch {
	case comment == "":
	case n.FootComment == comment:
		n.FootComment = ""
	case len(n.FootComment) > len(comment) && n.FootComment[len(n.FootComment)-len(comment)-1:] == "\n"+comment:
		n.FootComment = n.FootComment[:len(n.FootComment)-len(comment)-1]
	}
}

// restoreElement puts the element named name of the list l back as written.
func restoreElement(l *yaml.Node, name string, written *yaml.Node) {
	if l.Kind != yaml.SequenceNode {
		return
	}
	for i, e := range l.Content {
		if got, ok := nodeName(e); ok && got == name {
			l.Content[i] = written
			return
		}
	}
}
