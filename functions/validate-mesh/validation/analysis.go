package validation

import (
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/meshfn/meshfn/functions/validate-mesh/istioanalysis"
	"github.com/meshfn/meshfn/internal/krm"
	"istio.io/api/annotation"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Document names: "i<N>" is item N, "p<N>" the pod of workload N.
const (
	itemDoc = "i"
	podDoc  = "p"
)

// analysisInput is what Istio's analyzers see of the package.
type analysisInput struct {
	items []*yaml.RNode            // the package's resources
	pods  []podOf                  // its workloads as pods
	objs  []istioanalysis.Object   // items (but Lists) and pods, converted
	docs  []istioanalysis.Document // v1 Lists, as YAML text
}

// newAnalysisInput converts the items and the pods for Istio's store (those not converted
// while reading the package), then shrinks them to what findings name (see shrink): the
// converted objects are far smaller than the YAML nodes, and Istio keeps its own copy of
// each. Everything that reads the items in full runs before.
func newAnalysisInput(items []*yaml.RNode, pods []podOf, converted map[string]conversion) (*analysisInput, []*finding) {
	in := &analysisInput{items: items, pods: pods}
	var fs []*finding
	docOf := map[*yaml.RNode]string{}
	add := func(name string, obj, about *yaml.RNode) {
		c, done := converted[name]
		if done {
			delete(converted, name) // in.objs holds it now, and the last run drops it
		} else {
			c = convert(name, obj)
		}
		if c.err != nil {
			fs = append(fs, unreadable(about, c.err))
			return
		}
		if strings.HasPrefix(name, podDoc) {
			c.obj.TemplateOf = docOf[about]
		}
		in.objs = append(in.objs, c.obj)
	}
	var whole []*yaml.RNode // items not shrunk yet
	for i, it := range items {
		name := itemDoc + strconv.Itoa(i)
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
		name := podDoc + strconv.Itoa(i)
		if _, done := converted[name]; done {
			add(name, nil, p.workload)
		} else {
			add(name, p.node(), p.workload)
			p.template = shrink(p.template)
		}
		p.admitted = nil
	}
	for _, it := range whole {
		*it.YNode() = *shrink(it).YNode()
	}
	return in, fs
}

// shrink is what findings read of an object or pod template: its apiVersion, kind, name,
// namespace and the annotations they read (file, index, Istio's suppression annotation).
// Tens of thousands stay to the end, so they are built lean: the keys are shared (nothing
// changes a shrunk object), and so is the shrunk template that keeps no annotation.
func shrink(obj *yaml.RNode) *yaml.RNode {
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagString, Value: s} }
	meta := []*yaml.Node{shrunkKeys["name"], str(obj.GetName())}
	if ns := obj.GetNamespace(); ns != "" {
		meta = append(meta, shrunkKeys["namespace"], str(ns))
	}
	if a, _ := obj.Pipe(yaml.Lookup("metadata", "annotations")); a != nil {
		if kept := findingAnnotations(a).YNode(); kept.Kind != yaml.MappingNode || len(kept.Content) > 0 {
			meta = append(meta, shrunkKeys["annotations"], kept)
		}
	}
	var fields []*yaml.Node
	if v := obj.GetApiVersion(); v != "" {
		fields = append(fields, shrunkKeys["apiVersion"], str(v))
	}
	if k := obj.GetKind(); k != "" {
		fields = append(fields, shrunkKeys["kind"], str(k))
	}
	if len(fields) == 0 && len(meta) == 2 && meta[1].Value == "" {
		return bareTemplate
	}
	fields = append(fields, shrunkKeys["metadata"], &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap, Content: meta})
	return yaml.NewRNode(&yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap, Content: fields})
}

// shrunkKeys are the keys of shrunk objects.
var shrunkKeys = func() map[string]*yaml.Node {
	keys := map[string]*yaml.Node{}
	for _, k := range []string{"apiVersion", "kind", "metadata", "name", "namespace", "annotations"} {
		keys[k] = &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagString, Value: k}
	}
	return keys
}()

// bareTemplate is a pod template shrunk that has no annotation findings read.
var bareTemplate = yaml.NewRNode(&yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap, Content: []*yaml.Node{
	shrunkKeys["metadata"], {Kind: yaml.MappingNode, Tag: yaml.NodeTagMap, Content: []*yaml.Node{
		shrunkKeys["name"], {Kind: yaml.ScalarNode, Tag: yaml.NodeTagString}}}}})

// findingAnnotations are the annotations findings read, of a mapping of annotations
// (anything else is kept as it is, for the readers to report).
var findingAnnotations = func() func(a *yaml.RNode) *yaml.RNode {
	read := map[string]bool{annotation.GalleyAnalyzeSuppress.Name: true,
		kioutil.PathAnnotation: true, kioutil.LegacyPathAnnotation: true,
		kioutil.IndexAnnotation: true, kioutil.LegacyIndexAnnotation: true, krm.PackagePathAnnotation: true}
	return func(a *yaml.RNode) *yaml.RNode {
		n := a.YNode()
		if n.Kind != yaml.MappingNode {
			return a
		}
		kept := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Style: n.Style}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if read[n.Content[i].Value] {
				kept.Content = append(kept.Content, n.Content[i], n.Content[i+1])
			}
		}
		return yaml.NewRNode(kept)
	}
}()

// analyze runs Istio's analyzers once per mesh config in use and turns their messages into
// findings.
func (in *analysisInput) analyze(spec *Spec, runs []*analysisRun) ([]*finding, error) {
	var fs []*finding
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
				fs = append(fs, &finding{code: codeMeshConfigInvalid, level: LevelError, item: run.settings.source,
					message: fmt.Sprintf("istiod cannot read this mesh config: %v; fix data.%s or data.%s", err, meshKey, meshNetworksKey)})
				continue
			}
			return nil, err
		}
		if run.isDefault {
			fs = append(fs, in.readErrors(res.ReadErrors)...)
		}
		for _, w := range res.MeshConfigWarnings {
			fs = append(fs, &finding{code: codeMeshConfigWarning, level: LevelWarning, item: run.settings.source,
				message: fmt.Sprintf("Istio warns about this mesh config: %s", w)})
		}
		add := func(f *finding, line int) {
			key := fmt.Sprintf("%s\x00%s\x00%s\x00%d", f.code, f.resource(), f.message, line)
			if run.owns(f.namespace(), runs) && !seen[key] {
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
func (in *analysisInput) finding(m istioanalysis.Message) *finding {
	f := &finding{code: m.Code, level: strings.ToLower(m.Level), message: strings.TrimSuffix(m.Text, ".") + ". How to fix it: " + m.DocURL}
	if m.Resource.Kind == "" {
		return f
	}
	switch idx, prefix := docIndex(m.Document); prefix {
	case itemDoc:
		f.item = in.items[idx]
		if f.item.GetKind() != m.Resource.Kind || f.item.GetName() != m.Resource.Name {
			// A resource inside a List: the result names it, and the List's file.
			f.ref = refOf(m.Resource)
			f.ref.apiVersion = listMemberAPIVersion(f.item, m.Resource)
		}
	case podDoc:
		p := in.pods[idx]
		f.item, f.pod = p.workload, p.template
		f.message = "its pods: " + f.message
	default:
		f.ref = refOf(m.Resource)
	}
	return f
}

// crashFinding is a finding about the resource (or the workload of the pod) one of
// Istio's analyzers crashed on, or about none.
func (in *analysisInput) crashFinding(c istioanalysis.Crash) *finding {
	f := in.finding(istioanalysis.Message{Resource: c.Resource, Document: c.Document})
	f.code, f.level = codeAnalyzerFailed, LevelError
	f.message = fmt.Sprintf("Istio's analyzer %s failed (%s), so what it finds is missing; "+
		"istioctl analyze fails alike: check the resource's fields against its schema", c.Analyzer, c.Reason)
	if c.Resource.Kind != "" {
		f.message = fmt.Sprintf("Istio's analyzer %s failed on it (%s), so what it finds about it is missing; "+
			"istioctl analyze fails alike: a field it holds is malformed (a null entry, a missing value)", c.Analyzer, c.Reason)
	}
	if f.pod != nil {
		f.message = "its pods: " + f.message
	}
	return f
}

// refOf names a resource Istio reported on that is not an item of the package: one of
// Istio's defaults, which are all core resources.
func refOf(r istioanalysis.Resource) *ref {
	return &ref{apiVersion: "v1", kind: r.Kind, namespace: r.Namespace, name: r.Name}
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
	for _, prefix := range []string{itemDoc, podDoc} {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			if i, err := strconv.Atoi(rest); err == nil {
				return i, prefix
			}
		}
	}
	return 0, ""
}

func (f *finding) namespace() string {
	_, ns, _ := f.identity()
	if f.item != nil && f.item.GetKind() == "Namespace" {
		return f.item.GetName()
	}
	return ns
}

// readErrors reports the resources Istio cannot read.
func (in *analysisInput) readErrors(errs []istioanalysis.ReadError) []*finding {
	var fs []*finding
	for _, e := range errs {
		idx, prefix := docIndex(e.Document)
		var obj *yaml.RNode
		switch prefix {
		case itemDoc:
			obj = in.items[idx]
		case podDoc:
			obj = in.pods[idx].workload
		}
		if obj == nil {
			continue
		}
		fs = append(fs, unreadable(obj, e.Err))
	}
	return fs
}

func unreadable(obj *yaml.RNode, err error) *finding {
	return &finding{code: codeUnreadable, level: LevelError, item: obj,
		message: fmt.Sprintf("Istio cannot read %s, so it was not analysed: %v; fix the field it names", krm.Describe(obj), err)}
}

// dropPodDuplicates reports a problem of a workload once: a finding about its pod is left
// out when the workload itself has a finding of the same code.
func dropPodDuplicates(fs []*finding) []*finding {
	direct := map[string]bool{}
	for _, f := range fs {
		if f.pod == nil && f.item != nil {
			direct[f.code+"\x00"+f.resource()] = true
		}
	}
	out := fs[:0]
	for _, f := range fs {
		if f.pod != nil && direct[f.code+"\x00"+f.resource()] {
			continue
		}
		out = append(out, f)
	}
	return out
}
