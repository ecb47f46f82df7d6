package krm

import (
	"bytes"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// StreamFunc is the body of a function that never changes the items (a validator) and
// reads them once, in order. rl holds the config and takes the results; rl.Items is empty.
// items parses each item as the function reaches it, so an item the function does not
// keep is freed: the whole input never lives as nodes at once. items may be ranged over
// once only: once every item is read, the input's text is written out and dropped.
type StreamFunc func(rl *ResourceList, items iter.Seq[*yaml.RNode]) error

// MainStream is Main for a StreamFunc. It collects garbage at Go's default target (GOGC
// still wins): Main's wider one pays for input nodes held to the end, which a StreamFunc
// does not hold, and would let the heap grow to three times what it keeps.
func MainStream(f StreamFunc, usage string) int {
	return mainWith(func(w io.Writer, input []byte) (fn.Results, error) { return RunStreamTo(w, f, input) }, usage, 0)
}

// RunStreamTo runs f on the input and writes the input with the results to w, as RunTo
// writes an Unchanged function's output. The items are read one at a time when the input
// is laid out as kpt and kustomize write it (a block mapping at the top, the items a block
// sequence) and every item can be read on its own; otherwise (JSON, flow style, an alias
// to another item's anchor, an item that is not a mapping) f runs again on the items of
// the whole input, read as RunTo reads them, so it sees the same items and a malformed
// input gets the same error.
//
// Read one at a time, the items and config go out as soon as f has read the last item
// (they are the input's, whatever f finds), and the input is dropped: of a large package,
// f then holds what it keeps of the items only. The caller must not keep input either.
func RunStreamTo(w io.Writer, f StreamFunc, input []byte) (fn.Results, error) {
	s := &itemStream{input: input}
	input = nil // s holds the only reference, which it drops once the items are out
	if results, ok, err := s.run(w, f); ok {
		return results, err
	}
	return RunTo(w, func(rl *ResourceList) error {
		rl.Unchanged = true
		return f(rl, slices.Values(rl.Items))
	}, s.input)
}

// itemStream is an input read one item at a time.
type itemStream struct {
	input []byte // nil once written out
	items []itemText
	keys  []int // the lines of the input's top-level keys
	read  int   // how many items were read
	root  renderRoot
	// drop are the lines the echo leaves out: the items' runner ids (runnerIDLines).
	drop map[int]bool
	// broken is set when an item cannot be read on its own.
	broken bool
}

// run is RunStreamTo reading the items one at a time; ok is false (and nothing is
// written) when the input cannot be read so.
func (s *itemStream) run(w io.Writer, f StreamFunc) (results fn.Results, ok bool, err error) {
	rest, items, ok := splitItems(s.input)
	if !ok {
		return nil, false, nil
	}
	// rest keeps the input's line numbers: its keys are the input's, once every item
	// is read on its own (an item cut where a line only reads like a key is no YAML).
	if s.keys, ok = keyLines(rest); !ok {
		return nil, false, nil
	}
	if ok, _ := echoHead(io.Discard, s.input, s.keys, nil); !ok {
		return nil, false, nil
	}
	head, err := fn.ParseResourceList(rest)
	if err != nil || len(head.Items) != 0 {
		return nil, false, nil
	}
	s.items = items
	rl := &ResourceList{Unchanged: true}
	if head.FunctionConfig != nil && !head.FunctionConfig.IsEmpty() {
		rl.Config = head.FunctionConfig.MoveToResourceNode()
		if checkInput(nil, rl.Config, true) != nil {
			return nil, false, nil // RunTo reports it
		}
	}
	var written error
	all := func(yield func(*yaml.RNode) bool) {
		if s.each(yield) {
			written = s.writeHead(w)
		}
	}
	if _, err := call(func() error { return f(rl, all) }); err != nil {
		rl.Results = append(rl.Results, fn.ErrorResult(err))
	}
	if s.broken {
		return nil, false, nil
	}
	s.root.relativize(rl.Results)
	results = append(earlierResults(head.Results), rl.Results...)
	if s.input != nil {
		// f stopped early: the items it did not read must be read on their own too.
		if !s.readRest() {
			return nil, false, nil
		}
		written = s.writeHead(w)
	}
	if written != nil {
		return results, true, written
	}
	tail, err := resultsTail(results)
	if err == nil {
		_, err = w.Write(tail)
	}
	return results, true, err
}

// each yields every item, parsed on its own, and reports whether all were read.
func (s *itemStream) each(yield func(*yaml.RNode) bool) bool {
	if s.input == nil {
		panic("krm: a StreamFunc ranged over its items twice")
	}
	for i, t := range s.items {
		it, ok := parseItem(s.input, t)
		if !ok {
			s.broken = true
			return false
		}
		s.read = max(s.read, i+1)
		s.root.add(it)
		runnerIDLines(it, s.dropLines())
		if !yield(it) {
			return false
		}
	}
	return true
}

// readRest reads the items the function did not, each on its own, and reports whether
// all can be.
func (s *itemStream) readRest() bool {
	for _, t := range s.items[s.read:] {
		it, ok := parseItem(s.input, t)
		if !ok {
			return false
		}
		runnerIDLines(it, s.dropLines())
	}
	return true
}

func (s *itemStream) dropLines() map[int]bool {
	if s.drop == nil {
		s.drop = map[int]bool{}
	}
	return s.drop
}

// writeHead writes the input without its results and drops it.
func (s *itemStream) writeHead(w io.Writer) error {
	_, err := echoHead(w, s.input, s.keys, s.drop)
	s.input, s.items, s.keys, s.drop = nil, nil, nil, nil
	return err
}

// itemText is where an item of the input's items sequence is: from start (the line of
// its "-") to end; dash is the offset of its "-", line the number of its first line.
type itemText struct {
	start, dash, end, line int
}

// splitItems finds the items of a ResourceList laid out as echo needs it, with the items
// a block sequence, and returns the input without them (the items key as an empty list,
// its lines blank, so the rest keeps its line numbers) and where each item is. ok is
// false for any other layout.
func splitItems(input []byte) (rest []byte, items []itemText, ok bool) {
	var out bytes.Buffer
	inItems, seen, indent := false, false, -1
	lineNo := 0
	for off := 0; off < len(input); {
		line := input[off:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		lineNo++
		key, top := topLevelKey(line)
		switch {
		case bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("...")):
			return nil, nil, false
		case top:
			inItems = key == "items"
			if inItems {
				if seen || !isBlank(line[len("items:"):]) {
					return nil, nil, false // a flow sequence or a value on the key's line
				}
				seen = true
				out.WriteString("items: []\n")
				off += len(line)
				continue
			}
		case inItems:
			if !isBlank(line) {
				n := leadingSpaces(line)
				entry := line[n] == '-' && (n+1 == len(line) || strings.IndexByte(" \r\n", line[n+1]) >= 0)
				if indent < 0 {
					indent = n
				}
				switch {
				case entry && n == indent:
					if len(items) > 0 {
						items[len(items)-1].end = off
					}
					items = append(items, itemText{start: off, dash: off + n, line: lineNo})
				case n <= indent || len(items) == 0:
					return nil, nil, false // not an entry of the items sequence
				}
			}
			out.WriteByte('\n')
			off += len(line)
			continue
		case len(line) > 0 && !bytes.ContainsAny(line[:1], " \t\r\n#-"):
			return nil, nil, false
		}
		if len(items) > 0 && items[len(items)-1].end == 0 {
			items[len(items)-1].end = off
		}
		out.Write(line)
		off += len(line)
	}
	if len(items) > 0 && items[len(items)-1].end == 0 {
		items[len(items)-1].end = len(input)
	}
	return out.Bytes(), items, true
}

// isBlank reports whether a line holds nothing but blanks and a comment.
func isBlank(line []byte) bool {
	t := bytes.TrimLeft(line, " \t\r\n")
	return len(t) == 0 || t[0] == '#'
}

// leadingSpaces counts the spaces a line starts with.
func leadingSpaces(line []byte) int {
	n := 0
	for n < len(line) && line[n] == ' ' {
		n++
	}
	return n
}

// parseItem parses one item on its own: its "-" becomes a blank, so the item's mapping
// keeps its columns, and its lines are numbered as in the whole input. ok is false when
// the text is not one mapping, or one no function may read (checkShapes): RunTo then
// reports it.
func parseItem(input []byte, t itemText) (*yaml.RNode, bool) {
	text := slices.Clone(input[t.start:t.end])
	text[t.dash-t.start] = ' '
	n, ok := decodeOne(text)
	if !ok || checkShapes(n) != nil {
		return nil, false
	}
	shiftLines(n, t.line-1)
	return yaml.NewRNode(n), true
}

// decodeOne parses text holding one YAML document and returns its node; ok is false for
// anything else (no YAML, several documents, an empty one).
func decodeOne(text []byte) (n *yaml.Node, ok bool) {
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	if err := dec.Decode(&yaml.Node{}); err != io.EOF {
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, false
	}
	return doc.Content[0], true
}

// shiftLines adds delta to the line of n and of every node under it.
func shiftLines(n *yaml.Node, delta int) {
	n.Line += delta
	for _, c := range n.Content {
		shiftLines(c, delta)
	}
}
