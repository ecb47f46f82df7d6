package validation

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/ryanuber/go-glob"
	"istio.io/api/annotation"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// finding is one problem (or notice) validate-mesh reports.
type finding struct {
	code    string // IST0xxx (Istio's analyzers) or MFN0xxx (meshfn's checks)
	level   string // LevelError, LevelWarning or LevelInfo
	message string // the problem and how to fix it
	// item is the package's resource the finding is about (for a resource inside a List,
	// the List); nil for a finding about a resource that is not an item or about none.
	item *yaml.RNode
	// ref names the resource when it is not item itself: one inside the List item, or one
	// of Istio's defaults.
	ref *ref
	// pod is the workload's pod template when the finding is about the pod the workload
	// would create.
	pod *yaml.RNode
}

// ref names a resource that is not an item of the package (one of Istio's defaults).
type ref struct {
	apiVersion, kind, namespace, name string
}

// resource names what the finding is about: "Kind namespace/name", "Kind name" for a
// cluster-scoped resource, "" for none.
func (f *finding) resource() string {
	kind, ns, name := f.identity()
	switch {
	case kind == "":
		return ""
	case ns == "":
		return kind + " " + name
	}
	return kind + " " + ns + "/" + name
}

func (f *finding) identity() (kind, namespace, name string) {
	switch {
	case f.ref != nil:
		return f.ref.kind, f.ref.namespace, f.ref.name
	case f.item != nil:
		return f.item.GetKind(), f.item.GetNamespace(), f.item.GetName()
	}
	return "", "", ""
}

// suppressedBy reports whether a suppression of the config or Istio's suppression
// annotation on the resource (or on the workload's pod template) leaves the finding out.
func (f *finding) suppressedBy(sups Suppressions) bool {
	for _, holder := range []*yaml.RNode{f.item, f.pod} {
		if holder == nil {
			continue
		}
		value := annotationOf(holder, annotation.GalleyAnalyzeSuppress.Name)
		for _, code := range strings.Split(value, ",") {
			if code = strings.TrimSpace(code); code == "*" || code == f.code {
				return true
			}
		}
	}
	kind, ns, name := f.identity()
	if kind == "" {
		return false
	}
	forms := []string{kind + " " + name}
	if ns != "" {
		forms = []string{kind + " " + ns + "/" + name, kind + " " + name + "." + ns}
	}
	for _, s := range sups {
		if s.Code != f.code {
			continue
		}
		for _, form := range forms {
			if glob.Glob(s.Resource, form) {
				return true
			}
		}
	}
	return false
}

// annotationOf reads one annotation of an object or pod template, "" when absent.
func annotationOf(obj *yaml.RNode, key string) string {
	v, err := obj.Pipe(yaml.Lookup("metadata", "annotations", key))
	if err != nil || v == nil || v.YNode().Kind != yaml.ScalarNode {
		return ""
	}
	return v.YNode().Value
}

// analysedAsTag marks a finding about the pod a workload would create.
const analysedAsTag = "analysedAs"

// result is the finding as a kpt result: the code in the message and in tags.code.
func (f *finding) result(spec *Spec) *fn.Result {
	r := krm.NewResult(severity(f.level), f.item, fmt.Sprintf("[%s] %s", f.code, f.message))
	if f.ref != nil {
		r.ResourceRef = &fn.ResourceRef{APIVersion: f.ref.apiVersion, Kind: f.ref.kind, Namespace: f.ref.namespace, Name: f.ref.name}
	}
	r.Tags = map[string]string{"code": f.code}
	if f.pod != nil {
		r.Tags[analysedAsTag] = "pod"
	}
	if f.level == LevelError && !spec.failsOn(LevelError) {
		r.Tags[krm.NonFatalTag] = "true"
	}
	return r
}

func severity(level string) fn.Severity {
	switch level {
	case LevelError:
		return fn.Error
	case LevelWarning:
		return fn.Warning
	}
	return fn.Info
}

// sortFindings orders findings by file, resource, code and message, so that results do not
// depend on the order of the items or of Istio's analyzers.
func sortFindings(fs []*finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		pa, ia := location(a)
		pb, ib := location(b)
		switch {
		case pa != pb:
			return pa < pb
		case ia != ib:
			return ia < ib
		case a.resource() != b.resource():
			return a.resource() < b.resource()
		case a.code != b.code:
			return a.code < b.code
		}
		return a.message < b.message
	})
}

func location(f *finding) (string, int) {
	if f.item == nil {
		return "", -1
	}
	return krm.Location(f.item)
}
