package validation

import (
	"github.com/meshfn/meshfn/internal/krm"
	"istio.io/api/annotation"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// podOf is a workload of the package analysed as the pod its controller would create:
// one pod stands for every replica, and findings about it are reported on the workload.
type podOf struct {
	workload *yaml.RNode
	// name is the pod's name in the analysis: the workload's, unless a Pod of the package
	// already has it.
	name, namespace string
	// template is the pod template (metadata and spec) as the package holds it.
	template *yaml.RNode
	// admitted is the template as the cluster's webhook would inject it, when the package
	// holds it uninjected and a revision would inject it; nil otherwise.
	admitted *yaml.RNode
	// ambient is set when the pod runs in ambient mode: it then carries the annotation
	// Istio's CNI agent puts on the pods it hands to ztunnel, which analyzers read.
	ambient bool
}

// node is the pod for the analysis: the template's labels, annotations and spec (the
// template's own nodes, shared) under the pod's name and namespace.
func (p podOf) node() *yaml.RNode {
	meta := []krm.Field{krm.F("name", p.name)}
	if p.namespace != "" {
		meta = append(meta, krm.F("namespace", p.namespace))
	}
	t := p.template
	if p.admitted != nil {
		t = p.admitted
	}
	if m := t.Field("metadata"); m != nil {
		for _, key := range []string{"labels", "annotations"} {
			if f := m.Value.Field(key); f != nil && f.Value.YNode().Kind == yaml.MappingNode {
				meta = append(meta, krm.F(key, f.Value))
			}
		}
	}
	if p.ambient {
		meta = withAmbientRedirection(meta)
	}
	fields := []krm.Field{krm.F("apiVersion", "v1"), krm.F("kind", "Pod"), krm.F("metadata", krm.Map(meta...))}
	if s := t.Field("spec"); s != nil {
		fields = append(fields, krm.F("spec", s.Value))
	}
	return krm.Map(fields...)
}

// withAmbientRedirection adds ambient.istio.io/redirection: enabled to the pod's
// annotations (a copy of the template's, which stay as they are).
func withAmbientRedirection(meta []krm.Field) []krm.Field {
	redirection := krm.F(annotation.AmbientRedirection.Name, "enabled")
	for i, f := range meta {
		if f.Key == "annotations" {
			annotations := f.Value.(*yaml.RNode).Copy()
			_ = annotations.PipeE(yaml.SetField(annotation.AmbientRedirection.Name, yaml.NewStringRNode("enabled")))
			meta[i] = krm.F("annotations", annotations)
			return meta
		}
	}
	return append(meta, krm.F("annotations", krm.Map(redirection)))
}
