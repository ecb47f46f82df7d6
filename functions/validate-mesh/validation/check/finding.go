package check

import "sigs.k8s.io/kustomize/kyaml/yaml"

// Finding is one problem (or notice) validate-mesh reports.
type Finding struct {
	Code    string // IST0xxx (Istio's analyzers) or MFN0xxx (meshfn's checks)
	Level   string // LevelError, LevelWarning or LevelInfo
	Message string // the problem and how to fix it
	// Item is the package's resource the finding is about (for a resource inside a List,
	// the List); nil for a finding about a resource that is not an item or about none.
	Item *yaml.RNode
	// Ref names the resource when it is not Item itself: one inside the List item, or one
	// of Istio's defaults.
	Ref *Ref
	// Pod is the workload's pod template when the finding is about the pod the workload
	// would create.
	Pod *yaml.RNode
}

// Ref names a resource that is not an item of the package (one of Istio's defaults).
type Ref struct {
	APIVersion, Kind, Namespace, Name string
}

// Resource names what the finding is about: "Kind namespace/name", "Kind name" for a
// cluster-scoped resource, "" for none.
func (f *Finding) Resource() string {
	kind, ns, name := f.Identity()
	switch {
	case kind == "":
		return ""
	case ns == "":
		return kind + " " + name
	}
	return kind + " " + ns + "/" + name
}

// Identity is the kind, namespace and name of what the finding is about.
func (f *Finding) Identity() (kind, namespace, name string) {
	switch {
	case f.Ref != nil:
		return f.Ref.Kind, f.Ref.Namespace, f.Ref.Name
	case f.Item != nil:
		return f.Item.GetKind(), f.Item.GetNamespace(), f.Item.GetName()
	}
	return "", "", ""
}

// Namespace is the namespace the finding is about: a Namespace's own name.
func (f *Finding) Namespace() string {
	_, ns, _ := f.Identity()
	if f.Item != nil && f.Item.GetKind() == "Namespace" {
		return f.Item.GetName()
	}
	return ns
}
