package builtin

import (
	"fmt"
	"strings"
)

// The built-in templates are made of named blocks ({{- define "NAME" }} ... {{- end }}), so
// that a release whose injector renders a part differently replaces that block alone. A
// block starts with a line that begins with `{{- define "NAME" }}` and ends with the first
// line, from there on, that is `{{- end }}` at the start of a line, or with the define's
// own line when that line ends with `{{- end }}` (a one-line block). Ends inside a block
// are indented, so they never close it.

const (
	defineOpen = `{{- define "`
	blockEnd   = `{{- end }}`
)

// replaceBlocks returns text with each named block it defines replaced by its new body,
// and marks in replaced the names it replaced.
func replaceBlocks(text string, bodies map[string]string, replaced map[string]bool) (string, error) {
	if len(bodies) == 0 {
		return text, nil
	}
	lines := strings.SplitAfter(text, "\n")
	var out strings.Builder
	out.Grow(len(text))
	for i := 0; i < len(lines); i++ {
		name, ok := blockName(lines[i])
		body, replace := bodies[name]
		if !ok || !replace {
			out.WriteString(lines[i])
			continue
		}
		end, err := blockEndLine(lines, i, name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&out, "%s%s\" }}%s%s", defineOpen, name, body, blockEnd)
		if strings.HasSuffix(lines[end], "\n") {
			out.WriteString("\n")
		}
		replaced[name] = true
		i = end
	}
	return out.String(), nil
}

// blockName returns the name of the block a line opens.
func blockName(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, defineOpen)
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, `"`)
	return name, ok
}

// blockEndLine returns the index of the line that ends the block opened at lines[start].
func blockEndLine(lines []string, start int, name string) (int, error) {
	if strings.HasSuffix(strings.TrimRight(lines[start], "\n"), blockEnd) {
		return start, nil
	}
	for i := start + 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], "\n") == blockEnd {
			return i, nil
		}
	}
	return 0, fmt.Errorf("block %q has no %s at the start of a line", name, blockEnd)
}
