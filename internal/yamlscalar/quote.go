package yamlscalar

import (
	"strings"
	"unicode"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// NeedsQuotes reports whether the string s must be quoted so that YAML 1.1 (kubectl's)
// and YAML 1.2 readers both read it back as the same string: "", a word YAML 1.1 reads as
// a bool or null, text YAML 1.2 reads as a number, bool, null or timestamp, and text
// YAML 1.1 reads as a number. Text that cannot be a plain scalar at all (a leading
// indicator or space, ": ", " #", a trailing space or colon) needs quotes too, so that
// the caller rather than the encoder chooses them; other text the encoder cannot write
// plain (a tab, a line break, a leading "---") it quotes itself.
func NeedsQuotes(s string) bool {
	if s == "" {
		return true
	}
	if _, ok := Word11(s); ok {
		return true
	}
	switch c := s[0]; {
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		// YAML reads a plain scalar starting with a letter as a string unless it is one of
		// YAML 1.1's words or cannot be plain (checked below).
	case !IsString(s):
		return true // a YAML 1.2 number, bool, null, timestamp or merge key
	case isDigit(c) || c == '.' || c == '+' || c == '-' && len(s) > 1 && (s[1] == '.' || isDigit(s[1])):
		if strings.ContainsAny(s, ":#") || hasControl(s) {
			return NonString11(s)
		}
		return false
	case c == '-' && len(s) > 1 && s[1] != ' ' && s[1] != '\t':
		// A dash starts a plain scalar (--flag, -p) unless a space follows.
	case strings.IndexByte("-?:,[]{}#&*!|>'\"%@` \t", c) >= 0:
		return true
	}
	last := s[len(s)-1]
	return last == ' ' || last == ':' || strings.Contains(s, ": ") || strings.Contains(s, " #")
}

// NotPlainString reports whether the string s, written plain, would not be read back as
// this string, by YAML 1.2 (the parser reading the text) or by YAML 1.1 (kubectl's). It
// quotes more than NeedsQuotes: every text that starts with a dash or holds a tab or line
// break, and whatever the parser does not read back as s.
func NotPlainString(s string) bool {
	return s == "" || !readsBackPlain(s) || NonString11(s)
}

// readsBackPlain reports whether YAML 1.2 reads the text s, written plain, as the string s.
func readsBackPlain(s string) bool {
	// Cheap answers first: flow collections, quotes, indicators and ": " or " #" are never
	// plain strings; otherwise ask the YAML parser.
	if strings.ContainsAny(s[:1], "{[]}'\"&*!|>%@`#,?:-") || strings.Contains(s, ": ") || strings.Contains(s, " #") ||
		strings.ContainsAny(s, "\n\t") || strings.HasSuffix(s, " ") || strings.HasSuffix(s, ":") {
		return false
	}
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return false
	}
	str, ok := v.(string)
	return ok && str == s
}

// QuoteStyle returns the quoting for a string that needs it: single quotes for printable
// text with double quotes in it (JSON in an annotation reads better so), else double.
func QuoteStyle(s string) yaml.Style {
	if !strings.Contains(s, `"`) || strings.Contains(s, "'") {
		return yaml.DoubleQuotedStyle
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return yaml.DoubleQuotedStyle
		}
	}
	return yaml.SingleQuotedStyle
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// hasControl reports whether s has a byte below space or DEL.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return true
		}
	}
	return false
}
