package check

import (
	"github.com/meshfn/meshfn/functions/validate-mesh/istioanalysis"
	"github.com/meshfn/meshfn/internal/krm"
	"istio.io/api/annotation"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Document names of the objects given to Istio's analyzers: ItemDoc+"N" is item N of the
// package's resources, PodDoc+"N" the pod of workload N.
const (
	ItemDoc = "i"
	PodDoc  = "p"
)

// Conversion is an item or pod converted for Istio's store, or why it cannot be.
type Conversion struct {
	Obj istioanalysis.Object
	Err error
}

// Convert converts an object (or a pod) for Istio's store, as the document name.
func Convert(name string, obj *yaml.RNode) Conversion {
	o, err := istioanalysis.ObjectOf(name, obj.YNode())
	return Conversion{Obj: o, Err: err}
}

// Shrink is what findings read of an object or pod template: its apiVersion, kind, name,
// namespace and the annotations they read (file, index, Istio's suppression annotation).
// Tens of thousands stay to the end, so they are built lean: the keys are shared (nothing
// changes a shrunk object), and so is the shrunk template that keeps no annotation.
func Shrink(obj *yaml.RNode) *yaml.RNode {
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
