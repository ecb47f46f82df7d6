package istioanalysis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/meshfn/meshfn/internal/podtemplate"
	"github.com/meshfn/meshfn/internal/yamlnode"
	"istio.io/istio/pilot/pkg/config/file"
	"istio.io/istio/pkg/config"
	legacykube "istio.io/istio/pkg/config/analysis/legacy/source/kube"
	"istio.io/istio/pkg/config/schema/collection"
	sresource "istio.io/istio/pkg/config/schema/resource"
	kubelib "istio.io/istio/pkg/kube"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kubejson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Object is one resource to analyse, already parsed: its JSON, the line it starts at, and
// the line of each of its fields in Istio's field-path form ("{.spec.hosts[0]}"), which
// analyzers use to point at a field and to tell two findings on one resource apart.
//
// Objects skip the YAML text Istio's file source would parse again: a rendered package is
// parsed once, by the function's runtime.
type Object struct {
	Name   string
	JSON   []byte
	Line   int
	Fields map[string]int
	// TemplateOf is, for a pod made from a workload's pod template, the Name of the
	// workload's Object, added before it: Istio's store then holds the pod's spec once,
	// the workload's, when the two are equal (as they are for a pod the template makes
	// unchanged). Analyzers only read the store.
	TemplateOf string

	// gvk is the group, version and kind the JSON holds, read from the YAML when it says
	// them plainly (typeOf); nil: the JSON is read for them.
	gvk *schema.GroupVersionKind
}

// ObjectOf converts a parsed YAML mapping into an Object named name. A key repeated in a
// mapping (kpt 1.0.0-beta.56 repeats a subpackage resource's metadata.annotations in what
// it hands the root's pipeline when the metadata line carries a comment) counts once, its
// first value, as kyaml and every function before read it.
func ObjectOf(name string, n *yaml.Node) (Object, error) {
	scratch := jsonBuffers.Get().(*[]byte)
	out, ok := yamlnode.AppendJSON((*scratch)[:0], n)
	var b []byte
	if ok {
		b = bytes.Clone(out) // kept until the store decodes it: no room to spare
	}
	*scratch = out[:0]
	jsonBuffers.Put(scratch)
	if !ok {
		var v any
		if err := n.Decode(&v); err != nil {
			if err = withoutRepeatedKeys(n).Decode(&v); err != nil {
				return Object{}, err
			}
		}
		var err error
		if b, err = json.Marshal(v); err != nil {
			return Object{}, err
		}
	}
	o := Object{Name: name, JSON: b, Line: n.Line, Fields: map[string]int{}, gvk: typeOf(n)}
	keep, descend := everyField, everyField
	if isWorkload(n) {
		keep, descend = workloadFieldQueried, workloadFieldUnder
	}
	fieldLines(n, "", o.Fields, keep, descend)
	return o, nil
}

// jsonBuffers are where ObjectOf writes JSON before it copies it out.
var jsonBuffers = sync.Pool{New: func() any { return new([]byte) }}

// Rename sets the object's metadata.name.
func (o *Object) Rename(name string) error {
	dec := json.NewDecoder(bytes.NewReader(o.JSON))
	dec.UseNumber() // numbers are written back as they were
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	meta, ok := v["metadata"].(map[string]any)
	if !ok {
		return fmt.Errorf("no metadata")
	}
	meta["name"] = name
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	o.JSON = b
	return nil
}

// typeOf is the group, version and kind of a mapping whose apiVersion and kind are plain
// strings, as Istio's decoder reads them from its JSON (apimachinery's
// SimpleMetaFactory.Interpret); nil when the mapping says them otherwise (another type, a
// key that differs in letter case only, a merge key), or an apiVersion that does not
// parse: the JSON is then read for them, errors included.
func typeOf(n *yaml.Node) *schema.GroupVersionKind {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var apiVersion, kind *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode || key.ShortTag() != yaml.NodeTagString {
			return nil
		}
		var field **yaml.Node
		switch {
		case key.Value == "apiVersion":
			field = &apiVersion
		case key.Value == "kind":
			field = &kind
		case strings.EqualFold(key.Value, "apiVersion"), strings.EqualFold(key.Value, "kind"):
			return nil
		default:
			continue
		}
		if *field != nil || value.Kind != yaml.ScalarNode || value.ShortTag() != yaml.NodeTagString {
			return nil
		}
		*field = value
	}
	if apiVersion == nil || kind == nil {
		return nil
	}
	gv, err := schema.ParseGroupVersion(apiVersion.Value)
	if err != nil {
		return nil
	}
	return &schema.GroupVersionKind{Group: gv.Group, Version: gv.Version, Kind: kind.Value}
}

// isWorkload reports whether n is a Pod or a workload with a pod template.
func isWorkload(n *yaml.Node) bool {
	rn := yaml.NewRNode(n)
	_, ok := podtemplate.Path(rn.GetApiVersion(), rn.GetKind())
	return ok
}

// containerImage is the one path into a pod's spec that an analyzer asks the line of.
var containerImage = regexp.MustCompile(`^\{\.spec\.containers\[\d+\]\.image\}$`)

// workloadFieldQueried reports whether an analyzer may ask for the line of a workload's
// field (Istio's util.ErrorLine paths: metadata, and a pod's container images). The field
// map of an injected pod template runs to hundreds of paths, which Istio's store keeps as
// JSON on each object; only these are recorded.
func workloadFieldQueried(path string) bool {
	return strings.HasPrefix(path, "{.metadata.") || containerImage.MatchString(path)
}

// containerElement is the path of a container of a pod's spec.
var containerElement = regexp.MustCompile(`^\.spec\.containers\[\d+\]$`)

// workloadFieldUnder reports whether a path workloadFieldQueried keeps may lie under path
// (a mapping or list, "" for the object itself): a workload's field map then needs no walk
// through the rest of its pod template.
func workloadFieldUnder(path string) bool {
	return path == "" || strings.HasPrefix(path+".", ".metadata.") || path == ".spec" || path == ".spec.containers" ||
		containerElement.MatchString(path)
}

func everyField(string) bool { return true }

// withoutRepeatedKeys is a copy of n whose mappings keep the first of repeated keys.
func withoutRepeatedKeys(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = nil
	seen := map[string]bool{}
	for i := 0; i < len(n.Content); i++ {
		if n.Kind == yaml.MappingNode && i%2 == 0 && i+1 < len(n.Content) {
			key := n.Content[i].Value
			if seen[key] {
				i++
				continue
			}
			seen[key] = true
		}
		c.Content = append(c.Content, withoutRepeatedKeys(n.Content[i]))
	}
	return &c
}

// fieldLines records the line of every scalar under n by its path, as Istio's file source
// does (file.BuildFieldPathMap, which reads another YAML library's nodes): of the paths
// keep accepts, walking only the mappings and lists descend says may hold one.
func fieldLines(n *yaml.Node, path string, out map[string]int, keep, descend func(string) bool) {
	if n.Kind != yaml.MappingNode || !descend(path) {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		p := path + "." + key.Value
		switch value.Kind {
		case yaml.ScalarNode:
			record(out, "{"+p+"}", value.Line, keep)
		case yaml.MappingNode:
			fieldLines(value, p, out, keep, descend)
		case yaml.SequenceNode:
			if !descend(p) {
				continue
			}
			for j, e := range value.Content {
				pj := p + "[" + strconv.Itoa(j) + "]"
				if e.Kind == yaml.ScalarNode {
					record(out, "{"+pj+"}", e.Line, keep)
				} else {
					fieldLines(e, pj, out, keep, descend)
				}
			}
		}
	}
}

func record(out map[string]int, path string, line int, keep func(string) bool) {
	if keep(path) {
		out[path] = line
	}
}

// objectStore adds Objects to Istio's file source the way its own parser adds a resource
// read from a file: the same typed decode (which refuses fields of the wrong type), the
// same conversion, the namespace defaulted for namespaced kinds and cleared for
// cluster-scoped ones. Kinds the analyzers do not read are skipped.
type objectStore struct {
	src              *file.KubeSource
	schemas          collection.Schemas
	defaultNamespace string
	// templates are the pod templates' specs of the workloads stored, by Object name.
	templates map[string]*corev1.PodSpec
}

func newObjectStore(src *file.KubeSource, defaultNamespace string) *objectStore {
	return &objectStore{src: src, schemas: src.Schemas(), defaultNamespace: defaultNamespace,
		templates: map[string]*corev1.PodSpec{}}
}

// share records a workload's pod template spec, and gives a pod equal to its workload's
// template that spec instead of its own.
func (s *objectStore) share(o Object, cfg *config.Config) {
	if t := templateSpec(cfg.Spec); t != nil {
		s.templates[o.Name] = t
	}
	if o.TemplateOf == "" {
		return
	}
	t := s.templates[o.TemplateOf]
	if spec, ok := cfg.Spec.(*corev1.PodSpec); ok && t != nil && reflect.DeepEqual(spec, t) {
		cfg.Spec = t
	}
}

// templateSpec is the spec of a workload's pod template; nil for other kinds.
func templateSpec(spec config.Spec) *corev1.PodSpec {
	switch w := spec.(type) {
	case *appsv1.DeploymentSpec:
		return &w.Template.Spec
	case *appsv1.StatefulSetSpec:
		return &w.Template.Spec
	case *appsv1.DaemonSetSpec:
		return &w.Template.Spec
	case *appsv1.ReplicaSetSpec:
		return &w.Template.Spec
	case *batchv1.JobSpec:
		return &w.Template.Spec
	}
	return nil
}

func (s *objectStore) add(o Object) error {
	gvk := o.gvk
	if gvk == nil {
		var err error
		if gvk, err = kubejson.DefaultMetaFactory.Interpret(o.JSON); err != nil {
			return err
		}
	}
	if gvk.Empty() {
		return fmt.Errorf("no apiVersion and kind")
	}
	schema, found := s.schemas.FindByGroupVersionAliasesKind(sresource.FromKubernetesGVK(gvk))
	if !found {
		return nil
	}
	if _, err := schema.NewInstance(); err != nil {
		return nil // a kind Istio's file source cannot hold either
	}
	obj, err := kubelib.IstioScheme.New(schema.GroupVersionKind().Kubernetes())
	if err != nil {
		return err
	}
	// As the universal deserializer decodes JSON into a type its (empty) scheme does not
	// know: straight into it, case-sensitively, numbers kept as integers where they are.
	if err := kjson.UnmarshalCaseSensitivePreserveInts(o.JSON, obj); err != nil {
		return err
	}
	meta, ok := obj.(metav1.Object)
	if !ok {
		return fmt.Errorf("%s has no object metadata", gvk.Kind)
	}
	switch {
	case schema.IsClusterScoped():
		meta.SetNamespace("")
	case meta.GetNamespace() == "":
		meta.SetNamespace(s.defaultNamespace)
	}
	cfg, err := file.ToConfig(meta, schema, &legacykube.Position{Filename: o.Name, Line: o.Line}, o.Fields)
	if err != nil {
		return err
	}
	s.share(o, cfg)
	_, err = s.src.Create(*cfg)
	return err
}
