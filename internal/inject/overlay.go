package inject

import (
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// readOverlay reads the YAML a template rendered, for the usual shape of that text: block
// mappings and sequences indented with spaces, scalars on one line (plain, or quoted with
// the common escapes), JSON-like flow collections on one line, and comment lines. It
// gives what parseOverlay's full YAML 1.1 decode gives, without building the decoder's
// tokens, events and nodes; ok is false for any other text (block scalars, anchors, tags,
// multi-line scalars, plain scalars other than words and decimal integers, non-ASCII
// text, ...), which the full decode then reads.
func readOverlay(text []byte) (map[string]any, bool) {
	for _, c := range text {
		if (c < 0x20 || c >= 0x7F) && c != '\n' {
			return nil, false // tabs, carriage returns, control characters, non-ASCII text
		}
	}
	p := overlayReader{text: text, ok: true}
	p.next()
	if p.eof {
		return map[string]any{}, true // nothing but blanks and comments: the empty document
	}
	if p.indent != 0 || p.sequenceEntry() {
		return nil, false
	}
	m := p.mapping(0)
	if !p.ok || !p.eof {
		return nil, false
	}
	return m, true
}

// maxKey is the longest key readOverlay reads: YAML's simple keys end within 1024
// characters of their start.
const maxKey = 1000

// overlayReader walks the text line by line. The current line is line[start:], starting
// at column indent; a sequence entry's content ("- key: v") is read as a line of its own
// at the column after the dash.
type overlayReader struct {
	text   []byte
	pos    int    // where the next line starts
	line   []byte // the current line, without its line break
	start  int    // where its content starts in line
	indent int    // the column of its content
	eof    bool
	ok     bool
}

// next moves to the next line holding something other than spaces or a comment.
func (p *overlayReader) next() {
	for p.pos < len(p.text) {
		end := p.pos
		for end < len(p.text) && p.text[end] != '\n' {
			end++
		}
		line := p.text[p.pos:end]
		p.pos = end + 1
		i := 0
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i == len(line) || line[i] == '#' {
			continue
		}
		p.line, p.start, p.indent = line, i, i
		return
	}
	p.line, p.start, p.eof = nil, 0, true
}

func (p *overlayReader) fail() { p.ok = false }

// content is the rest of the current line.
func (p *overlayReader) content() []byte { return p.line[p.start:] }

// sequenceEntry reports whether the current line is a sequence entry ("- ..." or "-").
func (p *overlayReader) sequenceEntry() bool {
	c := p.content()
	return len(c) > 0 && c[0] == '-' && (len(c) == 1 || c[1] == ' ')
}

// block reads the block node starting on the current line, at its indent.
func (p *overlayReader) block() any {
	if p.sequenceEntry() {
		return p.sequence(p.indent)
	}
	return p.mapping(p.indent)
}

// mapping reads the entries of a block mapping at indent.
func (p *overlayReader) mapping(indent int) map[string]any {
	m := map[string]any{}
	for p.ok && !p.eof && p.indent == indent && !p.sequenceEntry() {
		key, rest, ok := p.key()
		if !ok {
			p.fail()
			return nil
		}
		m[key] = p.value(indent, rest)
	}
	if p.ok && !p.eof && p.indent > indent {
		p.fail() // text indented more than the mapping, that no key owns
	}
	return m
}

// key reads the key of the mapping entry on the current line and returns where the
// value starts.
func (p *overlayReader) key() (string, int, bool) {
	c := p.content()
	var key string
	var end int
	switch c[0] {
	case '"', '\'':
		s, n, ok := quoted(c)
		if !ok {
			return "", 0, false
		}
		key, end = s, n
	default:
		i := 0
		for i < len(c) && !(c[i] == ':' && (i+1 == len(c) || c[i+1] == ' ')) {
			i++
		}
		if i == len(c) {
			return "", 0, false
		}
		j := i
		for j > 0 && c[j-1] == ' ' {
			j--
		}
		word := c[:j]
		if !plainText(word, false) {
			return "", 0, false
		}
		if name, ok := fieldNames[string(word)]; ok {
			key = name // YAML reads every field name as itself (TestFieldNamesArePlainStrings)
		} else {
			v, ok := resolvePlain(word)
			s, isString := v.(string)
			if !ok || !isString || len(s) > 0 && s[0] == '<' {
				return "", 0, false // a key YAML reads as a number, bool or null, or a merge
			}
			key = s
		}
		end = i
	}
	for end < len(c) && c[end] == ' ' {
		end++
	}
	if end == len(c) || c[end] != ':' || end+1 < len(c) && c[end+1] != ' ' || end > maxKey {
		return "", 0, false
	}
	return key, p.start + end + 1, true
}

// value reads the value of a mapping entry at indent whose text starts at line[at:].
func (p *overlayReader) value(indent, at int) any {
	for at < len(p.line) && p.line[at] == ' ' {
		at++
	}
	if at < len(p.line) {
		v := p.inline(p.line[at:])
		p.next()
		if p.ok && !p.eof && p.indent > indent {
			p.fail() // a scalar continued on the next line
		}
		return v
	}
	p.next()
	switch {
	case p.eof || p.indent < indent:
		return nil
	case p.indent > indent:
		return p.block()
	case p.sequenceEntry():
		return p.sequence(indent)
	}
	return nil
}

// sequence reads the entries of a block sequence whose dashes are at indent.
func (p *overlayReader) sequence(indent int) []any {
	l := []any{}
	for p.ok && !p.eof && p.indent == indent && p.sequenceEntry() {
		at := p.start + 1
		for at < len(p.line) && p.line[at] == ' ' {
			at++
		}
		if at == len(p.line) {
			p.next()
			if !p.eof && p.indent > indent {
				l = append(l, p.block())
			} else {
				l = append(l, nil)
			}
			continue
		}
		p.start, p.indent = at, indent+(at-p.start)
		if p.startsNode() {
			l = append(l, p.block())
			continue
		}
		v := p.inline(p.line[at:])
		p.next()
		if p.ok && !p.eof && p.indent > indent {
			p.fail()
		}
		l = append(l, v)
	}
	if p.ok && !p.eof && p.indent > indent {
		p.fail()
	}
	return l
}

// startsNode reports whether the current content begins a block mapping or sequence
// rather than a scalar or flow collection.
func (p *overlayReader) startsNode() bool {
	if p.sequenceEntry() {
		return true
	}
	c := p.content()
	if c[0] == '[' || c[0] == '{' {
		return false
	}
	if c[0] == '"' || c[0] == '\'' {
		_, n, ok := quoted(c)
		for ok && n < len(c) && c[n] == ' ' {
			n++
		}
		return ok && n < len(c) && c[n] == ':'
	}
	for i := 0; i < len(c); i++ {
		if c[i] == ':' && (i+1 == len(c) || c[i+1] == ' ') {
			return true
		}
	}
	return false
}

// inline reads a scalar or flow collection that is all of text (up to trailing spaces).
func (p *overlayReader) inline(text []byte) any {
	end := len(text)
	for end > 0 && text[end-1] == ' ' {
		end--
	}
	text = text[:end]
	var v any
	var n int
	ok := true
	switch text[0] {
	case '[', '{':
		v, n, ok = flow(text, 0)
	case '"', '\'':
		v, n, ok = quoted(text)
	default:
		if ok = plainText(text, false); ok {
			v, ok = resolvePlain(text)
			n = len(text)
		}
	}
	if !ok || n != len(text) {
		p.fail()
		return nil
	}
	return v
}

// fieldNames are the JSON names of the fields of a Pod and of everything it holds: most
// keys a template renders, which readOverlay takes from here rather than allocating.
var fieldNames = func() map[string]string {
	names := map[string]string{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				names[name] = name
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[corev1.Pod]())
	return names
}()
