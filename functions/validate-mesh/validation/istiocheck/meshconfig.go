package istiocheck

import (
	"sort"
	"strings"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/fleet"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// meshConfigMap is the name of the ConfigMap a revision's istiod reads its mesh config
// from (istio for the default revision, istio-REV for another), and its keys.
const (
	meshConfigMap   = "istio"
	MeshKey         = "mesh"
	MeshNetworksKey = "meshNetworks"
)

// meshSettings is one revision's mesh config and mesh networks, as YAML ("" for Istio's
// defaults), and the ConfigMap they came from (nil for the defaults).
type meshSettings struct {
	mesh, networks string
	source         *yaml.RNode
}

func (m meshSettings) key() string { return m.mesh + "\x00" + m.networks }

// meshConfigs reads the mesh config ConfigMaps of the Istio namespace, by revision ("" is
// the default revision). The revision is the ConfigMap's istio.io/rev label, else its
// name's suffix.
func meshConfigs(items []*yaml.RNode, istioNamespace string) map[string]meshSettings {
	out := map[string]meshSettings{}
	for _, it := range items {
		if it.GetKind() != "ConfigMap" || it.GetApiVersion() != "v1" || it.GetNamespace() != istioNamespace {
			continue
		}
		rev, ok := meshConfigRevision(it)
		if !ok {
			continue
		}
		data := it.GetDataMap()
		out[rev] = meshSettings{mesh: data[MeshKey], networks: data[MeshNetworksKey], source: it}
	}
	return out
}

func meshConfigRevision(cm *yaml.RNode) (string, bool) {
	name := cm.GetName()
	if name != meshConfigMap && !strings.HasPrefix(name, meshConfigMap+"-") {
		return "", false
	}
	if rev, ok := cm.GetLabels()[istio.RevisionLabel]; ok {
		if istio.IsDefaultRevision(rev) {
			return "", true
		}
		return rev, true
	}
	return strings.TrimPrefix(strings.TrimPrefix(name, meshConfigMap), "-"), true
}

// analysisRun is one run of Istio's analyzers with one mesh config. It reports on the
// resources of the namespaces it owns; the run owning "" (the default revision's mesh
// config) also reports on everything no other run owns.
type analysisRun struct {
	settings   meshSettings
	namespaces map[string]bool
	isDefault  bool
}

// planRuns groups the namespaces by the mesh config of the revision that serves them: one
// run when every revision in use has the same mesh config (the usual case), one run per
// distinct mesh config otherwise. revisionOf names a namespace's revision ("" default).
func planRuns(configs map[string]meshSettings, namespaces []*yaml.RNode, revisionOf func(*yaml.RNode) string) []*analysisRun {
	byKey := map[string]*analysisRun{}
	get := func(rev string) *analysisRun {
		s := configs[rev]
		r, ok := byKey[s.key()]
		if !ok {
			r = &analysisRun{settings: s, namespaces: map[string]bool{}}
			byKey[s.key()] = r
		}
		return r
	}
	get("").isDefault = true
	for _, ns := range namespaces {
		get(revisionOf(ns)).namespaces[ns.GetName()] = true
	}
	runs := make([]*analysisRun, 0, len(byKey))
	for _, r := range byKey {
		runs = append(runs, r)
	}
	sort.Slice(runs, func(i, j int) bool {
		if runs[i].isDefault != runs[j].isDefault {
			return runs[i].isDefault
		}
		return runs[i].settings.key() < runs[j].settings.key()
	})
	return runs
}

// owns reports whether the run reports findings about a resource in namespace ns.
func (r *analysisRun) owns(ns string, runs []*analysisRun) bool {
	if r.namespaces[ns] {
		return true
	}
	if !r.isDefault {
		return false
	}
	for _, other := range runs {
		if other != r && other.namespaces[ns] {
			return false
		}
	}
	return true
}

// revisionOf returns, for a namespace, the revision whose webhooks select its pods ("" for
// the default revision), for choosing its mesh config; the label's when none or several
// do, or the package holds no control plane.
func revisionOf(p *check.Package) func(ns *yaml.RNode) string {
	if p.Mesh == nil {
		return namespaceRevision
	}
	byName := map[string]*yaml.RNode{}
	for _, ns := range p.Namespaces {
		byName[ns.GetName()] = ns
	}
	return func(ns *yaml.RNode) string {
		labels, _ := krm.Labels(byName[ns.GetName()])
		if revs, _ := p.Mesh.Match(fleet.NamespaceLabels(ns.GetName(), labels), nil); len(revs) == 1 {
			return revs[0]
		}
		return namespaceRevision(ns)
	}
}

// namespaceRevision is the revision a Namespace selects by its labels: istio.io/rev, else
// "" (the default revision) for istio-injection=enabled or no label.
func namespaceRevision(ns *yaml.RNode) string {
	rev := ns.GetLabels()[istio.RevisionLabel]
	if istio.IsDefaultRevision(rev) {
		return ""
	}
	return rev
}
