package inject

import (
	"strconv"
	"unicode/utf8"

	"github.com/meshfn/meshfn/internal/yamlscalar"
)

// quoted reads the single- or double-quoted scalar at the start of text, which must end
// on the same line: its value, and the length of its text.
func quoted(text []byte) (string, int, bool) {
	q := text[0]
	var out []byte
	for i := 1; i < len(text); i++ {
		c := text[i]
		switch {
		case c < 0x20 || c >= 0x7F:
			return "", 0, false // control characters, and text left to the full decode
		case c == q && q == '\'' && i+1 < len(text) && text[i+1] == '\'':
			out = append(out, '\'')
			i++
		case c == q:
			return string(out), i + 1, true
		case c == '\\' && q == '"':
			r, n, ok := escape(text[i+1:])
			if !ok {
				return "", 0, false
			}
			out = utf8.AppendRune(out, r)
			i += n
		default:
			out = append(out, c)
		}
	}
	return "", 0, false
}

// escape reads the escape sequence after a backslash: its character and its length.
func escape(text []byte) (rune, int, bool) {
	if len(text) == 0 {
		return 0, 0, false
	}
	switch text[0] {
	case '"', '\\':
		return rune(text[0]), 1, true
	case 'n':
		return '\n', 1, true
	case 't':
		return '\t', 1, true
	case 'r':
		return '\r', 1, true
	case 'b':
		return '\b', 1, true
	case 'f':
		return '\f', 1, true
	case '0':
		return 0, 1, true
	case 'u':
		if len(text) < 5 {
			return 0, 0, false
		}
		n, err := strconv.ParseUint(string(text[1:5]), 16, 32)
		if err != nil || n >= 0xD800 && n < 0xE000 {
			return 0, 0, false
		}
		return rune(n), 5, true
	}
	return 0, 0, false
}

// flow reads the flow collection at the start of text ("[...]" or "{...}"), which must end
// on the same line: its value and the length of its text. Keys are quoted or plain words;
// scalars are quoted, words or decimal integers.
func flow(text []byte, depth int) (any, int, bool) {
	if depth > 32 {
		return nil, 0, false
	}
	isMap := text[0] == '{'
	closing := byte(']')
	if isMap {
		closing = '}'
	}
	m, l := map[string]any{}, []any{}
	i := skipSpaces(text, 1)
	if i < len(text) && text[i] == closing {
		if isMap {
			return m, i + 1, true
		}
		return l, i + 1, true
	}
	for {
		var key string
		if isMap {
			k, n, ok := flowScalar(text[i:], true)
			s, isString := k.(string)
			if !ok || !isString {
				return nil, 0, false
			}
			plainKey := text[i] != '"' && text[i] != '\''
			if n > maxKey {
				return nil, 0, false
			}
			i = skipSpaces(text, i+n)
			// After a plain key, only ": " separates the value (a:b is one scalar).
			if i >= len(text) || text[i] != ':' || plainKey && (i+1 == len(text) || text[i+1] != ' ') {
				return nil, 0, false
			}
			i = skipSpaces(text, i+1)
			key = s
		}
		if i >= len(text) {
			return nil, 0, false
		}
		var v any
		var n int
		var ok bool
		if text[i] == '[' || text[i] == '{' {
			v, n, ok = flow(text[i:], depth+1)
		} else {
			v, n, ok = flowScalar(text[i:], false)
		}
		if !ok {
			return nil, 0, false
		}
		if isMap {
			m[key] = v
		} else {
			l = append(l, v)
		}
		i = skipSpaces(text, i+n)
		switch {
		case i < len(text) && text[i] == ',':
			i = skipSpaces(text, i+1)
			if i < len(text) && text[i] == closing {
				return nil, 0, false // a trailing comma
			}
		case i < len(text) && text[i] == closing:
			if isMap {
				return m, i + 1, true
			}
			return l, i + 1, true
		default:
			return nil, 0, false
		}
	}
}

// flowScalar reads a quoted scalar, or a plain word ending at a flow indicator.
func flowScalar(text []byte, key bool) (any, int, bool) {
	if len(text) == 0 {
		return nil, 0, false
	}
	if text[0] == '"' || text[0] == '\'' {
		return quoted(text)
	}
	n := 0
	for n < len(text) && text[n] != ',' && text[n] != ']' && text[n] != '}' && text[n] != ':' && text[n] != ' ' {
		n++
	}
	word := text[:n]
	if n == 0 || !plainText(word, true) {
		return nil, 0, false
	}
	v, ok := resolvePlain(word)
	if _, isString := v.(string); key && (!isString || word[0] == '<') {
		return nil, 0, false
	}
	return v, n, ok
}

func skipSpaces(text []byte, i int) int {
	for i < len(text) && text[i] == ' ' {
		i++
	}
	return i
}

// plainText reports whether word is a plain scalar this reader reads: printable ASCII
// that does not start with an indicator and holds nothing that ends a plain scalar or
// starts a comment or a mapping value (in flow, nothing that ends a flow item either).
func plainText(word []byte, inFlow bool) bool {
	if len(word) == 0 {
		return false
	}
	switch word[0] {
	case '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ',', '?', ':':
		return false
	case '-':
		if len(word) == 1 || word[1] == ' ' || len(word) >= 3 && word[1] == '-' && word[2] == '-' {
			return false
		}
	case '.':
		if len(word) >= 3 && word[1] == '.' && word[2] == '.' {
			return false
		}
	}
	for i, c := range word {
		switch {
		case c < 0x20 || c >= 0x7F:
			return false
		case c == ':' && (i+1 == len(word) || word[i+1] == ' '):
			return false
		case c == '#' && word[i-1] == ' ':
			return false
		case inFlow && (c == ',' || c == '[' || c == ']' || c == '{' || c == '}' || c == ' '):
			return false
		}
	}
	return word[len(word)-1] != ' '
}

// resolvePlain returns the JSON value of a plain scalar as YAML 1.1 reads it: a string,
// a boolean, null, or a decimal integer as a float64; ok is false for text that may be
// another number or a timestamp, which the full decode reads.
func resolvePlain(word []byte) (any, bool) {
	c := word[0]
	switch {
	case c >= '0' && c <= '9', c == '+', c == '-':
		if c != '+' && decimal(word) {
			n, err := strconv.ParseInt(string(word), 10, 64)
			return float64(n), err == nil
		}
		if c == '-' {
			// YAML 1.1 reads numbers with the underscores removed: a sign followed by
			// anything but a digit or a point is no number.
			rest := word[1:]
			for len(rest) > 0 && rest[0] == '_' {
				rest = rest[1:]
			}
			if len(rest) > 0 && !(rest[0] >= '0' && rest[0] <= '9') && rest[0] != '.' {
				return string(word), true
			}
		}
		return nil, false
	case c == '.':
		return nil, false
	}
	if v, ok := yamlscalar.Word11(word); ok {
		return v, true
	}
	return string(word), true
}

// decimal reports whether word is a decimal integer without leading zeros, short enough
// for an int64.
func decimal(word []byte) bool {
	digits := word
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || len(digits) > 1 && digits[0] == '0' {
		return false
	}
	for _, d := range digits {
		if d < '0' || d > '9' {
			return false
		}
	}
	return true
}
