package validation

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/ryanuber/go-glob"
	"istio.io/api/annotation"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// suppressedBy reports whether a suppression of the config or Istio's suppression
// annotation on the resource (or on the workload's pod template) leaves the finding out.
func suppressedBy(f *check.Finding, sups Suppressions) bool {
	for _, holder := range []*yaml.RNode{f.Item, f.Pod} {
		if holder == nil {
			continue
		}
		value := annotationOf(holder, annotation.GalleyAnalyzeSuppress.Name)
		for _, code := range strings.Split(value, ",") {
			if code = strings.TrimSpace(code); code == "*" || code == f.Code {
				return true
			}
		}
	}
	kind, ns, name := f.Identity()
	if kind == "" {
		return false
	}
	forms := []string{kind + " " + name}
	if ns != "" {
		forms = []string{kind + " " + ns + "/" + name, kind + " " + name + "." + ns}
	}
	for _, s := range sups {
		if s.Code != f.Code {
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
func result(f *check.Finding, spec *Spec) *fn.Result {
	r := krm.NewResult(severity(f.Level), f.Item, fmt.Sprintf("[%s] %s", f.Code, f.Message))
	if f.Ref != nil {
		r.ResourceRef = &fn.ResourceRef{APIVersion: f.Ref.APIVersion, Kind: f.Ref.Kind, Namespace: f.Ref.Namespace, Name: f.Ref.Name}
	}
	r.Tags = map[string]string{"code": f.Code}
	if f.Pod != nil {
		r.Tags[analysedAsTag] = "pod"
	}
	if f.Level == LevelError && !spec.failsOn(LevelError) {
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
func sortFindings(fs []*check.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		pa, ia := location(a)
		pb, ib := location(b)
		switch {
		case pa != pb:
			return pa < pb
		case ia != ib:
			return ia < ib
		case a.Resource() != b.Resource():
			return a.Resource() < b.Resource()
		case a.Code != b.Code:
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
}

func location(f *check.Finding) (string, int) {
	if f.Item == nil {
		return "", -1
	}
	return krm.Location(f.Item)
}
