package krm

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// gcPercent is the garbage collector's target in a function process (GOGC, when set,
// wins). Most of a function's live heap is the input's nodes, held to the end; collecting
// at Go's default (100) spends a tenth of a large render on scanning them again and
// again. Twice the headroom saves most of that and keeps the peak well below a process
// that holds its whole output as nodes (kyaml's framework).
const gcPercent = 200

// resourceListHead is how every ResourceList the SDK writes begins.
const resourceListHead = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"

// Run processes a ResourceList with f and returns the output ResourceList and its
// results. The SDK reads the input; the output is written as the SDK's ResourceList.ToYAML
// writes it, byte for byte, but item by item: the YAML encoder keeps every event of a
// document in memory, which for one large document costs time and memory that grow with
// the square of the output. err is set only when the input cannot be read.
func Run(f Func, input []byte) ([]byte, fn.Results, error) {
	var buf bytes.Buffer
	results, err := RunTo(&buf, f, input)
	if err != nil {
		return nil, results, err
	}
	return buf.Bytes(), results, nil
}

// RunTo is Run writing the output to w as it goes.
func RunTo(w io.Writer, f Func, input []byte) (fn.Results, error) {
	in, err := fn.ParseResourceList(input)
	if err != nil {
		return nil, parseError(input, err)
	}
	rl := &ResourceList{Items: make([]*yaml.RNode, len(in.Items))}
	for i, item := range in.Items {
		rl.Items[i] = item.MoveToResourceNode()
	}
	if in.FunctionConfig != nil && !in.FunctionConfig.IsEmpty() {
		rl.Config = in.FunctionConfig.MoveToResourceNode()
	}
	var root renderRoot
	drop := map[int]bool{}
	for _, it := range rl.Items {
		root.add(it)
		runnerIDLines(it, drop)
	}
	if refused := checkInput(rl.Items, rl.Config, bytes.IndexByte(input, '&') >= 0); refused != nil {
		// No function runs on it: the output is the input, in its order (where an
		// alias follows its anchor), with the reasons.
		rl.Results, rl.Unchanged, rl.inputOrder = refused, true, true
	} else if crashed, err := call(func() error { return f(rl) }); err != nil {
		rl.Results = append(rl.Results, fn.ErrorResult(err))
		if crashed {
			rl.released.Store(true) // it may have changed items half-way: write the input's
		}
	}
	root.relativize(rl.Results)
	rl.Results = append(earlierResults(in.Results), rl.Results...)
	if rl.Unchanged {
		if out, ok := echo(input, rl.Results, drop); ok {
			_, err := w.Write(out)
			return rl.Results, err
		}
		// Not laid out to be echoed: write the input's items, which the function may have
		// shrunk to what its results need.
		rl.released.Store(true)
	}
	if HasErrors(rl.Results) || rl.Unchanged {
		rl.Encoded = nil
		if rl.released.Load() {
			// Some items were freed: write the input's items instead.
			original, err := fn.ParseResourceList(input)
			if err != nil {
				return rl.Results, fmt.Errorf("parse the ResourceList: %w", err)
			}
			for i, item := range original.Items {
				rl.Items[i] = item.MoveToResourceNode()
			}
		}
	}
	if err := write(w, rl); err != nil {
		return rl.Results, fmt.Errorf("write the ResourceList: %w", err)
	}
	return rl.Results, nil
}

// write encodes rl to w: the items sorted as the SDK sorts them, then the function config
// and the results exactly as the SDK writes them. Each item is encoded, written and
// dropped in turn.
func write(w io.Writer, rl *ResourceList) error {
	tail, err := encodeTail(rl.Config, rl.Results)
	if err != nil {
		return err
	}
	items := rl.Items
	if !rl.inputOrder {
		items = sortedItems(rl.Items)
	}
	var buf bytes.Buffer
	buf.WriteString(resourceListHead)
	if len(items) > 0 {
		buf.WriteString("items:\n")
	}
	for _, it := range items {
		doc, ok := rl.Encoded[it]
		if ok {
			delete(rl.Encoded, it)
		} else {
			// Functions keep comments and key order themselves: the runner need
			// not (KeepLayout).
			if err := KeepLayout(it); err != nil {
				return err
			}
			if doc, err = EncodeItem(it); err != nil {
				return err
			}
		}
		writeIndentedItem(&buf, doc)
		if buf.Len() > 1<<16 {
			if _, err := w.Write(buf.Bytes()); err != nil {
				return err
			}
			buf.Reset()
		}
	}
	buf.Write(tail[len(resourceListHead):])
	_, err = w.Write(buf.Bytes())
	return err
}

// resultsPerChunk is how many results the SDK encodes at a time (see encodeTail).
const resultsPerChunk = 64

// encodeTail writes the function config and the results exactly as the SDK's ToYAML
// writes them after the items, from its "apiVersion" and "kind" lines on. The results
// are encoded a few at a time and their entries joined: the encoder keeps every event of
// a document, which for thousands of results costs time and memory that grow faster
// than their number; an entry of a list is encoded alike wherever it stands.
func encodeTail(config *yaml.RNode, results fn.Results) ([]byte, error) {
	first := &fn.ResourceList{FunctionConfig: fn.NewEmptyKubeObject()}
	if config != nil {
		first.FunctionConfig = fn.MoveToKubeObject(config.Copy())
	}
	if len(results) > 0 {
		first.Results = results[:min(len(results), resultsPerChunk)]
	}
	tail, err := first.ToYAML()
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(tail, []byte(resourceListHead)) {
		return nil, fmt.Errorf("unexpected ResourceList encoding: %.60q", tail)
	}
	const resultsHead = resourceListHead + "results:\n"
	for i := resultsPerChunk; i < len(results); i += resultsPerChunk {
		chunk, err := (&fn.ResourceList{Results: results[i:min(len(results), i+resultsPerChunk)], FunctionConfig: fn.NewEmptyKubeObject()}).ToYAML()
		if err != nil {
			return nil, err
		}
		if !bytes.HasPrefix(chunk, []byte(resultsHead)) {
			return nil, fmt.Errorf("unexpected ResourceList encoding: %.60q", chunk)
		}
		tail = append(tail, chunk[len(resultsHead):]...)
	}
	return tail, nil
}

// sortedItems orders items as the SDK does: by "apiVersion kind namespace name", with
// sort.Sort (so items of the same identity end up as the SDK's would).
func sortedItems(items []*yaml.RNode) []*yaml.RNode {
	b := byIdentity{items: append([]*yaml.RNode(nil), items...), keys: make([]string, len(items))}
	for i, n := range b.items {
		b.keys[i] = n.GetApiVersion() + " " + n.GetKind() + " " + n.GetNamespace() + " " + n.GetName()
	}
	sort.Sort(b)
	return b.items
}

// byIdentity sorts items by their identity strings, computed once.
type byIdentity struct {
	items []*yaml.RNode
	keys  []string
}

func (b byIdentity) Len() int { return len(b.items) }
func (b byIdentity) Swap(i, j int) {
	b.items[i], b.items[j] = b.items[j], b.items[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}
func (b byIdentity) Less(i, j int) bool { return b.keys[i] < b.keys[j] }

// writeIndentedItem writes one encoded item as an element of a block sequence: its own
// head comment above the entry, the rest indented under "- ".
func writeIndentedItem(buf *bytes.Buffer, item EncodedItem) {
	doc, n := item.doc, 0
	first := true
	for len(doc) > 0 {
		line := doc
		if i := bytes.IndexByte(doc, '\n'); i >= 0 {
			line, doc = doc[:i+1], doc[i+1:]
		} else {
			doc = nil
		}
		switch {
		case n < item.headLines:
		case first:
			buf.WriteString("- ")
			first = false
		case len(line) > 1:
			buf.WriteString("  ")
		}
		n++
		buf.Write(line)
	}
}
