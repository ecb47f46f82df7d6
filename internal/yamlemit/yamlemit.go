// Package yamlemit writes YAML node trees byte for byte as kyaml's encoder writes them
// (yaml.v3 with an indent of 2 and compact sequences, as yaml.NewEncoder in
// sigs.k8s.io/kustomize/kyaml/yaml sets it up), several times faster and without the
// encoder's event queue, which for a large document costs as much memory as the document.
//
// It writes the shapes Kubernetes objects have: block mappings and sequences, flow
// collections, plain, single- and double-quoted scalars, head comments on keys and
// sequence entries and line comments on scalars (and on keys and empty collections where
// the encoder keeps them on the same line). For anything else, Append says so and the
// caller uses the encoder: multi-line and block scalars, anchors and aliases, tags the
// encoder would write, foot comments, keys that are not short scalars, comments where the
// encoder moves them, and text the encoder escapes beyond a tab.
package yamlemit

import (
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Append appends the document the encoder writes for node, a mapping, to buf and returns
// it with true; or returns buf unchanged and false when node holds something Append does
// not write (see the package documentation).
func Append(buf []byte, node *yaml.Node) ([]byte, bool) {
	if node == nil || node.Kind != yaml.MappingNode || node.Anchor != "" || !implicitTag(node) ||
		node.LineComment != "" || node.FootComment != "" {
		return buf, false
	}
	w := writer{buf: buf, ok: true}
	if node.HeadComment != "" {
		w.comment(node.HeadComment, 0)
	}
	switch {
	case len(node.Content) == 0:
		w.buf = append(w.buf, "{}\n"...)
	case node.Style&yaml.FlowStyle != 0:
		w.flow(node)
		w.buf = append(w.buf, '\n')
	default:
		w.mapping(node, 0, false)
	}
	if !w.ok {
		return buf[:len(buf)], false
	}
	return w.buf, true
}

// writer appends to buf until a node it does not write clears ok.
type writer struct {
	buf []byte
	ok  bool
}

// fail records that the node cannot be written here.
func (w *writer) fail() { w.ok = false }

func (w *writer) indent(n int) {
	for range n {
		w.buf = append(w.buf, ' ')
	}
}

// mapping writes a non-empty block mapping whose keys start at column indent. With
// inline, the first key continues the current line (after a sequence entry's "- ").
func (w *writer) mapping(n *yaml.Node, indent int, inline bool) {
	if len(n.Content)%2 != 0 {
		w.fail()
		return
	}
	for i := 0; i < len(n.Content) && w.ok; i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if !w.simpleKey(key) {
			w.fail()
			return
		}
		w.entryStart(key.HeadComment, indent, inline && i == 0)
		w.scalar(key, true, false)
		w.buf = append(w.buf, ':')
		w.value(key, value, indent)
	}
}

// entryStart starts a mapping entry or sequence entry at column indent, after its head
// comment; inline, it continues the current line after an outer entry's "-" (where the
// encoder would put a head comment on that line: not written here).
func (w *writer) entryStart(head string, indent int, inline bool) {
	switch {
	case inline && head != "":
		w.fail()
	case inline:
		w.buf = append(w.buf, ' ')
	default:
		if head != "" {
			w.comment(head, indent)
		}
		w.indent(indent)
	}
}

// value writes the value of a mapping key, from just after its colon to the end of its
// last line.
func (w *writer) value(key, v *yaml.Node, indent int) {
	if v.HeadComment != "" || v.FootComment != "" || v.Anchor != "" || !implicitTag(v) {
		w.fail()
		return
	}
	switch {
	case v.Kind == yaml.ScalarNode:
		comment := v.LineComment
		if key.LineComment != "" {
			if comment != "" {
				w.fail() // the encoder drops one of the two
				return
			}
			comment = key.LineComment
		}
		w.blockScalar(v, comment, indent+2)
	case v.Kind != yaml.MappingNode && v.Kind != yaml.SequenceNode:
		w.fail()
	case len(v.Content) == 0 || v.Style&yaml.FlowStyle != 0:
		if key.LineComment != "" {
			w.fail() // the encoder writes it elsewhere, or drops it
			return
		}
		w.buf = append(w.buf, ' ')
		w.flow(v)
		w.lineEnd(v.LineComment)
	case v.LineComment != "":
		w.fail() // the encoder writes it after the collection's last line
	default:
		w.lineEnd(key.LineComment)
		if v.Kind == yaml.MappingNode {
			w.mapping(v, indent+2, false)
		} else {
			w.sequence(v, indent, false)
		}
	}
}

// sequence writes a non-empty block sequence whose dashes are at column indent. With
// inline, the first entry continues the current line (after an outer entry's "- ").
func (w *writer) sequence(n *yaml.Node, indent int, inline bool) {
	for i, item := range n.Content {
		if !w.ok {
			return
		}
		if item.FootComment != "" || item.Anchor != "" || !implicitTag(item) {
			w.fail()
			return
		}
		w.entryStart(item.HeadComment, indent, inline && i == 0)
		w.buf = append(w.buf, '-')
		w.item(item, indent)
	}
}

// item writes a sequence entry, from just after its dash to the end of its last line.
func (w *writer) item(v *yaml.Node, indent int) {
	switch {
	case v.Kind == yaml.ScalarNode:
		w.blockScalar(v, v.LineComment, indent+2)
	case v.Kind != yaml.MappingNode && v.Kind != yaml.SequenceNode:
		w.fail()
	case len(v.Content) == 0 || v.Style&yaml.FlowStyle != 0:
		w.buf = append(w.buf, ' ')
		w.flow(v)
		w.lineEnd(v.LineComment)
	case v.LineComment != "":
		w.fail()
	case v.Kind == yaml.MappingNode:
		w.mapping(v, indent+2, true)
	default:
		w.sequence(v, indent+2, true)
	}
}

// flow writes a collection in flow style, "[a, b]" or "{a: b}"; the encoder writes empty
// collections so whatever their style. Comments inside it are not written.
func (w *writer) flow(n *yaml.Node) {
	open, close := byte('['), byte(']')
	if n.Kind == yaml.MappingNode {
		open, close = '{', '}'
		if len(n.Content)%2 != 0 {
			w.fail()
			return
		}
	}
	w.buf = append(w.buf, open)
	for i, e := range n.Content {
		if !w.ok {
			return
		}
		if e.HeadComment != "" || e.LineComment != "" || e.FootComment != "" || e.Anchor != "" || !implicitTag(e) {
			w.fail()
			return
		}
		isKey := n.Kind == yaml.MappingNode && i%2 == 0
		switch {
		case i > 0 && isKey || i > 0 && n.Kind == yaml.SequenceNode:
			w.buf = append(w.buf, ", "...)
		case i > 0:
			w.buf = append(w.buf, ": "...)
		}
		switch {
		case isKey && !w.simpleKey(e):
			w.fail()
		case e.Kind == yaml.ScalarNode:
			w.scalar(e, isKey, true)
		case e.Kind == yaml.MappingNode || e.Kind == yaml.SequenceNode:
			w.flow(e)
		default:
			w.fail()
		}
	}
	w.buf = append(w.buf, close)
}

// lineEnd ends the current line, with a comment when there is one.
func (w *writer) lineEnd(comment string) {
	if strings.IndexByte(comment, '\n') >= 0 {
		w.fail() // the encoder indents its other lines by its own rules
		return
	}
	if comment != "" {
		w.buf = append(w.buf, ' ')
		w.commentLines(comment, 0)
		return
	}
	w.buf = append(w.buf, '\n')
}

// comment writes a comment on lines of its own, indented.
func (w *writer) comment(text string, indent int) {
	w.indent(indent)
	w.commentLines(text, indent)
}

// commentLines writes a comment from the current position, as the encoder does: each
// line starts with "# " unless it starts with "#", lines after the first are indented,
// empty lines stay empty, and the comment ends its last line.
func (w *writer) commentLines(text string, indent int) {
	if !utf8.ValidString(text) {
		w.fail()
		return
	}
	atStart, pound := true, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\r' || isUnicodeBreak(text, i) {
			w.fail()
			return
		}
		if c == '\n' {
			w.buf = append(w.buf, '\n')
			atStart, pound = false, false
			continue
		}
		if !atStart && !pound {
			w.indent(indent)
		}
		if !pound {
			if c != '#' {
				w.buf = append(w.buf, "# "...)
			}
			pound, atStart = true, false
		}
		w.buf = append(w.buf, c)
	}
	if len(text) == 0 || text[len(text)-1] != '\n' {
		w.buf = append(w.buf, '\n')
	}
}

// simpleKey reports whether the encoder writes n as a simple key ("key:", not "? key").
// Its comments are the caller's to check.
func (w *writer) simpleKey(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && len(n.Value) <= 128 && n.Anchor == ""
}

// isUnicodeBreak reports whether text has NEL, LS or PS at i, which YAML reads as line breaks.
func isUnicodeBreak(text string, i int) bool {
	switch text[i] {
	case 0xC2:
		return i+1 < len(text) && text[i+1] == 0x85
	case 0xE2:
		return i+2 < len(text) && text[i+1] == 0x80 && (text[i+2] == 0xA8 || text[i+2] == 0xA9)
	}
	return false
}
