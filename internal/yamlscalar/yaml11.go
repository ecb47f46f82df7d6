package yamlscalar

import (
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// words are the plain scalars YAML 1.1 reads as booleans or null, among those starting
// with a letter or ~ (all others it reads as strings).
var words = map[string]any{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "true": true, "True": true, "TRUE": true,
	"on": true, "On": true, "ON": true, "n": false, "N": false, "no": false, "No": false, "NO": false,
	"false": false, "False": false, "FALSE": false, "off": false, "Off": false, "OFF": false,
	"~": nil, "null": nil, "Null": nil, "NULL": nil,
}

// wordFirst holds the first characters of words.
var wordFirst = func() (first [256]bool) {
	for w := range words {
		first[w[0]] = true
	}
	return first
}()

// Word11 returns the boolean or null (nil) YAML 1.1 reads the plain scalar s as, when s
// is one of its words for those (yes, Off, ~, NULL); ok is false for any other text. It
// takes the text as bytes too, not copied.
func Word11[T string | []byte](s T) (v any, ok bool) {
	if len(s) == 0 || !wordFirst[s[0]] {
		return nil, false
	}
	v, ok = words[string(s)]
	return v, ok
}

// NonString11 reports whether YAML 1.1 (go-yaml v2, as kubectl reads) reads the text s,
// as a whole document, as something other than a string: a plain scalar it reads as a
// bool, number or null, or text that is a collection or no scalar at all ("a: b", "- x",
// "#x"). It is false for "" and for text with a line break.
func NonString11(s string) bool { return yaml.IsValueNonString(s) }

// Only11 reports whether YAML 1.1 reads the plain scalar s as a boolean or a base-60
// number (yes, Off, 1:20) where YAML 1.2 reads a string: the go-yaml v3 encoder
// double-quotes these when it writes a Go string.
func Only11(s string) bool {
	if v, ok := Word11(s); ok {
		_, isBool := v.(bool)
		return isBool && IsString(s)
	}
	return isBase60Float(s)
}

// base60Float is a YAML 1.1 sexagesimal number (1:20, -3:25:45.5).
var base60Float = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)

func isBase60Float(s string) bool {
	return s != "" && (s[0] == '+' || s[0] == '-' || s[0] >= '0' && s[0] <= '9') &&
		strings.IndexByte(s, ':') >= 0 && base60Float.MatchString(s)
}
