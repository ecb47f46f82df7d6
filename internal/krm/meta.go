package krm

import (
	"fmt"
	"strings"

	"github.com/meshfn/meshfn/internal/yamlscalar"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// LocalConfigAnnotation marks objects that are inputs to functions, not cluster resources.
const LocalConfigAnnotation = "config.kubernetes.io/local-config"

// IsPackageMeta reports whether obj is kpt's own Kptfile or is marked local-config: the
// objects a function reads as input (if at all) but never treats as a cluster resource.
func IsPackageMeta(obj *yaml.RNode) bool {
	if obj.GetKind() == "Kptfile" && obj.GetApiVersion() == "kpt.dev/v1" {
		return true
	}
	return obj.GetAnnotations()[LocalConfigAnnotation] == "true"
}

// SetLabel sets metadata.labels[key] = value. See SetMetadataString.
func SetLabel(obj *yaml.RNode, key, value string) (changed bool, err error) {
	return SetMetadataString(obj, yaml.LabelsField, key, value)
}

// SetAnnotation sets metadata.annotations[key] = value. See SetMetadataString.
func SetAnnotation(obj *yaml.RNode, key, value string) (changed bool, err error) {
	return SetMetadataString(obj, yaml.AnnotationsField, key, value)
}

// RemoveLabel deletes metadata.labels[key], and the labels map if it becomes empty.
func RemoveLabel(obj *yaml.RNode, key string) (removed bool, err error) {
	return removeMetadataKey(obj, yaml.LabelsField, key)
}

// RemoveAnnotation deletes metadata.annotations[key], and the map if it becomes empty.
func RemoveAnnotation(obj *yaml.RNode, key string) (removed bool, err error) {
	return removeMetadataKey(obj, yaml.AnnotationsField, key)
}

// SetMetadataString sets metadata.<field>[key] to the string value. An existing value node
// is edited in place, so its quoting style and comments stay; a value that a YAML 1.1
// parser (kubectl's) would read as something other than a string ("yes", "on", "0755",
// "1e3") is double-quoted. It reports whether anything changed.
func SetMetadataString(obj *yaml.RNode, field, key, value string) (bool, error) {
	m, err := metadataMap(obj, field)
	if err != nil {
		return false, err
	}
	if m.YNode().Kind != yaml.MappingNode {
		return false, fmt.Errorf("metadata.%s: expected a mapping", field)
	}
	if existing := m.Field(key); existing != nil {
		n := existing.Value.YNode()
		if n.Kind == yaml.ScalarNode && n.Value == value && n.Tag == yaml.NodeTagString {
			return false, nil
		}
		n.Kind, n.Tag, n.Value, n.Content = yaml.ScalarNode, yaml.NodeTagString, value, nil
		quoteIfAmbiguous(n)
		return true, nil
	}
	v := yaml.NewStringRNode(value)
	quoteIfAmbiguous(v.YNode())
	return true, m.PipeE(yaml.SetField(key, v))
}

// metadataMap returns metadata.<field>, creating it (or turning a null into an empty
// mapping) when needed.
func metadataMap(obj *yaml.RNode, field string) (*yaml.RNode, error) {
	for _, path := range [][]string{{yaml.MetadataField}, {yaml.MetadataField, field}} {
		n, err := obj.Pipe(yaml.Lookup(path...))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", strings.Join(path, "."), err)
		}
		if n != nil && yaml.IsMissingOrNull(n) {
			y := n.YNode()
			y.Kind, y.Tag, y.Value, y.Style, y.Content = yaml.MappingNode, yaml.NodeTagMap, "", 0, nil
		}
	}
	m, err := obj.Pipe(yaml.PathGetter{Path: []string{yaml.MetadataField, field}, Create: yaml.MappingNode})
	if err != nil {
		return nil, fmt.Errorf("metadata.%s: %w", field, err)
	}
	if m == nil {
		return nil, fmt.Errorf("metadata.%s: cannot be created", field)
	}
	return m, nil
}

// quoteIfAmbiguous quotes a string scalar that YAML 1.2 or 1.1 would not read back as
// the string written plain (see yamlscalar.NotPlainString).
func quoteIfAmbiguous(n *yaml.Node) {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && yamlscalar.NotPlainString(n.Value) {
		n.Style = yamlscalar.QuoteStyle(n.Value)
	}
}

func removeMetadataKey(obj *yaml.RNode, field, key string) (bool, error) {
	m, err := obj.Pipe(yaml.Lookup(yaml.MetadataField, field))
	if err != nil || m == nil {
		return false, err
	}
	if m.YNode().Kind != yaml.MappingNode {
		return false, fmt.Errorf("metadata.%s: expected a mapping", field)
	}
	removed, err := m.Pipe(yaml.Clear(key))
	if err != nil || removed == nil {
		return false, err
	}
	if len(m.YNode().Content) == 0 {
		if _, err := obj.Pipe(yaml.Lookup(yaml.MetadataField), yaml.Clear(field)); err != nil {
			return true, err
		}
	}
	return true, nil
}
