package yamlpatch

import (
	"bytes"
	"slices"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Kept is what ApplyKeeping took out of a node's YAML that the values alone would not
// give back as it was written: when the values are changed back, Revert builds what comes
// back from them (keys in Apply's order at the end of their mapping, Apply's scalars, no
// comments) and then puts each kept piece back in its place. Only what would not come back
// the same, in the same place, is kept: a key Apply removes from the end of a mapping
// written as Apply writes keeps nothing. Nodes with anchors or aliases are not kept.
type Kept []Piece

// Piece is one part of a node's YAML, as written, and where it was.
type Piece struct {
	// At is the path from the node given to Apply to the mapping or list the piece was
	// in (or, for a replaced node, to the node): mapping keys (strings), list indexes
	// (numbers) and elements of lists matched by name ({"name": NAME}).
	At []any `json:"at"`
	// Key is a mapping key that was removed, or written empty and filled, with its value
	// (YAML holds both).
	Key *string `json:"key,omitempty"`
	// After is the key the removed key followed; it is absent when the key was the first.
	After *string `json:"after,omitempty"`
	// Name is the name of a removed element of a list matched by name (YAML holds it).
	Name string `json:"name,omitempty"`
	// YAML is what was removed or replaced, as written: a one-key mapping for a key, the
	// element or the node, as the first element of a list whose second is ~.
	YAML string `json:"yaml,omitempty"`
	// Tree holds it instead where its YAML would not read back as written.
	Tree *Tree `json:"tree,omitempty"`
}

// Tree is a YAML node written out field by field.
type Tree struct {
	Kind    yaml.Kind  `json:"kind"`
	Tag     string     `json:"tag,omitempty"`
	Value   string     `json:"value,omitempty"`
	Style   yaml.Style `json:"style,omitempty"`
	Head    string     `json:"head,omitempty"`
	Line    string     `json:"line,omitempty"`
	Foot    string     `json:"foot,omitempty"`
	Content []*Tree    `json:"content,omitempty"`
}

// treeOf writes n out as a Tree.
func treeOf(n *yaml.Node) *Tree {
	t := &Tree{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style,
		Head: n.HeadComment, Line: n.LineComment, Foot: n.FootComment}
	for _, c := range n.Content {
		t.Content = append(t.Content, treeOf(c))
	}
	return t
}

// node reads the node back from t.
func (t *Tree) node() *yaml.Node {
	n := &yaml.Node{Kind: t.Kind, Tag: t.Tag, Value: t.Value, Style: t.Style,
		HeadComment: t.Head, LineComment: t.Line, FootComment: t.Foot}
	for _, c := range t.Content {
		if c != nil {
			n.Content = append(n.Content, c.node())
		}
	}
	return n
}

// keep adds a piece at the current path, holding n as written: as YAML where the text reads
// back as the same node, else as its tree (a comment the YAML parser would give another
// node). A node with anchors or aliases is not kept: written alone, an alias would lose its
// anchor.
func (p *patcher) keep(piece Piece, n *yaml.Node) {
	if hasAnchors(n) {
		return
	}
	if text, ok := encodeOne(n); ok {
		if back, err := decodeOne(text); err == nil && sameNode(back, n) {
			piece.YAML = text
		}
	}
	if piece.YAML == "" {
		piece.Tree = treeOf(n)
	}
	piece.At = p.at()
	*p.kept = append(*p.kept, piece)
}

// keepKeys keeps, of the mapping n, the keys Apply removes (those before has and after
// has not), unless putting them back from their values gives them back as they are (keys
// Apply writes alike, at the end of n in the order Apply appends keys); and the keys
// written empty ({}, [] or null, which the typed view leaves out or cannot tell from
// absent) that Apply fills, which Revert empties and takes out. Each is kept with the key
// it followed.
func (p *patcher) keepKeys(n *yaml.Node, b, a map[string]any) {
	if p.kept == nil {
		return
	}
	var removed, hidden []int
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		switch av, bv := a[k], b[k]; {
		case av == nil && bv != nil:
			removed = append(removed, i)
		case av != nil && (bv == nil || emptiedValue(av, bv)) && isEmptyNode(n.Content[i+1]):
			// Changed back, the value is absent again, or an emptied mapping: Revert takes
			// the key out.
			hidden = append(hidden, i)
		}
	}
	if len(hidden) == 0 && (len(removed) == 0 || comeBackAlike(n, removed)) {
		return
	}
	if 2*len(hidden) == len(n.Content) && n.Style&yaml.FlowStyle != 0 {
		// Revert takes every key out: the mapping comes back as a whole.
		p.keep(Piece{}, n)
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !slices.Contains(removed, i) && !slices.Contains(hidden, i) {
			continue
		}
		key := n.Content[i].Value
		piece := Piece{Key: &key}
		if i > 0 {
			after := n.Content[i-2].Value
			piece.After = &after
		}
		pair := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{n.Content[i], n.Content[i+1]}}
		p.keep(piece, pair)
	}
}

// comeBackAlike reports whether the keys of n at the indexes removed, put back from their
// values at the end of n, would be as they are: they are the last keys, in the order
// Apply appends keys, and written as Apply writes them.
func comeBackAlike(n *yaml.Node, removed []int) bool {
	for j, i := range removed {
		if i != len(n.Content)-2*(len(removed)-j) {
			return false
		}
		if j > 0 && compareKeys(n.Content[removed[j-1]].Value, n.Content[i].Value) >= 0 {
			return false
		}
		key := stringScalar(n.Content[i].Value)
		if !sameNode(n.Content[i], &key) || !writtenAlike(n.Content[i+1]) {
			return false
		}
	}
	return true
}

// keepReplaced keeps the node n, which Apply replaces, unless Apply would write its value
// back alike.
func (p *patcher) keepReplaced(n *yaml.Node) {
	if p.kept == nil || writtenAlike(n) {
		return
	}
	p.keep(Piece{}, n)
}

// keepEmptied keeps the collection n when Apply empties it (empty) and it is written in
// flow style: filled again, it would be written in block style.
func (p *patcher) keepEmptied(n *yaml.Node, empty bool) {
	if p.kept == nil || !empty || len(n.Content) == 0 || n.Style&yaml.FlowStyle == 0 {
		return
	}
	p.keep(Piece{}, n)
}

// keepScalar keeps the scalar n, which Apply writes with the given tag and style, unless
// changing it back would give it back as it is: its text as Apply writes its value (not
// ~ or 0x1F for null or 31), and its style, which a changed value keeps.
func (p *patcher) keepScalar(n *yaml.Node, tag string, style yaml.Style) {
	if p.kept == nil {
		return
	}
	oldTag, oldText, err := scalarText(scalarValue(n))
	if err == nil && oldTag == n.ShortTag() && oldText == n.Value &&
		scalarStyle(style, tag == oldTag, oldTag, oldText) == n.Style {
		return
	}
	p.keep(Piece{}, n)
}

// keepRebuilt keeps the list n, whose elements Apply replaces (used marks those it
// reuses), unless every element it drops would be written back alike.
func (p *patcher) keepRebuilt(n *yaml.Node, used []bool) {
	if p.kept == nil {
		return
	}
	for j, e := range n.Content {
		if j < len(used) && used[j] || writtenAlike(e) {
			continue
		}
		p.keep(Piece{}, n)
		return
	}
}

// keepDropped keeps the elements of the list n matched by name that are not among items,
// unless Apply would write them back alike.
func (p *patcher) keepDropped(n *yaml.Node, items []*yaml.Node) {
	if p.kept == nil {
		return
	}
	for _, e := range n.Content {
		name, named := nodeName(e)
		if !named || slices.Contains(items, e) || writtenAlike(e) {
			continue
		}
		p.keep(Piece{Name: name}, e)
	}
}

// writtenAlike reports whether building n's value gives n as it is.
func writtenAlike(n *yaml.Node) bool {
	built, err := build(nodeValue(n))
	return err == nil && sameNode(n, built)
}

// sameNode reports whether a and b are written alike: kinds, tags, values, styles,
// comments and anchors, all the way down.
func sameNode(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || a.ShortTag() != b.ShortTag() || a.Value != b.Value || a.Style != b.Style ||
		a.Anchor != b.Anchor || a.HeadComment != b.HeadComment || a.LineComment != b.LineComment ||
		a.FootComment != b.FootComment || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

// isEmptyNode reports whether n is an empty mapping or list, or null.
func isEmptyNode(n *yaml.Node) bool {
	return len(n.Content) == 0 && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) ||
		n.Kind == yaml.ScalarNode && n.ShortTag() == tagNull
}

// isEmptyCollection reports whether v is {} (or holds only nulls) or [].
func isEmptyCollection(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			if e != nil {
				return false
			}
		}
		return true
	case []any:
		return len(v) == 0
	}
	return false
}

// encodeOne writes n as the first element of a YAML list whose second is ~: any node, a
// null written as nothing included, is then a document, and a comment after n is read back
// as n's (at the end of a document, the YAML parser gives it to the document); decodeOne
// reads it back.
func encodeOne(n *yaml.Node) (string, bool) {
	end := &yaml.Node{Kind: yaml.ScalarNode, Tag: tagNull, Value: "~"}
	return encode(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{n, end}})
}

// encode writes n as YAML; ok is false for a node that holds anchors or aliases (written
// alone, an alias would lose its anchor) or that the encoder refuses.
func encode(n *yaml.Node) (string, bool) {
	if hasAnchors(n) {
		return "", false
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(n); err != nil {
		return "", false
	}
	if err := enc.Close(); err != nil {
		return "", false
	}
	return buf.String(), true
}

// hasAnchors reports whether n or a node under it is an alias or has an anchor.
func hasAnchors(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if hasAnchors(c) {
			return true
		}
	}
	return false
}
