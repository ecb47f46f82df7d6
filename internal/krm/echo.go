package krm

import (
	"bytes"
	"fmt"
	"io"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// echo is the input ResourceList with its results replaced by results: everything else
// (items, function config) as it was written. ok is false when the input's top level is
// not laid out one key per line from the first column, as kpt and kustomize write it.
//
// The lines in drop (the items' runner ids, runnerIDLines) are left out.
func echo(input []byte, results fn.Results, drop map[int]bool) ([]byte, bool) {
	keys, ok := keyLines(input)
	if !ok {
		return nil, false
	}
	var out bytes.Buffer
	if ok, _ := echoHead(&out, input, keys, drop); !ok {
		return nil, false
	}
	tail, err := resultsTail(results)
	if err != nil {
		return nil, false
	}
	out.Write(tail)
	return out.Bytes(), true
}

// keyLines parses input and returns the line of each key of its top level, in order. ok
// is false when input is not one mapping whose keys all start at the first column. A
// line that reads like a key at the first column may be none: it may continue a quoted
// scalar or a flow collection that started lines above, which only a parser can tell.
func keyLines(input []byte) (lines []int, ok bool) {
	m, ok := decodeOne(input)
	if !ok || m.Kind != yaml.MappingNode {
		return nil, false
	}
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Column != 1 {
			return nil, false
		}
		lines = append(lines, m.Content[i].Line)
	}
	return lines, true
}

// echoHead writes the input ResourceList without its results (nor the lines in drop), line
// by line. keys are the
// lines of the input's top-level keys (keyLines): a line that reads like a key but is
// not one of them, or a key that does not read like one, makes ok false. ok is false
// (and part may be written) when the input is not laid out as echo needs it, or what it
// keeps ends without a line break.
func echoHead(w io.Writer, input []byte, keys []int, drop map[int]bool) (ok bool, err error) {
	inResults, last := false, byte('\n')
	lineNo := 0
	for rest := input; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = nil
		}
		lineNo++
		switch key, top := topLevelKey(line); {
		case bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("...")):
			return false, nil // a document marker: more than one document
		case top:
			if len(keys) == 0 || keys[0] != lineNo {
				return false, nil // not a key of the ResourceList
			}
			keys = keys[1:]
			inResults = key == "results"
		case len(line) > 0 && !bytes.ContainsAny(line[:1], " \t\r\n#-"):
			return false, nil // not a block mapping at the top (JSON, a flow mapping)
		}
		if !inResults && len(line) > 0 && !drop[lineNo] {
			if _, err := w.Write(line); err != nil {
				return true, err
			}
			last = line[len(line)-1]
		}
	}
	if len(keys) > 0 {
		return false, nil // a key that does not read as one
	}
	if last != '\n' {
		// The input ends without a line break, which echo would have to add: that
		// changes the value of a block scalar ending there.
		return false, nil
	}
	return true, nil
}

// resultsTail is the results as the SDK writes them at the end of a ResourceList; empty
// for none.
func resultsTail(results fn.Results) ([]byte, error) {
	if len(results) == 0 {
		return nil, nil
	}
	tail, err := (&fn.ResourceList{Results: results, FunctionConfig: fn.NewEmptyKubeObject()}).ToYAML()
	if err != nil {
		return nil, err
	}
	i := bytes.Index(tail, []byte("\nresults:"))
	if i < 0 {
		return nil, fmt.Errorf("unexpected ResourceList encoding: %.60q", tail)
	}
	return tail[i+1:], nil
}

// topLevelKey returns the key a line starts at the top level of the document ("key:" from
// the first column), and whether it does.
func topLevelKey(line []byte) (string, bool) {
	if len(line) == 0 || !(line[0] >= 'a' && line[0] <= 'z' || line[0] >= 'A' && line[0] <= 'Z') {
		return "", false
	}
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return "", false
	}
	return string(line[:i]), true
}
