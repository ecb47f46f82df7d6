package check

import (
	"fmt"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/yamlnode"
	"istio.io/api/annotation"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Pod is a workload of the package analysed as the pod its controller would create:
// one pod stands for every replica, and findings about it are reported on the workload.
type Pod struct {
	Workload *yaml.RNode
	// Name is the pod's name in the analysis: the workload's, unless a Pod of the package
	// already has it.
	Name, Namespace string
	// Template is the pod template (metadata and spec) as the package holds it.
	Template *yaml.RNode
	// Admitted is the template as the cluster's webhook would inject it, when the package
	// holds it uninjected and a revision would inject it; nil otherwise.
	Admitted *yaml.RNode
	// Ambient is set when the pod runs in ambient mode: it then carries the annotation
	// Istio's CNI agent puts on the pods it hands to ztunnel, which analyzers read.
	Ambient bool
}

// Node is the pod for the analysis: the template's labels, annotations and spec (the
// template's own nodes, shared) under the pod's name and namespace.
func (p Pod) Node() *yaml.RNode {
	meta := []krm.Field{krm.F("name", p.Name)}
	if p.Namespace != "" {
		meta = append(meta, krm.F("namespace", p.Namespace))
	}
	t := p.Template
	if p.Admitted != nil {
		t = p.Admitted
	}
	if m := t.Field("metadata"); m != nil {
		for _, key := range []string{"labels", "annotations"} {
			if f := m.Value.Field(key); f != nil && f.Value.YNode().Kind == yaml.MappingNode {
				meta = append(meta, krm.F(key, f.Value))
			}
		}
	}
	if p.Ambient {
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

// ProxyContainer is the container injection adds.
const ProxyContainer = "istio-proxy"

// PodView is what a workload's pod template says about injection.
type PodView struct {
	Labels, Annotations map[string]string
	Status              inject.Status
	Injected            bool
	ProxyImage          string
}

// ReadPodView reads what the checks need of a pod template. A container that is not
// a mapping is an error, after the rest is read.
func ReadPodView(template *yaml.RNode) (PodView, error) {
	var v PodView
	var err error
	if v.Labels, err = krm.Labels(template); err != nil {
		return v, err
	}
	if v.Annotations, err = krm.Annotations(template); err != nil {
		return v, err
	}
	v.Status, v.Injected = inject.ParseStatus(v.Annotations)
	for _, list := range []string{"containers", "initContainers"} {
		cs, _ := template.Pipe(yaml.Lookup("spec", list))
		if cs == nil || cs.YNode().Kind != yaml.SequenceNode {
			continue // Istio's conversion reports a list of the wrong type
		}
		for i, c := range cs.YNode().Content {
			if c.Kind != yaml.MappingNode {
				// The API server reads null as a container without name or image.
				if err == nil {
					err = fmt.Errorf("spec.%s[%d]: expected a container, got %s", list, i, yamlnode.Describe(c))
				}
				continue
			}
			name, image := yaml.NewRNode(c).Field("name"), yaml.NewRNode(c).Field("image")
			if name != nil && image != nil && yaml.GetValue(name.Value) == ProxyContainer {
				v.ProxyImage = yaml.GetValue(image.Value)
			}
		}
	}
	return v, err
}
