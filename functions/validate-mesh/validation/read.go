package validation

import (
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/fleet"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/podtemplate"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// pkgView is the package as validate-mesh reads it, in one pass over the items.
//
// Most of a rendered package is injected workloads, and what the checks read of one is
// its pod view and, for Istio's analyzers, the workload and its pod converted for Istio's
// store: a workload injected already (no admission decision to make) whose namespace is
// set is converted as soon as it is read and shrunk to what findings name, so that its
// nodes are freed while the rest of the package is read. Everything else is kept whole
// until all of it is read.
type pkgView struct {
	all        []*yaml.RNode // every item
	items      []*yaml.RNode // the resources: items but package meta
	namespaces []*yaml.RNode
	pods       []check.Pod
	views      []check.PodView
	// podItems are the namespace/name of the package's Pods, which workloads' pods are
	// not named after.
	podItems map[string]bool
	// converted are the objects made while reading, by document name ("i<N>", "p<N>").
	converted map[string]check.Conversion
	// templateErrs are the workloads without a pod template; viewErrs the pod templates
	// that cannot be read, in the order of the pods.
	templateErrs []error
	viewErrs     []*check.Finding
}

// readPackage reads the items.
func readPackage(items iter.Seq[*yaml.RNode]) *pkgView {
	pv := &pkgView{podItems: map[string]bool{}, converted: map[string]check.Conversion{}}
	for it := range items {
		pv.all = append(pv.all, it)
		if !isResource(it) {
			continue
		}
		pv.items = append(pv.items, it)
		switch {
		case it.GetKind() == "Namespace" && it.GetApiVersion() == "v1":
			pv.namespaces = append(pv.namespaces, it)
		case it.GetKind() == "Pod" && it.GetApiVersion() == "v1":
			pv.podItems[it.GetNamespace()+"/"+it.GetName()] = true
		}
		pv.readWorkload(it, len(pv.items)-1)
	}
	return pv
}

// readWorkload reads the pod template of a workload item that is not itself a Pod, and
// converts the item and its pod when they are done with (see pkgView). A template that is
// not a mapping, or whose metadata is not one kyaml reads safely (krm.CheckShape), is an
// error, and no pod.
func (pv *pkgView) readWorkload(it *yaml.RNode, index int) {
	path, ok := podtemplate.Path(it.GetApiVersion(), it.GetKind())
	if !ok || len(path) == 0 {
		return
	}
	t, err := it.Pipe(yaml.Lookup(path...))
	if err != nil || t == nil || t.YNode().Kind != yaml.MappingNode {
		pv.templateErrs = append(pv.templateErrs, fmt.Errorf("%s: no pod template at %s", krm.Describe(it), strings.Join(path, ".")))
		return
	}
	if err := krm.CheckShape(t.YNode()); err != nil {
		// kyaml's accessors, which read templates too, would crash or misread it.
		pv.viewErrs = append(pv.viewErrs, &check.Finding{Code: check.CodeUnreadable, Level: check.LevelError, Item: it, Message: fmt.Sprintf("its pod template: %v", err)})
		return
	}
	p := check.Pod{Workload: it, Name: it.GetName(), Namespace: it.GetNamespace(), Template: t}
	v, err := check.ReadPodView(t)
	if err != nil {
		pv.viewErrs = append(pv.viewErrs, &check.Finding{Code: check.CodeUnreadable, Level: check.LevelError, Item: it, Message: fmt.Sprintf("its pod template: %v", err)})
	}
	if err == nil && v.Injected && p.Namespace != "" {
		item, pod := check.ItemDoc+strconv.Itoa(index), check.PodDoc+strconv.Itoa(len(pv.pods))
		pv.converted[item] = check.Convert(item, it)
		pv.converted[pod] = check.Convert(pod, p.Node())
		p.Template = check.Shrink(t)
		*it.YNode() = *check.Shrink(it).YNode()
	}
	pv.pods = append(pv.pods, p)
	pv.views = append(pv.views, v)
}

// namePods sets the namespace of the pods of workloads without one, and names each pod
// after its workload, unless a Pod of the package (or an earlier workload's pod) already
// has that name. A pod converted while reading is renamed.
func (pv *pkgView) namePods(defaultNamespace string) error {
	taken := map[string]bool{}
	for k := range pv.podItems {
		taken[k] = true
	}
	for i := range pv.pods {
		p := &pv.pods[i]
		if p.Namespace == "" {
			p.Namespace = defaultNamespace
		}
		for taken[p.Namespace+"/"+p.Name] {
			p.Name += "-pod"
		}
		taken[p.Namespace+"/"+p.Name] = true
		doc := check.PodDoc + strconv.Itoa(i)
		if c, ok := pv.converted[doc]; ok && c.Err == nil && p.Name != p.Workload.GetName() {
			if err := c.Obj.Rename(p.Name); err != nil {
				return fmt.Errorf("renaming the pod of %s: %w", krm.Describe(p.Workload), err)
			}
			pv.converted[doc] = c
		}
	}
	return nil
}

// markAmbient sets which pods run in ambient mode: those no sidecar is injected into
// (neither in the package nor at admission) whose labels or namespace's put them there
// (internal/fleet's rule, as inject-sidecar applies it).
func (pv *pkgView) markAmbient() {
	nsLabels := map[string]map[string]string{}
	for _, ns := range pv.namespaces {
		nsLabels[ns.GetName()], _ = krm.Labels(ns)
	}
	for i := range pv.pods {
		p := &pv.pods[i]
		if pv.views[i].Injected || p.Admitted != nil {
			continue
		}
		hostNetwork, _ := p.Template.Pipe(yaml.Lookup("spec", "hostNetwork"))
		p.Ambient = fleet.AmbientOf(fleet.NamespaceLabels(p.Namespace, nsLabels[p.Namespace]), pv.views[i].Labels,
			hostNetwork != nil && yaml.GetValue(hostNetwork) == "true").Captured
	}
}

// isResource reports whether an item is a cluster resource: not the Kptfile and not a
// function's local config.
func isResource(it *yaml.RNode) bool { return !krm.IsPackageMeta(it) }
