package krm

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// resourceListHead is how every ResourceList the SDK writes begins.
const resourceListHead = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"

// WriteResourceList writes rl as the SDK's ResourceList.ToYAML does, byte for byte, but
// encodes each item on its own: the YAML encoder keeps every event of a document in memory,
// which for one large ResourceList document costs time and memory that grow with the
// square of the output.
func WriteResourceList(w io.Writer, rl *fn.ResourceList) error {
	rl.Sort()
	items := rl.Items
	rest := &fn.ResourceList{FunctionConfig: rl.FunctionConfig, Results: rl.Results}
	tail, err := rest.ToYAML()
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(tail, []byte(resourceListHead)) {
		return fmt.Errorf("unexpected ResourceList encoding: %.60q", tail)
	}
	var buf bytes.Buffer
	buf.Grow(len(tail) + 4096*len(items))
	buf.WriteString(resourceListHead)
	if len(items) > 0 {
		buf.WriteString("items:\n")
		var item bytes.Buffer
		for _, it := range items {
			item.Reset()
			enc := yaml.NewEncoder(&item)
			node := it.MoveToResourceNode()
			err := enc.Encode(node.YNode())
			*it = *fn.MoveToKubeObject(node)
			if err != nil {
				return err
			}
			if err := enc.Close(); err != nil {
				return err
			}
			writeIndentedItem(&buf, item.Bytes())
		}
	}
	buf.Write(tail[len(resourceListHead):])
	_, err = w.Write(buf.Bytes())
	return err
}

// writeIndentedItem writes one encoded item as an element of a block sequence.
func writeIndentedItem(buf *bytes.Buffer, doc []byte) {
	first := true
	for len(doc) > 0 {
		line := doc
		if i := bytes.IndexByte(doc, '\n'); i >= 0 {
			line, doc = doc[:i+1], doc[i+1:]
		} else {
			doc = nil
		}
		switch {
		case first:
			buf.WriteString("- ")
			first = false
		case len(line) > 1:
			buf.WriteString("  ")
		}
		buf.Write(line)
	}
}

// Main runs f as a KRM function on standard input and output and returns the process exit
// code. Error results are also written to standard error: kpt shows the results, but
// kustomize shows only what a failing plugin printed there.
func Main(f Func) int {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "failed to read the ResourceList: %v\n", err)
		return 1
	}
	rl, err := fn.ParseResourceList(in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "failed to parse the ResourceList: %v\n", err)
		return 1
	}
	ok, err := Processor(f)(rl)
	if werr := WriteResourceList(os.Stdout, rl); werr != nil {
		fmt.Fprintf(os.Stderr, "failed to write the ResourceList: %v\n", werr)
		return 1
	}
	if err == nil && ok {
		return 0
	}
	for _, r := range rl.Results {
		if r.Severity == fn.Error {
			fmt.Fprintln(os.Stderr, describeResult(r))
		}
	}
	return 1
}
