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
	return yamlnode.StringMap(f.Value.YNode(), "metadata."+field)
}

// DataMap reads the data of a ConfigMap strictly: a value that is not a string (a mapping
// or a list) is an error naming its key, where kyaml's GetDataMap reads it as "".
func DataMap(cm *yaml.RNode) (map[string]string, error) {
	f := cm.Field("data")
	if f == nil {
		return map[string]string{}, nil
	}
	return yamlnode.StringMap(f.Value.YNode(), "data")
}
