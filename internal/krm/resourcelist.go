// Package krm is the small runtime every meshfn function shares: it adapts a function body
// that works on kyaml nodes to the KRM functions SDK, and provides results, safe label and
// annotation setters, and the bookkeeping of generated objects.
package krm

import (
	"errors"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ResourceList is the function's view of its input: the items as kyaml nodes (edited in
// place, so comments and key order survive), the function config, and the results.
type ResourceList struct {
	Items   []*yaml.RNode
	Config  *yaml.RNode
	Results fn.Results
}

// Func is the body of a function. It returns an error only for a failure that has no
// better place in the results; problems with the input are error results.
//
// A Func must leave Items untouched when it reports an error result: it checks everything
// first and changes the items only once it knows the whole change can be made.
type Func func(rl *ResourceList) error

// Processor adapts f to the SDK. The SDK reads and writes the ResourceList; f edits the
// same YAML nodes (they are moved, not copied, in and out of the SDK's objects).
func Processor(f Func) fn.ResourceListProcessorFunc {
	return func(in *fn.ResourceList) (bool, error) {
		rl := &ResourceList{Items: make([]*yaml.RNode, len(in.Items))}
		for i, item := range in.Items {
			rl.Items[i] = item.MoveToResourceNode()
		}
		if in.FunctionConfig != nil && !in.FunctionConfig.IsEmpty() {
			rl.Config = in.FunctionConfig.MoveToResourceNode()
		}
		err := f(rl)
		in.Items = make(fn.KubeObjects, len(rl.Items))
		for i, item := range rl.Items {
			in.Items[i] = fn.MoveToKubeObject(item)
		}
		if rl.Config != nil {
			in.FunctionConfig = fn.MoveToKubeObject(rl.Config)
		}
		if err != nil {
			rl.Results = append(rl.Results, fn.ErrorResult(err))
		}
		in.Results = append(in.Results, rl.Results...)
		return !HasErrors(rl.Results), nil
	}
}

// describeResult is a result as one line: severity, resource, file, message.
func describeResult(r *fn.Result) string {
	s := r.String()
	if r.File != nil && r.File.Path != "" {
		s += " (" + r.File.Path + ")"
	}
	return s
}

// HasErrors reports whether results hold an error.
func HasErrors(results fn.Results) bool {
	for _, r := range results {
		if r.Severity == fn.Error {
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
