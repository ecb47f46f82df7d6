package krm

import (
	"fmt"

	"github.com/meshfn/meshfn/internal/yamlnode"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Labels reads metadata.labels of obj. See ReadMetadataMap.
func Labels(obj *yaml.RNode) (map[string]string, error) {
	return ReadMetadataMap(obj, yaml.LabelsField)
}

// Annotations reads metadata.annotations of obj. See ReadMetadataMap.
func Annotations(obj *yaml.RNode) (map[string]string, error) {
	return ReadMetadataMap(obj, yaml.AnnotationsField)
}

// ReadMetadataMap reads metadata.<field> (labels or annotations) of obj straight from its
// YAML nodes, without changing anything. A missing or null field is an empty map. It fails
// when metadata or the field is not a mapping, or a key or value is not a scalar: the cases
// the setters could not edit safely.
func ReadMetadataMap(obj *yaml.RNode, field string) (map[string]string, error) {
	out := map[string]string{}
	meta := obj.Field(yaml.MetadataField)
	if meta == nil || meta.Value.IsNil() {
		return out, nil
	}
	if n := meta.Value.YNode(); n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("metadata: expected a mapping, got %s", yamlnode.Describe(n))
	}
	f := meta.Value.Field(field)
	if f == nil || yaml.IsMissingOrNull(f.Value) {
		return out, nil
	}
	m := f.Value.YNode()
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("metadata.%s: expected a mapping, got %s", field, yamlnode.Describe(m))
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("metadata.%s: expected string keys, got %s", field, yamlnode.Describe(k))
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("metadata.%s.%s: expected a string, got %s", field, k.Value, yamlnode.Describe(v))
		}
		if v.Tag == yaml.NodeTagNull {
			out[k.Value] = ""
			continue
		}
		out[k.Value] = v.Value
	}
	return out, nil
}
