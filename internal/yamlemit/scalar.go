package yamlemit

import (
	"strings"
	"unicode/utf8"

	"github.com/meshfn/meshfn/internal/yamlscalar"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Short tags, as the encoder compares them.
const (
	tagStr = "!!str"
	tagMap = "!!map"
	tagSeq = "!!seq"
)

// implicitTag reports whether the encoder leaves a collection's tag out (a scalar's is
// decided in scalar).
func implicitTag(n *yaml.Node) bool {
	if n.Kind == yaml.ScalarNode || n.Tag == "" {
		return true
	}
	if n.Style&yaml.TaggedStyle != 0 {
		return false
	}
	switch shortTag(n.Tag) {
	case tagMap:
		return n.Kind == yaml.MappingNode
	case tagSeq:
		return n.Kind == yaml.SequenceNode
	}
	return false
}

func shortTag(tag string) string {
	if rest, ok := strings.CutPrefix(tag, "tag:yaml.org,2002:"); ok {
		return "!!" + rest
	}
	return tag
}

type scalarStyle int

const (
	plain scalarStyle = iota
	singleQuoted
	doubleQuoted
	literal
)

// style chooses a scalar's style as the encoder does, or reports false when it would
// write the scalar in a way this package does not (a tag, a folded or multi-line quoted
// style, a character it escapes other than a tab or line break). key is set for a
// mapping key, flow inside a flow collection.
func style(n *yaml.Node, key, flow bool) (scalarStyle, bool) {
	v := n.Value
	if n.Kind != yaml.ScalarNode || n.Anchor != "" || n.FootComment != "" || !utf8.ValidString(v) {
		return 0, false
	}
	st := plain
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		st = doubleQuoted
	case n.Style&yaml.SingleQuotedStyle != 0:
		st = singleQuoted
	case n.Style&yaml.LiteralStyle != 0:
		st = literal
	case n.Style&yaml.FoldedStyle != 0:
		return 0, false
	case strings.IndexByte(v, '\n') >= 0:
		st = literal
	}
	if n.Tag != "" {
		if n.Style&yaml.TaggedStyle != 0 {
			return 0, false
		}
		stag := shortTag(n.Tag)
		if stag != tagStr || st == plain {
			switch rtag := yamlscalar.Tag(v); {
			case rtag == stag:
			case stag == tagStr:
				if st == plain {
					st = doubleQuoted // a string that would read as something else
				}
			default:
				return 0, false // the encoder writes the tag
			}
		}
	}
	a, ok := analyze(v)
	if !ok || key && a.multiline {
		return 0, false
	}
	if st == plain && (flow && !a.flowPlain || !flow && !a.blockPlain || v == "" && (flow || key)) {
		st = singleQuoted
	}
	if st == singleQuoted && !a.singleQuoted {
		st = doubleQuoted
	}
	if st == literal && (!a.block || flow || key) {
		st = doubleQuoted
	}
	if st == singleQuoted && a.multiline || st == literal && !a.literalSupported {
		return 0, false
	}
	return st, true
}

// scalar writes a scalar on the current line, with the space the encoder puts before it
// after a block value's colon or an entry's dash. key is set for a mapping key, flow
// inside a flow collection.
func (w *writer) scalar(n *yaml.Node, key, flow bool) {
	st, ok := style(n, key, flow)
	if !ok || st == literal {
		w.fail()
		return
	}
	w.quoted(n.Value, st, !key && !flow)
}

// blockScalar writes the scalar value of a block mapping key or sequence entry, with its
// line comment, to the end of its last line; a literal's lines are indented by indent.
func (w *writer) blockScalar(n *yaml.Node, comment string, indent int) {
	st, ok := style(n, false, false)
	if !ok {
		w.fail()
		return
	}
	if st != literal {
		w.quoted(n.Value, st, true)
		w.lineEnd(comment)
		return
	}
	v := n.Value
	w.buf = append(w.buf, " |"...)
	if v[0] == ' ' || v[0] == '\n' {
		w.buf = append(w.buf, '2')
	}
	if v[len(v)-1] != '\n' {
		w.buf = append(w.buf, '-')
	}
	w.lineEnd(comment)
	for len(v) > 0 {
		line, rest, _ := strings.Cut(v, "\n")
		if line != "" {
			w.indent(indent)
			w.buf = append(w.buf, line...)
		}
		w.buf = append(w.buf, '\n') // also ends a last line without a line break
		v = rest
	}
}

// quoted writes v in a single-line style, after a space when spaced (except for an empty
// plain scalar, which writes nothing).
func (w *writer) quoted(v string, st scalarStyle, spaced bool) {
	if spaced && (st != plain || v != "") {
		w.buf = append(w.buf, ' ')
	}
	switch st {
	case plain:
		w.buf = append(w.buf, v...)
	case singleQuoted:
		w.buf = append(w.buf, '\'')
		for {
			i := strings.IndexByte(v, '\'')
			if i < 0 {
				break
			}
			w.buf = append(append(w.buf, v[:i+1]...), '\'')
			v = v[i+1:]
		}
		w.buf = append(append(w.buf, v...), '\'')
	default:
		w.buf = append(w.buf, '"')
		for {
			i := strings.IndexAny(v, "\"\\\t\n")
			if i < 0 {
				break
			}
			w.buf = append(w.buf, v[:i]...)
			switch v[i] {
			case '\t':
				w.buf = append(w.buf, '\\', 't')
			case '\n':
				w.buf = append(w.buf, '\\', 'n')
			default:
				w.buf = append(w.buf, '\\', v[i])
			}
			v = v[i+1:]
		}
		w.buf = append(append(w.buf, v...), '"')
	}
}

// analysis is what the encoder concludes from a scalar's text about the styles it allows.
type analysis struct {
	flowPlain, blockPlain, singleQuoted, block, multiline bool
	// literalSupported is false for a literal scalar the encoder writes with a "+"
	// chomping indicator (ending in more than one line break, or only one), which this
	// package leaves to it.
	literalSupported bool
}

// analyze reads v as the encoder's scalar analysis does, for text of printable
// characters, tabs and line feeds; ok is false for any other text.
func analyze(v string) (a analysis, ok bool) {
	if v == "" {
		return analysis{blockPlain: true, singleQuoted: true}, true
	}
	if a, ok := analyzeWord(v); ok {
		return a, true
	}
	return analyzeText(v)
}

// analyzeText is analyze for any text.
func analyzeText(v string) (analysis, bool) {
	var sc scan
	if strings.HasPrefix(v, "---") || strings.HasPrefix(v, "...") {
		sc.flowIndicators, sc.blockIndicators = true, true
	}
	sc.precededByBlank = true
	for i := 0; i < len(v); {
		c := v[i]
		if i > 0 && wordChars[c] && c != '#' { // sets nothing but what follows it
			sc.previousSpace, sc.previousBreak, sc.precededByBlank = false, false, false
			i++
			continue
		}
		width := 1
		if c >= 0x80 {
			var printable bool
			if width, printable = nonASCII(v, i); !printable {
				return analysis{}, false
			}
		} else if c != '\t' && c != '\n' && (c < 0x20 || c > 0x7E) {
			return analysis{}, false
		}
		followedByBlank := i+width >= len(v) || v[i+width] == ' ' || v[i+width] == '\t'
		sc.indicator(c, i == 0, followedByBlank)
		sc.blank(c, i == 0, i+width == len(v))
		i += width
	}
	return sc.result(v), true
}

// scan is what analyzeText has seen so far.
type scan struct {
	flowIndicators, blockIndicators, tabs, leadingSpace, trailingSpace, leadingBreak, trailingBreak,
	breakSpace, spaceBreak, breaks, previousSpace, previousBreak, precededByBlank bool
}

// indicator notes the indicators c makes, first in the text or after.
func (sc *scan) indicator(c byte, first, followedByBlank bool) {
	if first {
		switch c {
		case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
			sc.flowIndicators, sc.blockIndicators = true, true
		case '?', ':':
			sc.flowIndicators = true
			sc.blockIndicators = sc.blockIndicators || followedByBlank
		case '-':
			if followedByBlank {
				sc.flowIndicators, sc.blockIndicators = true, true
			}
		}
		return
	}
	switch c {
	case ',', '?', '[', ']', '{', '}':
		sc.flowIndicators = true
	case ':':
		sc.flowIndicators = true
		sc.blockIndicators = sc.blockIndicators || followedByBlank
	case '#':
		if sc.precededByBlank {
			sc.flowIndicators, sc.blockIndicators = true, true
		}
	}
}

// blank notes spaces, tabs and line breaks, and what they follow.
func (sc *scan) blank(c byte, first, last bool) {
	switch c {
	case '\t':
		sc.tabs = true
		sc.previousSpace, sc.previousBreak = false, false
	case ' ':
		sc.leadingSpace = sc.leadingSpace || first
		sc.trailingSpace = sc.trailingSpace || last
		sc.breakSpace = sc.breakSpace || sc.previousBreak
		sc.previousSpace, sc.previousBreak = true, false
	case '\n':
		sc.breaks = true
		sc.leadingBreak = sc.leadingBreak || first
		sc.trailingBreak = sc.trailingBreak || last
		sc.spaceBreak = sc.spaceBreak || sc.previousSpace
		sc.previousSpace, sc.previousBreak = false, true
	default:
		sc.previousSpace, sc.previousBreak = false, false
	}
	sc.precededByBlank = c == ' ' || c == '\t' || c == '\n'
}

// result is the encoder's conclusions from what the scan saw of v.
func (sc *scan) result(v string) analysis {
	a := analysis{flowPlain: true, blockPlain: true, singleQuoted: true, block: true, multiline: sc.breaks, literalSupported: true}
	if sc.leadingSpace || sc.leadingBreak || sc.trailingSpace || sc.trailingBreak || sc.breaks || sc.breakSpace || sc.spaceBreak || sc.tabs {
		a.flowPlain, a.blockPlain = false, false
	}
	if sc.breakSpace || sc.spaceBreak || sc.tabs {
		a.singleQuoted = false
	}
	if sc.trailingSpace || sc.spaceBreak {
		a.block = false
	}
	if sc.flowIndicators {
		a.flowPlain = false
	}
	if sc.blockIndicators {
		a.blockPlain = false
	}
	if sc.trailingBreak && (len(v) == 1 || v[len(v)-2] == '\n') {
		a.literalSupported = false
	}
	return a
}

// wordChars are the characters that set nothing in the analysis after the first: printable
// ASCII but for blanks and the flow indicators ",?[]{}:".
var wordChars = func() (t [256]bool) {
	for c := 0x21; c < 0x7F; c++ {
		t[c] = !strings.ContainsRune(",?[]{}:", rune(c))
	}
	return t
}()

// analyzeWord is analyze for the common text without blanks, line breaks, non-ASCII
// characters or indicators (but for flow indicators past the first character and colons
// not followed by a blank); ok is false for other text.
func analyzeWord(v string) (analysis, bool) {
	switch c := v[0]; {
	case strings.IndexByte("#,[]{}&*!|>'\"%@`?: \t", c) >= 0 || !wordChars[c]:
		return analysis{}, false
	case c == '-' && (len(v) == 1 || v[1] == '-' || v[1] == ' ' || v[1] == '\t'):
		return analysis{}, false
	case c == '.' && strings.HasPrefix(v, "..."):
		return analysis{}, false
	}
	flowIndicators := false
	for i := 1; i < len(v); i++ {
		c := v[i]
		if wordChars[c] {
			continue
		}
		switch c {
		case ',', '?', '[', ']', '{', '}':
			flowIndicators = true
		case ':':
			if i+1 == len(v) || v[i+1] == ' ' || v[i+1] == '\t' {
				return analysis{}, false
			}
			flowIndicators = true
		default:
			return analysis{}, false
		}
	}
	return analysis{flowPlain: !flowIndicators, blockPlain: true, singleQuoted: true, block: true, literalSupported: true}, true
}

// nonASCII returns the width of the UTF-8 character at v[i] and whether the encoder
// writes it as it is: printable, and no line break.
func nonASCII(v string, i int) (width int, printable bool) {
	r, width := utf8.DecodeRuneInString(v[i:])
	switch {
	case r == utf8.RuneError || r == 0x2028 || r == 0x2029 || r == 0xFEFF:
		return width, false
	case r < 0xA0, r >= 0xD800 && r < 0xE000, r == 0xFFFE, r == 0xFFFF, r > 0xFFFF:
		return width, false
	}
	return width, true
}
