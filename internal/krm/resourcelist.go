// Package krm is the runtime every meshfn function shares: it reads and checks the input
// ResourceList, runs a function body that works on kyaml nodes (or streams the items past
// a validator), and writes the output with its results; it also provides safe label and
// annotation setters, file names for messages, and the bookkeeping of generated objects.
package krm

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync/atomic"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/yamlemit"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ResourceList is the function's view of its input: the items as kyaml nodes (edited in
// place, so comments and key order survive), the function config, and the results.
type ResourceList struct {
	Items   []*yaml.RNode
	Config  *yaml.RNode
	Results fn.Results
	// Encoded holds items the function has already written as YAML, by the item they
	// replace: a function that changes many large items encodes each as soon as it is
	// done, so the output's nodes never all live at once. Ignored when the function fails.
	Encoded map[*yaml.RNode]EncodedItem

	// Unchanged is set by a function that never changes the items (a validator): the
	// output then carries the input's items and config byte for byte, and only the results
	// are new. Such a function may shrink items it is done with to what its results name.
	Unchanged bool

	// released is set once the function freed an input item's nodes (Release).
	released atomic.Bool
	// inputOrder writes the items in the input's order, not sorted: set when the input
	// was refused, which may hold aliases to other items' anchors (see checkInput).
	inputOrder bool
}

// Release frees the nodes of an item whose new YAML the function holds in Encoded (or is
// about to put there), keeping only what orders it in the output: apiVersion, kind,
// namespace and name. Items in Encoded then cost their bytes only. If the function fails
// afterwards, Run writes the input's items from the input again; so a function that
// changed an item and then failed to finish it releases the item too. Release may be
// called concurrently for different items; the caller must own item.
func (rl *ResourceList) Release(item *yaml.RNode) {
	rl.released.Store(true)
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagString, Value: s} }
	meta := &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap,
		Content: []*yaml.Node{str("name"), str(item.GetName()), str("namespace"), str(item.GetNamespace())}}
	*item.YNode() = yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap, Content: []*yaml.Node{
		str("apiVersion"), str(item.GetApiVersion()), str("kind"), str(item.GetKind()), str("metadata"), meta}}
}

// Func is the body of a function. It returns an error only for a failure that has no
// better place in the results; problems with the input are error results.
//
// A Func must leave Items untouched when it reports an error result: it checks everything
// first and changes the items only once it knows the whole change can be made.
type Func func(rl *ResourceList) error

// EncodedItem is an item written as YAML, as the output writes it.
type EncodedItem struct {
	doc []byte
	// headLines is how many leading lines are the item's own head comment, which the
	// output writes above the sequence entry, as the encoder does in a whole document.
	headLines int
}

// EncodeItem encodes one item the way the output writes it: as kyaml's encoder does, with
// yamlemit where it writes the item, else with the encoder itself.
func EncodeItem(item *yaml.RNode) (EncodedItem, error) {
	doc, ok := yamlemit.Append(nil, item.YNode())
	if !ok {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		if err := enc.Encode(item.YNode()); err != nil {
			return EncodedItem{}, err
		}
		if err := enc.Close(); err != nil {
			return EncodedItem{}, err
		}
		doc = buf.Bytes()
	}
	e := EncodedItem{doc: doc}
	if hc := item.YNode().HeadComment; hc != "" {
		e.headLines = strings.Count(hc, "\n") + 1
	}
	return e, nil
}

// NonFatalTag marks an error result that does not fail the function: a validator told to
// tolerate findings of that level (validate-mesh's failOn) still reports them as errors.
const NonFatalTag = "nonFatal"

// HasErrors reports whether results hold an error that fails the function (one not
// tagged NonFatalTag).
func HasErrors(results fn.Results) bool {
	for _, r := range results {
		if r.Severity == fn.Error && r.Tags[NonFatalTag] != "true" {
			return true
		}
	}
	return false
}

// ConfigError reports a problem with the function config as error results that name the
// config and its file: one result for each of the problems a *fnconfig.Error joins.
func (rl *ResourceList) ConfigError(err error) {
	errs := []error{err}
	var ce *fnconfig.Error
	if errors.As(err, &ce) {
		if joined, ok := ce.Err.(interface{ Unwrap() []error }); ok {
			errs = errs[:0]
			for _, cause := range joined.Unwrap() {
				errs = append(errs, ce.WithCause(cause))
			}
		}
	}
	for _, e := range errs {
		r := &fn.Result{Message: e.Error(), Severity: fn.Error}
		if rl.Config != nil && !rl.Config.IsNilOrEmpty() {
			r.ResourceRef = refOf(rl.Config)
			r.File = fileOf(rl.Config)
		}
		rl.Results = append(rl.Results, r)
	}
}

// call runs f and returns a panic in it as an error, with the stack on standard error: a
// function that crashes still writes its output, the input's items with an error
// result, never nothing. crashed reports the panic. A panic in a goroutine f started is
// beyond reach.
func call(f func() error) (crashed bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(os.Stderr, "%v\n%s", p, debug.Stack())
			crashed, err = true, fmt.Errorf("the function crashed, a bug in meshfn (please report it with the input): %v", p)
		}
	}()
	return false, f()
}
