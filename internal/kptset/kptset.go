// Package kptset reads the setter comments of kpt packages ("# kpt-set: ${name}"), which
// apply-setters applies and validate-mesh follows to name where a value was set.
package kptset

import (
	"regexp"
	"strings"
)

// CommentPrefix starts the line comment that tags a field with a setter pattern. Like the
// catalog, only this exact spelling is recognised ("#kpt-set:" is not).
const CommentPrefix = "# kpt-set: "

// RefPattern matches one setter reference, "${name}"; a name runs up to the first '}'.
var RefPattern = regexp.MustCompile(`\$\{([^}]*)\}`)

// PatternOf returns the setter pattern a line comment holds, and whether it holds one.
func PatternOf(lineComment string) (string, bool) {
	rest, ok := strings.CutPrefix(lineComment, CommentPrefix)
	if !ok {
		return "", false
	}
	pattern := strings.TrimSpace(rest)
	return pattern, pattern != ""
}

// Refs returns the names of the setters a pattern references, in order, repeats included.
func Refs(pattern string) []string {
	var names []string
	for _, m := range RefPattern.FindAllStringSubmatch(pattern, -1) {
		names = append(names, m[1])
	}
	return names
}
