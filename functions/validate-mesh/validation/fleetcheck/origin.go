package fleetcheck

import (
	"slices"

	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/origin"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// labelOrigin returns where the revision label of a namespace whose labels are labels
// was set: a setter its line references, else the config of set-namespace-revision in the
// namespace's package that labels it with that value (and the setter its spec.revision
// line references). The zero Origin when neither.
func (fv *fleetView) labelOrigin(ns *yaml.RNode, labels map[string]string) origin.Origin {
	key := istio.RevisionLabel
	if _, ok := labels[istio.InjectionLabel]; ok {
		key = istio.InjectionLabel
	}
	label, _ := ns.Pipe(yaml.Lookup(yaml.MetadataField, yaml.LabelsField, key))
	if label == nil {
		return origin.Origin{}
	}
	if o, ok := fv.pkgs.Setter(ns, label.YNode()); ok {
		return o
	}
	if key != istio.RevisionLabel {
		return origin.Origin{}
	}
	for _, cfg := range fv.all {
		if cfg.GetKind() != fnconfig.NamespaceRevisionKind || cfg.GetApiVersion() != fnconfig.APIVersion || !fv.pkgs.SamePackage(cfg, ns) {
			continue
		}
		rev, _ := cfg.Pipe(yaml.Lookup("spec", "revision"))
		if rev == nil || rev.YNode().Value != labels[key] || !labelsNamespace(cfg, ns.GetName()) {
			continue
		}
		o, _ := fv.pkgs.Setter(cfg, rev.YNode())
		o.Function, o.Config, o.Field = "set-namespace-revision", krm.File(cfg), "spec.revision"
		if o.Config == "" {
			o.Config = "NamespaceRevision " + cfg.GetName()
		}
		return o
	}
	return origin.Origin{}
}

// labelsNamespace reports whether a NamespaceRevision config may label the namespace
// name: it lists it, or selects namespaces by their labels.
func labelsNamespace(cfg *yaml.RNode, name string) bool {
	if sel, _ := cfg.Pipe(yaml.Lookup("spec", "selector")); sel != nil {
		return true
	}
	list, _ := cfg.Pipe(yaml.Lookup("spec", "namespaces"))
	if list == nil || list.YNode().Kind != yaml.SequenceNode {
		return false
	}
	return slices.ContainsFunc(list.YNode().Content, func(n *yaml.Node) bool { return n.Value == name })
}
