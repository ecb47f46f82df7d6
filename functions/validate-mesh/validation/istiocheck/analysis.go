package istiocheck

import (
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/meshfn/meshfn/functions/validate-mesh/istioanalysis"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Check is Istio's analyzers: every one of them, once per mesh config in use, over the
// package's resources and its workloads as pods. It runs last: it shrinks the items to
// what findings name, and drops the pods' views.
var Check = check.Check{Name: "Istio's analyzers", Run: run, Codes: []string{
	check.CodeMeshConfigInvalid, check.CodeMeshConfigWarning, check.CodeAnalyzerFailed,
}}

// run runs Istio's analyzers over the package, once per mesh config in use.
func run(p *check.Package) ([]*check.Finding, error) {
	// The pods' views are for the families before this one; they hold what the pod
	// templates' labels and annotations were (revert records included), which the
	// analysis reads from the converted pods.
	p.Views = nil
	runs := planRuns(meshConfigs(p.Items, p.Settings.IstioNamespace), p.Namespaces, revisionOf(p))
	in, fs := newAnalysisInput(p.Items, p.Pods, p.Converted) // shrinks the items
	p.Converted = nil                                        // in holds the conversions now
	found, err := in.analyze(p.Settings, runs)
	if err != nil {
		return nil, fmt.Errorf("running Istio's analyzers: %w", err)
	}
	return append(fs, found...), nil
}

// analysisInput is what Istio's analyzers see of the package.
type analysisInput struct {
	items []*yaml.RNode            // the package's resources
	pods  []check.Pod              // its workloads as pods
	objs  []istioanalysis.Object   // items (but Lists) and pods, converted
	docs  []istioanalysis.Document // v1 Lists, as YAML text
}

// newAnalysisInput converts the items and the pods for Istio's store (those not converted
// while reading the package), then shrinks them to what findings name (see check.Shrink): the
// converted objects are far smaller than the YAML nodes, and Istio keeps its own copy of
// each. Everything that reads the items in full runs before.
func newAnalysisInput(items []*yaml.RNode, pods []check.Pod, converted map[string]check.Conversion) (*analysisInput, []*check.Finding) {
	in := &analysisInput{items: items, pods: pods}
	var fs []*check.Finding
	docOf := map[*yaml.RNode]string{}
	add := func(name string, obj, about *yaml.RNode) {
		c, done := converted[name]
		if done {
			delete(converted, name) // in.objs holds it now, and the last run drops it
		} else {
			c = check.Convert(name, obj)
		}
		if c.Err != nil {
			fs = append(fs, unreadable(about, c.Err))
			return
		}
		if strings.HasPrefix(name, check.PodDoc) {
			c.Obj.TemplateOf = docOf[about]
		}
		in.objs = append(in.objs, c.Obj)
	}
	var whole []*yaml.RNode // items not shrunk yet
	for i, it := range items {
		name := check.ItemDoc + strconv.Itoa(i)
		docOf[it] = name
		if it.GetKind() == "List" {
			s, err := it.String()
			if err != nil {
				fs = append(fs, unreadable(it, err))
				continue
			}
			in.docs = append(in.docs, istioanalysis.Document{Name: name, YAML: s})
			continue
		}
		if _, done := converted[name]; !done {
			whole = append(whole, it)
		}
		add(name, it, it)
	}
	for i := range pods {
		p := &pods[i]
		name := check.PodDoc + strconv.Itoa(i)
		if _, done := converted[name]; done {
			add(name, nil, p.Workload)
		} else {
			add(name, p.Node(), p.Workload)
			p.Template = check.Shrink(p.Template)
		}
		p.Admitted = nil
	}
	for _, it := range whole {
		*it.YNode() = *check.Shrink(it).YNode()
	}
	return in, fs
}

// analyze runs Istio's analyzers once per mesh config in use and turns their messages into
// findings.
func (in *analysisInput) analyze(spec check.Settings, runs []*analysisRun) ([]*check.Finding, error) {
	var fs []*check.Finding
	seen := map[string]bool{}
	for i, run := range runs {
		objs := slices.Values(in.objs)
		if i == len(runs)-1 {
			objs = in.takeObjects()
		}
		res, err := istioanalysis.Analyze(objs, in.docs, istioanalysis.Options{
			IstioNamespace:   spec.IstioNamespace,
			DefaultNamespace: spec.DefaultNamespace,
			MeshConfig:       run.settings.mesh,
			MeshNetworks:     run.settings.networks,
		})
		if err != nil {
			if run.settings.source != nil {
				fs = append(fs, &check.Finding{Code: check.CodeMeshConfigInvalid, Level: check.LevelError, Item: run.settings.source,
					Message: fmt.Sprintf("istiod cannot read this mesh config: %v; fix data.%s or data.%s", err, MeshKey, MeshNetworksKey)})
				continue
			}
			return nil, err
		}
		if run.isDefault {
			fs = append(fs, in.readErrors(res.ReadErrors)...)
		}
		for _, w := range res.MeshConfigWarnings {
			fs = append(fs, &check.Finding{Code: check.CodeMeshConfigWarning, Level: check.LevelWarning, Item: run.settings.source,
				Message: fmt.Sprintf("Istio warns about this mesh config: %s", w)})
		}
		add := func(f *check.Finding, line int) {
			key := fmt.Sprintf("%s\x00%s\x00%s\x00%d", f.Code, f.Resource(), f.Message, line)
			if run.owns(f.Namespace(), runs) && !seen[key] {
				seen[key] = true
				fs = append(fs, f)
			}
		}
		for _, m := range res.Messages {
			add(in.finding(m), m.Line)
		}
		for _, c := range res.Crashes {
			add(in.crashFinding(c), 0)
		}
	}
	return dropPodDuplicates(fs), nil
}

// takeObjects yields the converted objects and drops each once yielded: the last run
// needs them no more, and Istio's store holds its own copy of each.
func (in *analysisInput) takeObjects() iter.Seq[istioanalysis.Object] {
	return func(yield func(istioanalysis.Object) bool) {
		for i, o := range in.objs {
			in.objs[i] = istioanalysis.Object{}
			if !yield(o) {
				return
			}
		}
		in.objs = nil
	}
}

// finding turns one of Istio's messages into a finding about the item (or the workload of
// the pod) it came from.
func (in *analysisInput) finding(m istioanalysis.Message) *check.Finding {
	f := &check.Finding{Code: m.Code, Level: strings.ToLower(m.Level), Message: strings.TrimSuffix(m.Text, ".") + ". How to fix it: " + m.DocURL}
	if m.Resource.Kind == "" {
		return f
	}
	switch idx, prefix := docIndex(m.Document); prefix {
	case check.ItemDoc:
		f.Item = in.items[idx]
		if f.Item.GetKind() != m.Resource.Kind || f.Item.GetName() != m.Resource.Name {
			// A resource inside a List: the result names it, and the List's file.
			f.Ref = refOf(m.Resource)
			f.Ref.APIVersion = listMemberAPIVersion(f.Item, m.Resource)
		}
	case check.PodDoc:
		p := in.pods[idx]
		f.Item, f.Pod = p.Workload, p.Template
		f.Message = "its pods: " + f.Message
	default:
		f.Ref = refOf(m.Resource)
	}
	return f
}

// crashFinding is a finding about the resource (or the workload of the pod) one of
// Istio's analyzers crashed on, or about none.
func (in *analysisInput) crashFinding(c istioanalysis.Crash) *check.Finding {
	f := in.finding(istioanalysis.Message{Resource: c.Resource, Document: c.Document})
	f.Code, f.Level = check.CodeAnalyzerFailed, check.LevelError
	f.Message = fmt.Sprintf("Istio's analyzer %s failed (%s), so what it finds is missing; "+
		"istioctl analyze fails alike: check the resource's fields against its schema", c.Analyzer, c.Reason)
	if c.Resource.Kind != "" {
		f.Message = fmt.Sprintf("Istio's analyzer %s failed on it (%s), so what it finds about it is missing; "+
			"istioctl analyze fails alike: a field it holds is malformed (a null entry, a missing value)", c.Analyzer, c.Reason)
	}
	if f.Pod != nil {
		f.Message = "its pods: " + f.Message
	}
	return f
}

// refOf names a resource Istio reported on that is not an item of the package: one of
// Istio's defaults, which are all core resources.
func refOf(r istioanalysis.Resource) *check.Ref {
	return &check.Ref{APIVersion: "v1", Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
}

// listMemberAPIVersion is the apiVersion of the List's member r ("" if not found).
func listMemberAPIVersion(list *yaml.RNode, r istioanalysis.Resource) string {
	members, err := list.Pipe(yaml.Lookup("items"))
	if err != nil || members == nil {
		return ""
	}
	elems, _ := members.Elements()
	for _, e := range elems {
		if e.GetKind() == r.Kind && e.GetName() == r.Name {
			return e.GetApiVersion()
		}
	}
	return ""
}

// docIndex parses a document name made by newAnalysisInput; prefix "" for none of ours.
func docIndex(name string) (int, string) {
	for _, prefix := range []string{check.ItemDoc, check.PodDoc} {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			if i, err := strconv.Atoi(rest); err == nil {
				return i, prefix
			}
		}
	}
	return 0, ""
}

// readErrors reports the resources Istio cannot read.
func (in *analysisInput) readErrors(errs []istioanalysis.ReadError) []*check.Finding {
	var fs []*check.Finding
	for _, e := range errs {
		idx, prefix := docIndex(e.Document)
		var obj *yaml.RNode
		switch prefix {
		case check.ItemDoc:
			obj = in.items[idx]
		case check.PodDoc:
			obj = in.pods[idx].Workload
		}
		if obj == nil {
			continue
		}
		fs = append(fs, unreadable(obj, e.Err))
	}
	return fs
}

func unreadable(obj *yaml.RNode, err error) *check.Finding {
	return &check.Finding{Code: check.CodeUnreadable, Level: check.LevelError, Item: obj,
		Message: fmt.Sprintf("Istio cannot read %s, so it was not analysed: %v; fix the field it names", krm.Describe(obj), err)}
}

// dropPodDuplicates reports a problem of a workload once: a finding about its pod is left
// out when the workload itself has a finding of the same code.
func dropPodDuplicates(fs []*check.Finding) []*check.Finding {
	direct := map[string]bool{}
	for _, f := range fs {
		if f.Pod == nil && f.Item != nil {
			direct[f.Code+"\x00"+f.Resource()] = true
		}
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Pod != nil && direct[f.Code+"\x00"+f.Resource()] {
			continue
		}
		out = append(out, f)
	}
	return out
}
