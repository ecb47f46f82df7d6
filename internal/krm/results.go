package krm

import (
	"fmt"
	"strconv"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Infof records an info result about obj (nil for a result about the whole run).
func (rl *ResourceList) Infof(obj *yaml.RNode, format string, args ...any) {
	rl.add(fn.Info, obj, format, args...)
}

// Warningf records a warning about obj (nil for a result about the whole run).
func (rl *ResourceList) Warningf(obj *yaml.RNode, format string, args ...any) {
	rl.add(fn.Warning, obj, format, args...)
}

// Errorf records an error about obj (nil for a result about the whole run). An error
// result makes the function exit non-zero.
func (rl *ResourceList) Errorf(obj *yaml.RNode, format string, args ...any) {
	rl.add(fn.Error, obj, format, args...)
}

// Failed reports whether an error result was recorded.
func (rl *ResourceList) Failed() bool { return HasErrors(rl.Results) }

func (rl *ResourceList) add(sev fn.Severity, obj *yaml.RNode, format string, args ...any) {
	rl.Results = append(rl.Results, NewResult(sev, obj, fmt.Sprintf(format, args...)))
}

// NewResult is a result about obj (nil for one about the whole run), naming its file.
func NewResult(sev fn.Severity, obj *yaml.RNode, message string) *fn.Result {
	r := &fn.Result{Message: message, Severity: sev}
	if obj != nil {
		r.ResourceRef = refOf(obj)
		r.File = fileOf(obj)
	}
	return r
}

func refOf(obj *yaml.RNode) *fn.ResourceRef {
	return &fn.ResourceRef{
		APIVersion: obj.GetApiVersion(),
		Kind:       obj.GetKind(),
		Name:       obj.GetName(),
		Namespace:  obj.GetNamespace(),
	}
}

// fileOf returns where obj came from, as the orchestrator annotated it (kpt sets both the
// current and the legacy annotations; kustomize only the legacy ones), named as File
// names it.
func fileOf(obj *yaml.RNode) *fn.File {
	path, index := Location(obj)
	if path == "" {
		return nil
	}
	return &fn.File{Path: File(obj), Index: index}
}

// Location returns the file and the index in that file the orchestrator annotated obj
// with, as annotated: for writing files; messages and results name files with File.
func Location(obj *yaml.RNode) (path string, index int) {
	a := obj.GetAnnotations()
	path = a[kioutil.PathAnnotation]
	if path == "" {
		path = a[kioutil.LegacyPathAnnotation]
	}
	idx := a[kioutil.IndexAnnotation]
	if idx == "" {
		idx = a[kioutil.LegacyIndexAnnotation]
	}
	index, _ = strconv.Atoi(idx)
	return path, index
}

// Describe names obj for a message: "Kind namespace/name (file)".
func Describe(obj *yaml.RNode) string {
	s := obj.GetKind() + " "
	if ns := obj.GetNamespace(); ns != "" {
		s += ns + "/"
	}
	s += obj.GetName()
	if path := File(obj); path != "" {
		s += " (" + path + ")"
	}
	return s
}
