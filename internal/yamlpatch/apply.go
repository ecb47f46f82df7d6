// Package yamlpatch applies a change computed on typed values to the user's YAML in place,
// so that comments, key order, quoting and fields the typed view does not know survive.
package yamlpatch

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/meshfn/meshfn/internal/yamlscalar"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Apply changes node so that where before and after differ, node takes after's value, and
// everything else in node (keys only node has, comments, key order, scalar styles) stays.
//
// before and after are generic JSON values as encoding/json decodes them into any
// (map[string]any, []any, string, float64 or json.Number, bool, nil; int and int64 are
// accepted too). The rules:
//
//   - A nil map value means the key is absent, in before and in after alike.
//   - A key in before and not in after is removed from node; a key new in after is
//     appended at the end of its mapping, several new keys in the order apiVersion, kind,
//     metadata, name, namespace, image, then lexical. Keys of before and after whose values
//     are equal are left alone, whether or not node has them (so values the typed view
//     adds, like resources: {}, are not written).
//   - A changed scalar is edited in place: its comments stay, and so does its style unless
//     the new value needs another (a string YAML 1.1 would misread is quoted, a
//     number or bool is written plain).
//   - A list whose elements, in before and after, are all mappings with distinct string
//     names is matched by name: the result has after's elements in after's order, reusing
//     (and patching) node's element of the same name, building the others new. Other
//     lists are left alone when before and after are equal, patched element by element
//     when before, after and node have the same length, and otherwise rebuilt from after,
//     reusing (with their comments) node's elements whose before value equals an element
//     of after (compared with node's own values where node and before differ in length).
//   - Where node does not match before (a mapping where before has a scalar, a key before
//     lacks, a list of another length), after's value is preferred: node's own content
//     then stands in for before.
//
// New numbers are written as JSON writes them (15020, not 1.502e+04); a nil list element
// (or a nil after for node itself) is written as null. before and after are not modified
// and no part of after is shared with node.
func Apply(node *yaml.RNode, before, after any) error {
	return ApplyKeeping(node, before, after, nil)
}

// ApplyKeeping is Apply that also adds to kept (when not nil) what it takes out of node's
// YAML that after's values alone would not give back as it was written (see Kept), so
// that Restore can put it back once the values are changed back.
func ApplyKeeping(node *yaml.RNode, before, after any, kept *Kept) error {
	n := node.YNode()
	if n == nil {
		return errors.New("yamlpatch: nil node")
	}
	if equal(before, after) {
		return nil
	}
	return (&patcher{kept: kept}).apply(n, before, after)
}

// Revert changes node back from before to after, the values an ApplyKeeping changed it
// from, and puts back what that kept (see Restore). It differs from Apply in one rule: a
// mapping it empties goes with its key, as the typed view shows an empty mapping where the
// YAML has none (a pod template written without metadata, to which labels were added);
// a key written empty was kept, and comes back.
func Revert(node *yaml.RNode, before, after any, kept Kept) error {
	n := node.YNode()
	if n == nil {
		return errors.New("yamlpatch: nil node")
	}
	if !equal(before, after) {
		p := &patcher{dropEmptied: true, track: len(kept) > 0, restored: map[string]bool{}}
		for _, piece := range kept {
			for i := range piece.At {
				p.restored[pathKey(piece.At[:i+1])] = true
			}
			if piece.Key != nil {
				p.restored[pathKey(append(slices.Clip(piece.At), *piece.Key))] = true
			}
		}
		if err := p.apply(n, before, after); err != nil {
			return err
		}
	}
	return Restore(node, kept)
}

// pathKey is a path as a map key.
func pathKey(path []any) string {
	var sb strings.Builder
	for _, step := range path {
		fmt.Fprintf(&sb, "%v\x00", step)
	}
	return sb.String()
}

// patcher patches one node; it knows where it is, for what it keeps.
type patcher struct {
	path        []step          // mapping keys, list indexes and named elements down from the node
	kept        *Kept           // nil: nothing is kept
	dropEmptied bool            // a mapping emptied goes with its key (Revert), unless a piece is restored in it
	track       bool            // follow path without keeping (Revert with pieces)
	restored    map[string]bool // pathKey of every place a piece is restored at or under
}

// push steps down to a child of the node being patched: a mapping key (string), a list
// index (int) or the element of a list matched by name (its name, as {"name": n}). The
// path is followed only when something is kept.
func (p *patcher) push(kind byte, key string, index int) {
	if p.kept == nil && !p.track {
		return
	}
	p.path = append(p.path, step{kind: kind, key: key, index: index})
}

// step is one step of a patcher's path, as push was given it: it is made a value of a
// Piece's At (see at) only when something is kept, which saves boxing every key.
type step struct {
	kind  byte
	key   string
	index int
}

// at returns the path as a Piece's At: mapping keys as strings, list indexes as ints and
// named elements as {"name": n}, followed by extra.
func (p *patcher) at(extra ...any) []any {
	at := make([]any, 0, len(p.path)+len(extra))
	for _, s := range p.path {
		switch s.kind {
		case 'k':
			at = append(at, s.key)
		case 'n':
			at = append(at, map[string]any{"name": s.key})
		default:
			at = append(at, s.index)
		}
	}
	return append(at, extra...)
}

// pop steps back up from push.
func (p *patcher) pop() {
	if p.kept != nil || p.track {
		p.path = p.path[:len(p.path)-1]
	}
}

// apply patches n, whose before value differs from after.
func (p *patcher) apply(n *yaml.Node, before, after any) error {
	switch a := after.(type) {
	case map[string]any:
		if n.Kind != yaml.MappingNode {
			return p.replace(n, after)
		}
		b, ok := before.(map[string]any)
		if !ok {
			b, _ = nodeValue(n).(map[string]any)
		}
		p.keepEmptied(n, isEmptyCollection(a))
		unflowEmpty(n)
		err := p.applyMap(n, b, a)
		flowEmpty(n)
		return err
	case []any:
		if n.Kind != yaml.SequenceNode {
			return p.replace(n, after)
		}
		b, ok := before.([]any)
		if !ok {
			b, _ = nodeValue(n).([]any)
		}
		p.keepEmptied(n, len(a) == 0)
		unflowEmpty(n)
		err := p.applyList(n, b, a)
		flowEmpty(n)
		return err
	}
	return p.setScalar(n, after)
}

// unflowEmpty lets an empty flow collection ({} or []) that gets content take block style.
func unflowEmpty(n *yaml.Node) {
	if len(n.Content) == 0 {
		n.Style &^= yaml.FlowStyle
	}
}

// flowEmpty gives an empty collection flow style, the form the encoder writes it in
// anyway ({} or []). In block style the encoder may write it on a line of its own, which is
// not YAML: after a line comment it holds back, as it does for a key whose scalar value
// sits on the next line with a comment of its own ("a: # k\n  0 # v").
func flowEmpty(n *yaml.Node) {
	if len(n.Content) == 0 && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) {
		n.Style |= yaml.FlowStyle
	}
}

// moveLineComment moves the line comment of a value that became a non-empty block
// collection to its key, where the encoder writes it on the key's line (on the value, it
// would land after the collection's last line).
func moveLineComment(key, value *yaml.Node) {
	if value.LineComment == "" || key.LineComment != "" || value.Style&yaml.FlowStyle != 0 ||
		value.Kind != yaml.MappingNode && value.Kind != yaml.SequenceNode || len(value.Content) == 0 {
		return
	}
	key.LineComment, value.LineComment = value.LineComment, ""
}

// commentOnEmpty moves the line comment of a key whose value became an empty collection
// onto the value, written in flow style ("a: [] # note"): left on the key, the encoder
// would write the collection on a line of its own, which is not YAML.
func commentOnEmpty(key, value *yaml.Node) {
	if key.LineComment == "" || value.LineComment != "" || len(value.Content) != 0 ||
		value.Kind != yaml.MappingNode && value.Kind != yaml.SequenceNode {
		return
	}
	value.Style |= yaml.FlowStyle
	key.LineComment, value.LineComment = "", key.LineComment
}

// replace overwrites n with a new node built from v, keeping n's comments and anchor.
func (p *patcher) replace(n *yaml.Node, v any) error {
	built, err := build(v)
	if err != nil {
		return err
	}
	p.keepReplaced(n)
	built.Anchor = n.Anchor
	built.HeadComment, built.LineComment, built.FootComment = n.HeadComment, n.LineComment, n.FootComment
	*n = *built
	return nil
}

// applyMap patches the mapping n from before b to after a.
func (p *patcher) applyMap(n *yaml.Node, b, a map[string]any) error {
	p.keepKeys(n, b, a)
	content := n.Content
	w := 0
	for i := 0; i+1 < len(content); i += 2 {
		key := content[i].Value
		av, bv := a[key], b[key]
		switch {
		case av == nil && bv != nil:
			if w > 0 {
				// The removed key's trailing comment stays where it was in the text.
				joinFoot(content[w-2], content[i].FootComment)
			}
			continue
		case av != nil && !(bv != nil && equal(bv, av)):
			if bv == nil {
				bv = unknown{}
			}
			p.push('k', key, 0)
			err := p.apply(content[i+1], bv, av)
			p.pop()
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			if p.dropEmptied && emptied(content[i+1], bv, av) && !p.restored[pathKey(p.at(key))] {
				if w > 0 {
					joinFoot(content[w-2], content[i].FootComment)
				}
				continue
			}
			moveLineComment(content[i], content[i+1])
			commentOnEmpty(content[i], content[i+1])
		}
		content[w], content[w+1] = content[i], content[i+1]
		w += 2
	}
	clear(content[w:])
	n.Content = content[:w]
	return p.appendKeys(n, b, a)
}

// emptied reports whether the value node n of a key, patched from before b to after a,
// was emptied: before held a mapping with keys, after holds an empty one. Revert takes such
// a key out.
func emptied(n *yaml.Node, b, a any) bool {
	return emptiedValue(b, a) && n.Kind == yaml.MappingNode && len(n.Content) == 0
}

// emptiedValue reports whether before b is a mapping with keys and after a an empty one.
func emptiedValue(b, a any) bool {
	bm, ok := b.(map[string]any)
	am, ok2 := a.(map[string]any)
	return ok && ok2 && !isEmptyCollection(bm) && isEmptyCollection(am)
}

// appendKeys adds to n the keys of a that n lacks and whose value changed from b.
func (p *patcher) appendKeys(n *yaml.Node, b, a map[string]any) error {
	var added []string
	for k, av := range a {
		if av == nil || keyIndex(n.Content, k) >= 0 {
			continue
		}
		if bv := b[k]; bv != nil && equal(bv, av) || p.dropEmptied && emptiedValue(bv, av) {
			continue
		}
		added = append(added, k)
	}
	if len(added) == 0 {
		return nil
	}
	slices.SortFunc(added, compareKeys)
	// A trailing comment of the mapping's last key stays at the mapping's end.
	var foot string
	if len(n.Content) >= 2 {
		last := n.Content[len(n.Content)-2]
		foot, last.FootComment = last.FootComment, ""
	}
	for _, k := range added {
		v, err := build(a[k])
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		n.Content = append(n.Content, stringNode(k), v)
	}
	n.Content[len(n.Content)-2].FootComment = foot
	return nil
}

// joinFoot appends comment to the foot comment of n.
func joinFoot(n *yaml.Node, comment string) {
	switch {
	case comment == "":
	case n.FootComment == "":
		n.FootComment = comment
	default:
		n.FootComment += "\n" + comment
	}
}

// setScalar makes n the scalar v, in place where n is a scalar already.
func (p *patcher) setScalar(n *yaml.Node, v any) error {
	tag, text, err := scalarText(v)
	if err != nil {
		return err
	}
	if n.Kind != yaml.ScalarNode {
		return p.replace(n, v)
	}
	oldTag := n.ShortTag()
	if oldTag == tag && n.Value == text {
		return nil
	}
	style := scalarStyle(n.Style, oldTag == tag, tag, text)
	p.keepScalar(n, tag, style)
	n.Value = text
	n.Tag = tag
	n.Style = style
	return nil
}

// scalarStyle returns the style for a scalar that had style old and now holds text with
// the given tag: a string keeps a quoted or block style and is quoted where plain would be
// misread; anything else is plain.
func scalarStyle(old yaml.Style, sameTag bool, tag, text string) yaml.Style {
	kept := old
	if !sameTag {
		kept &^= yaml.TaggedStyle
	}
	textual := yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle
	if tag != tagStr {
		return kept &^ textual
	}
	if kept&textual != 0 || !yamlscalar.NeedsQuotes(text) {
		return kept
	}
	return kept | yamlscalar.QuoteStyle(text)
}
