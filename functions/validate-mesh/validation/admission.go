package validation

import (
	"bytes"
	"fmt"
	"path"
	"sort"

	"github.com/meshfn/meshfn/functions/inject-sidecar/injection"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/podtemplate"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// injectionConfig is the package's own SidecarInjection config, which says how its
// workloads are injected (native sidecars, hub and tag, cluster and network): the one at
// the package's root when there are several, else the first by path; nil when none.
func injectionConfig(items []*yaml.RNode) *yaml.RNode {
	var found []*yaml.RNode
	for _, it := range items {
		if it.GetKind() == injection.Kind && it.GetApiVersion() == fnconfig.APIVersion {
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
func decodeInjection(cfg *yaml.RNode) *injection.Spec {
	if cfg == nil {
		return nil
	}
	var s injection.Spec
	if _, err := fnconfig.Decode(cfg, injection.Kind, &s); err != nil {
		return nil
	}
	return &s
}

// admittedTemplates returns, for the workloads whose pod templates are not injected, the
// template as the cluster's webhook would admit it: inject-sidecar's own decision and
// rendering, in webhook mode, with the package's SidecarInjection config (kept where the
// package has one). Workloads the webhook would not inject are left out.
func admittedTemplates(all []*yaml.RNode, pods []podOf, views []podView, cfg *yaml.RNode) (map[int]*yaml.RNode, error) {
	var candidates []int
	isCandidate := map[*yaml.RNode]bool{}
	for i, v := range views {
		if !v.injected {
			candidates = append(candidates, i)
			isCandidate[pods[i].workload] = true
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	var in []*yaml.RNode
	for _, it := range all {
		if _, workload := podtemplate.Path(it.GetApiVersion(), it.GetKind()); workload && !isCandidate[it] {
			continue // injected already, or a Pod: not needed to decide for the others
		}
		in = append(in, it.Copy())
	}
	config := cfg
	if config == nil {
		config = yaml.MustParse("apiVersion: " + fnconfig.APIVersion + "\nkind: " + injection.Kind + "\nmetadata:\n  name: validate-mesh\n")
	} else {
		config = config.Copy()
	}
	if err := config.PipeE(yaml.SetField("spec", webhookMode(config))); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := kio.ByteWriter{Writer: &buf, KeepReaderAnnotations: true, FunctionConfig: config,
		WrappingKind: kio.ResourceListKind, WrappingAPIVersion: kio.ResourceListAPIVersion}
	if err := w.Write(in); err != nil {
		return nil, err
	}
	out, results, err := krm.Run(injection.Run, buf.Bytes())
	if err != nil || krm.HasErrors(results) {
		return nil, err // validate-mesh's own checks report why injection would fail
	}
	return injectedByWorkload(out, pods, candidates)
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
	_ = s.PipeE(yaml.SetField("mode", yaml.NewStringRNode(injection.ModeWebhook)))
	_ = s.PipeE(yaml.SetField("action", yaml.NewStringRNode(injection.ActionInject)))
	return s
}

// injectedByWorkload finds the candidates' templates in inject-sidecar's output and keeps
// those it injected.
func injectedByWorkload(out []byte, pods []podOf, candidates []int) (map[int]*yaml.RNode, error) {
	items, err := (&kio.ByteReader{Reader: bytes.NewReader(out), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return nil, fmt.Errorf("reading inject-sidecar's output: %w", err)
	}
	byID := map[string]*yaml.RNode{}
	for _, it := range items {
		byID[identityOf(it)] = it
	}
	admitted := map[int]*yaml.RNode{}
	for _, i := range candidates {
		w := pods[i].workload
		it := byID[identityOf(w)]
		if it == nil {
			continue
		}
		p, _ := podtemplate.Path(w.GetApiVersion(), w.GetKind())
		t, err := it.Pipe(yaml.Lookup(p...))
		if err != nil || t == nil {
			continue
		}
		if v, _ := readPodView(t); v.injected { // the workload's own view reports an error
			admitted[i] = t
		}
	}
	return admitted, nil
}

func identityOf(obj *yaml.RNode) string {
	return obj.GetApiVersion() + "|" + obj.GetKind() + "|" + obj.GetNamespace() + "|" + obj.GetName()
}
