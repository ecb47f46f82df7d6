package validation

import (
	"fmt"
	"os"
	"path"
	"runtime/debug"
	"sort"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/inject/sidecar"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/podtemplate"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// injectionConfig is the package's own SidecarInjection config, which says how its
// workloads are injected (native sidecars, hub and tag, cluster and network): the one at
// the package's root when there are several, else the first by path; nil when none.
func injectionConfig(items []*yaml.RNode) *yaml.RNode {
	var found []*yaml.RNode
	for _, it := range items {
		if it.GetKind() == sidecar.Kind && it.GetApiVersion() == fnconfig.APIVersion {
			found = append(found, it)
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		pi, _ := krm.Location(found[i])
		pj, _ := krm.Location(found[j])
		if di, dj := path.Dir(pi) == ".", path.Dir(pj) == "."; di != dj {
			return di
		}
		return pi < pj
	})
	if len(found) == 0 {
		return nil
	}
	return found[0]
}

// decodeInjection reads the package's SidecarInjection config; nil when there is none or
// it is invalid (inject-sidecar reports that itself).
func decodeInjection(cfg *yaml.RNode) *sidecar.Spec {
	if cfg == nil {
		return nil
	}
	var s sidecar.Spec
	if _, err := fnconfig.Decode(cfg, sidecar.Kind, &s); err != nil {
		return nil
	}
	return &s
}

// admittedTemplates returns, for the workloads whose pod templates are not injected, the
// template as the cluster's webhook would admit it: inject-sidecar's own decision and
// rendering (internal/inject/sidecar, on copies of the workloads), in webhook mode, with
// the package's SidecarInjection config (kept where the package has one). Workloads the
// webhook would not inject are left out; none are when injecting any workload fails, or
// the injector crashes (as inject-sidecar itself would fail: validate-mesh's own checks
// report what they can of such a package).
func admittedTemplates(all []*yaml.RNode, pods []check.Pod, views []check.PodView, cfg *yaml.RNode) (admitted map[int]*yaml.RNode, err error) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(os.Stderr, "%v\n%s", p, debug.Stack()) // a bug in meshfn, as inject-sidecar would report it
			admitted, err = nil, nil
		}
	}()
	candidates := map[*yaml.RNode]int{}
	for i, v := range views {
		if !v.Injected {
			candidates[pods[i].Workload] = i
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	// The package as the injector reads it: every item but the workloads injected already
	// (and Pods), which deciding for the others does not need.
	rl := &krm.ResourceList{}
	for _, it := range all {
		_, isCandidate := candidates[it]
		if _, workload := podtemplate.Path(it.GetApiVersion(), it.GetKind()); workload && !isCandidate {
			continue
		}
		rl.Items = append(rl.Items, it)
	}
	config := cfg
	if config == nil {
		config = yaml.MustParse("apiVersion: " + fnconfig.APIVersion + "\nkind: " + sidecar.Kind + "\nmetadata:\n  name: validate-mesh\n")
	} else {
		config = config.Copy()
	}
	if err := config.PipeE(yaml.SetField("spec", webhookMode(config))); err != nil {
		return nil, err
	}
	var spec sidecar.Spec
	if _, err := fnconfig.Decode(config, sidecar.Kind, &spec); err != nil {
		return nil, nil // validate-mesh's own checks report why injection would fail
	}
	inj, ok := sidecar.NewInjector(rl, &spec)
	if !ok || rl.Failed() {
		return nil, nil
	}
	admitted = map[int]*yaml.RNode{}
	for _, it := range rl.Items {
		i, isCandidate := candidates[it]
		if !isCandidate && (!isList(it) || krm.IsPackageMeta(it)) {
			continue // no workload to inject
		}
		copied := it.Copy() // injection writes into the item
		res, err := inj.Inject(copied)
		if err != nil || krm.HasErrors(res.Results) {
			return nil, nil
		}
		if !isCandidate || !res.Changed {
			continue
		}
		p, _ := podtemplate.Path(it.GetApiVersion(), it.GetKind())
		t, err := copied.Pipe(yaml.Lookup(p...))
		if err != nil || t == nil {
			continue
		}
		if v, _ := check.ReadPodView(t); v.Injected { // the workload's own view reports an error
			admitted[i] = t
		}
	}
	return admitted, nil
}

// isList reports whether an item is a v1 List, whose members the injector injects too.
func isList(it *yaml.RNode) bool {
	return it.GetKind() == "List" && it.GetApiVersion() == "v1"
}

// webhookMode is the config's spec with mode webhook and action inject, as the cluster's
// webhook injects.
func webhookMode(config *yaml.RNode) *yaml.RNode {
	spec := config.Field("spec")
	var s *yaml.RNode
	if spec == nil || spec.Value.YNode().Kind != yaml.MappingNode {
		s = krm.Map()
	} else {
		s = spec.Value
	}
	_ = s.PipeE(yaml.SetField("mode", yaml.NewStringRNode(sidecar.ModeWebhook)))
	_ = s.PipeE(yaml.SetField("action", yaml.NewStringRNode(sidecar.ActionInject)))
	return s
}
