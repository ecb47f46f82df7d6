// Package istioanalysis runs Istio's configuration analyzers (istio.io/istio's analysis
// library, every analyzer of analyzers.All) over resources held in memory, offline.
//
// It feeds the analyzers what `istioctl analyze` reads from a live cluster, Kubernetes
// core resources included (Pods, Services, Namespaces, Secrets, ConfigMaps, webhooks),
// which a file-only `istioctl analyze --use-kube=false` leaves out. The mesh config and
// mesh networks are given as YAML, as a cluster holds them in ConfigMap istio[-REV].
//
// Only the validate-mesh function links this package: Istio's library makes a binary of
// about 100 MB.
package istioanalysis

import (
	"errors"
	"fmt"
	"iter"
	"sort"
	"strings"
	"sync"

	meshv1 "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/config/aggregate"
	"istio.io/istio/pilot/pkg/config/file"
	"istio.io/istio/pilot/pkg/config/memory"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pkg/cluster"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/analysis"
	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/diag"
	legacykube "istio.io/istio/pkg/config/analysis/legacy/source/kube"
	"istio.io/istio/pkg/config/analysis/legacy/util/kuberesource"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/resource"
	"istio.io/istio/pkg/config/schema/collection"
	"istio.io/istio/pkg/config/schema/collections"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/config/validation/agent"
	kubelib "istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/kube/inject"
	"istio.io/istio/pkg/log"
)

// Document is one resource (or several, as a YAML stream, or a v1 List) to analyse as
// YAML text, as Istio's file source reads a file. Name identifies it in the messages about
// its resources.
type Document struct {
	Name string
	YAML string
}

// Options are the settings of one analysis.
type Options struct {
	// IstioNamespace is the control plane's namespace (istio-system when empty).
	IstioNamespace string
	// MeshConfig is the mesh config as YAML (ConfigMap istio, data.mesh); empty for
	// Istio's defaults. Istio's defaults fill in what it leaves out.
	MeshConfig string
	// MeshNetworks is the mesh networks as YAML (data.meshNetworks); empty for none.
	MeshNetworks string
	// DefaultNamespace is the namespace of namespaced resources that name none, as
	// `kubectl apply` would put them; empty leaves them without one.
	DefaultNamespace string
}

// Message is one finding of an analyzer.
type Message struct {
	Code  string // IST0xxx
	Level string // Error, Warning or Info
	Text  string // the problem, in Istio's words
	// DocURL is Istio's page about the code, which says how to fix it (the page of
	// Istio's latest release: the one of the library's version may not exist yet).
	DocURL string
	// Resource is the resource the message is about; zero for a message about none.
	Resource Resource
	// Document is the Name of the Document the resource came from ("" for Istio's
	// default resources).
	Document string
	// Line is the line in the document the message points at (0: the resource).
	Line int
}

// Resource names a resource as Istio's messages do.
type Resource struct {
	Group, Kind, Namespace, Name string
}

// String is "Kind namespace/name", or "Kind name" for a cluster-scoped resource.
func (r Resource) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// ReadError is a document, or a resource in it, that Istio cannot read: it is left out
// of the analysis.
type ReadError struct {
	Document string
	Err      error
}

// docBase is where Istio documents each message code.
const docBase = "https://istio.io/latest/docs/reference/config/analysis/"

// Result is what one analysis found.
type Result struct {
	Messages   []Message
	ReadErrors []ReadError
	// MeshConfigWarnings are what Istio's validation of the mesh config warns about
	// (deprecated settings), which istiod only logs.
	MeshConfigWarnings []string
	// Crashes are the analyzers that panicked, sorted.
	Crashes []Crash
}

// Analyze runs every analyzer of Istio's library over the objects and documents, with
// Istio's default resources added (its ingress gateway, unless the mesh config turns
// ingress off), and returns the messages sorted and without duplicates.
// The objects are made one at a time, so that only Istio's own copy of each is kept.
func Analyze(objs iter.Seq[Object], docs []Document, opts Options) (*Result, error) {
	quietLogs.Do(quiet)
	if opts.IstioNamespace == "" {
		opts.IstioNamespace = "istio-system"
	}
	res := &Result{}
	meshCfg := mesh.DefaultMeshConfig()
	if strings.TrimSpace(opts.MeshConfig) != "" {
		var err error
		if meshCfg, err = mesh.ApplyMeshConfigDefaults(opts.MeshConfig); err != nil {
			return nil, fmt.Errorf("mesh config: %w", err)
		}
		if warn, _ := agent.ValidateMeshConfig(meshCfg); warn != nil {
			res.MeshConfigWarnings = warningList(warn)
		}
	}
	meshNetworks := mesh.DefaultMeshNetworks()
	if strings.TrimSpace(opts.MeshNetworks) != "" {
		var err error
		if meshNetworks, err = mesh.ParseMeshNetworks(opts.MeshNetworks); err != nil {
			return nil, fmt.Errorf("mesh networks: %w", err)
		}
	}

	all := analyzers.All()
	src := file.NewKubeSource(kuberesource.ConvertInputsToSchemas(analysis.Combine("all", all...).Metadata().Inputs))
	src.SetNamespacesFilter(analysedNamespace)
	src.SetDefaultNamespace(resource.Namespace(opts.DefaultNamespace))
	store := newObjectStore(src, opts.DefaultNamespace)
	for o := range objs {
		if err := store.add(o); err != nil {
			res.ReadErrors = append(res.ReadErrors, ReadError{Document: o.Name, Err: err})
		}
	}
	for _, d := range docs {
		if err := src.ApplyContent(d.Name, d.YAML); err != nil {
			res.ReadErrors = append(res.ReadErrors, ReadError{Document: d.Name, Err: err})
		}
	}
	if err := addDefaults(src, opts.IstioNamespace, meshCfg); err != nil {
		return nil, err
	}
	internal, err := meshStore(opts.IstioNamespace, meshCfg, meshNetworks)
	if err != nil {
		return nil, err
	}
	msgs, crashes, err := run(all, src, internal)
	if err != nil {
		return nil, err
	}
	res.Messages, res.Crashes = convert(msgs), crashes
	return res, nil
}

var quietLogs sync.Once

// quiet sends Istio's logs to standard error, errors only: standard output carries the
// ResourceList, and the library logs every store it syncs.
func quiet() {
	o := log.DefaultOptions()
	o.OutputPaths = []string{"stderr"}
	o.SetDefaultOutputLevel(log.OverrideScopeName, log.ErrorLevel)
	_ = log.Configure(o)
}

// warningList splits a joined warning into its parts.
func warningList(warn error) []string {
	var out []string
	if joined, ok := warn.(interface{ WrappedErrors() []error }); ok {
		for _, w := range joined.WrappedErrors() {
			out = append(out, w.Error())
		}
		return out
	}
	return []string{warn.Error()}
}

// analysedNamespace leaves out the Kubernetes system namespaces, as istiod does.
func analysedNamespace(obj any) bool {
	c, ok := obj.(config.Config)
	if !ok {
		return false
	}
	ns := c.Namespace
	if c.GroupVersionKind.Kind == gvk.Namespace.Kind {
		ns = c.Name
	}
	return !inject.IgnoredNamespaces.Contains(ns)
}

// meshStore holds the mesh config and networks, which analyzers read as resources.
func meshStore(istioNamespace string, cfg *meshv1.MeshConfig, networks *meshv1.MeshNetworks) (model.ConfigStoreController, error) {
	store := memory.NewController(memory.Make(collection.SchemasFor(collections.MeshNetworks, collections.MeshConfig)))
	for _, c := range []config.Config{
		{Meta: config.Meta{Name: "meshconfig", Namespace: istioNamespace, GroupVersionKind: gvk.MeshConfig}, Spec: cfg},
		{Meta: config.Meta{Name: "meshnetworks", Namespace: istioNamespace, GroupVersionKind: gvk.MeshNetworks}, Spec: networks},
	} {
		if _, err := store.Create(c); err != nil {
			return nil, fmt.Errorf("storing the %s: %w", c.Name, err)
		}
	}
	return store, nil
}

// messages is what the analysis context of Istio's library offers beyond analysis.Context.
type messages interface {
	GetMessages(analyzerNames ...string) diag.Messages
}

// run analyses the resources of both stores, the documents' first, and returns the
// messages of every analyzer, and the analyzers that crashed (see analyzeGuarded).
func run(all []analysis.Analyzer, src *file.KubeSource, internal model.ConfigStoreController) (diag.Messages, []Crash, error) {
	stop := make(chan struct{})
	defer close(stop)
	store, err := aggregate.MakeWriteableCache([]model.ConfigStoreController{src, internal}, nil)
	if err != nil {
		return nil, nil, err
	}
	go store.Run(stop)
	if !kubelib.WaitForCacheSync("validate-mesh", stop, store.HasSynced) {
		return nil, nil, errors.New("the analysis store did not sync")
	}
	ctx := local.NewContext(map[cluster.ID]model.ConfigStore{"default": store}, stop, func(config.GroupVersionKind) {})
	m, ok := ctx.(messages)
	if !ok {
		return nil, nil, fmt.Errorf("istio's analysis context %T no longer returns its messages", ctx)
	}
	crashes := analyzeGuarded(all, ctx)
	msgs := m.GetMessages()
	return msgs.SortedDedupedCopy(), crashes, nil
}

// convert turns Istio's messages into Messages, in a stable order.
func convert(msgs diag.Messages) []Message {
	out := make([]Message, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		msg := Message{
			Code:   m.Type.Code(),
			Level:  m.Type.Level().String(),
			Text:   fmt.Sprintf(m.Type.Template(), m.Parameters...),
			DocURL: docBase + strings.ToLower(m.Type.Code()) + "/",
			Line:   m.Line,
		}
		if m.Resource != nil {
			msg.Resource = resourceOf(m)
			if ref := m.Resource.Origin.Reference(); ref != nil {
				if msg.Document = documentOf(ref.String()); msg.Document == defaultsDocument {
					msg.Document = ""
				}
			}
		}
		out = append(out, msg)
	}
	sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func less(a, b Message) bool {
	if a.Resource != b.Resource {
		return a.Resource.String() < b.Resource.String() || a.Resource.String() == b.Resource.String() && a.Resource.Group < b.Resource.Group
	}
	if a.Code != b.Code {
		return a.Code < b.Code
	}
	return a.Text < b.Text
}

func resourceOf(m *diag.Message) Resource {
	md := m.Resource.Metadata
	r := Resource{Namespace: md.FullName.Namespace.String(), Name: md.FullName.Name.String()}
	r.Group, r.Kind = originType(m.Resource.Origin)
	return r
}

// originType is the group and kind of the resource that came from o.
func originType(o resource.Origin) (group, kind string) {
	if o, ok := o.(*legacykube.Origin); ok {
		return o.Type.Group, o.Type.Kind
	}
	kind, _, _ = strings.Cut(o.FriendlyName(), " ")
	return "", kind
}

// documentOf strips the ":line" Istio appends to a document's name.
func documentOf(ref string) string {
	if i := strings.LastIndexByte(ref, ':'); i >= 0 && isDigits(ref[i+1:]) {
		return ref[:i]
	}
	return ref
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
