package krm

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/yamlnode"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// checkInput returns an error result for each item (and the function config) that no
// function may read: one whose identity or metadata kyaml's accessors would misread or
// crash on (CheckShape), or that holds a YAML alias to an anchor outside itself
// (checkAliases). A function never runs on such an input. anchors reports whether the
// input can hold an anchor at all (a "&" somewhere): without one, the walk for aliases
// is skipped.
func checkInput(items []*yaml.RNode, config *yaml.RNode, anchors bool) fn.Results {
	var results fn.Results
	check := func(obj *yaml.RNode, what string) {
		err := checkShapes(obj.YNode())
		if err == nil && anchors {
			err = checkAliases(obj.YNode())
		}
		if err != nil {
			results = append(results, unreadableResult(obj, fmt.Errorf("%s cannot be read: %w", what, err)))
		}
	}
	for _, it := range items {
		check(it, "the resource")
	}
	if config != nil && !config.IsNilOrEmpty() {
		check(config, "the function config")
	}
	return results
}

// earlierResults are the results the input holds, without null entries (a result that
// says nothing, which the SDK reads as a nil pointer).
func earlierResults(results fn.Results) fn.Results {
	return slices.DeleteFunc(results, func(r *fn.Result) bool { return r == nil })
}

// checkShapes is CheckShape of obj and, when obj is a List, of each of its members,
// which functions read as resources too.
func checkShapes(obj *yaml.Node) error {
	if err := CheckShape(obj); err != nil {
		return err
	}
	if kind := fieldOf(obj, "kind"); kind == nil || kind.Value != "List" {
		return nil
	}
	members := fieldOf(obj, "items")
	if members == nil || members.Kind != yaml.SequenceNode {
		return nil
	}
	for i, m := range members.Content {
		if err := CheckShape(m); err != nil {
			return fmt.Errorf("items[%d]: %w", i, err)
		}
	}
	return nil
}

// CheckShape checks what every function reads of an object through kyaml's accessors:
// apiVersion, kind, metadata.name and metadata.namespace are scalars, metadata is a
// mapping, and its labels and annotations are mappings of scalars. kyaml reads a list
// there by crashing, an alias as its name and a mapping as "". The runtime checks every
// item; a function checks so an object it finds inside one (a pod template) before it
// reads the object with kyaml.
func CheckShape(obj *yaml.Node) error {
	if obj.Kind != yaml.MappingNode {
		return fmt.Errorf("expected a mapping, got %s", yamlnode.Describe(obj))
	}
	for _, key := range []string{"apiVersion", "kind"} {
		if v := fieldOf(obj, key); v != nil && v.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: expected a string, got %s%s", key, yamlnode.Describe(v), aliasHint(v))
		}
	}
	meta := fieldOf(obj, yaml.MetadataField)
	if meta == nil || meta.Kind == yaml.ScalarNode && meta.Tag == yaml.NodeTagNull {
		return nil
	}
	if meta.Kind != yaml.MappingNode {
		return fmt.Errorf("metadata: expected a mapping, got %s%s", yamlnode.Describe(meta), aliasHint(meta))
	}
	for _, key := range []string{"name", "namespace"} {
		if v := fieldOf(meta, key); v != nil && v.Kind != yaml.ScalarNode {
			return fmt.Errorf("metadata.%s: expected a string, got %s%s", key, yamlnode.Describe(v), aliasHint(v))
		}
	}
	for _, key := range []string{yaml.LabelsField, yaml.AnnotationsField} {
		if err := checkStringMap(fieldOf(meta, key), "metadata."+key); err != nil {
			return err
		}
	}
	return nil
}

// checkStringMap checks that m is missing, null or a mapping of scalars to scalars.
func checkStringMap(m *yaml.Node, path string) error {
	if m == nil || m.Kind == yaml.ScalarNode && m.Tag == yaml.NodeTagNull {
		return nil
	}
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: expected a mapping, got %s%s", path, yamlnode.Describe(m), aliasHint(m))
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: expected string keys, got %s", path, yamlnode.Describe(k))
		}
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s.%s: expected a string, got %s%s", path, k.Value, yamlnode.Describe(v), aliasHint(v))
		}
	}
	return nil
}

// checkAliases checks that every alias in obj names an anchor inside obj. Objects are
// written one by one and sorted: an alias to another object's anchor would be written
// before its anchor, or in a file without it.
func checkAliases(obj *yaml.Node) error {
	var anchored map[*yaml.Node]bool
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		if n.Anchor != "" {
			if anchored == nil {
				anchored = map[*yaml.Node]bool{}
			}
			anchored[n] = true
		}
		if n.Kind == yaml.AliasNode && !anchored[n.Alias] {
			return fmt.Errorf("line %d: the YAML alias *%s names an anchor outside it; "+
				"resources are written apart and reordered, so an alias cannot cross them: write the value out", n.Line, n.Value)
		}
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(obj)
}

// aliasHint says why an alias is refused where metadata is read.
func aliasHint(n *yaml.Node) string {
	if n.Kind != yaml.AliasNode {
		return ""
	}
	return " (metadata is read without following aliases: write the value out)"
}

// fieldOf is the value of key in mapping m, or nil.
func fieldOf(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// unreadableResult is an error result about obj, which CheckShape may have refused: it
// names obj with what can be read of it, without kyaml's accessors.
func unreadableResult(obj *yaml.RNode, err error) *fn.Result {
	scalar := func(path ...string) string {
		v := obj.YNode()
		for _, key := range path {
			v = fieldOf(v, key)
		}
		if v == nil || v.Kind != yaml.ScalarNode {
			return ""
		}
		return v.Value
	}
	ref := &fn.ResourceRef{APIVersion: scalar("apiVersion"), Kind: scalar("kind"),
		Name: scalar("metadata", "name"), Namespace: scalar("metadata", "namespace")}
	r := &fn.Result{Severity: fn.Error, ResourceRef: ref}
	annotation := func(keys ...string) string {
		for _, k := range keys {
			if v := scalar("metadata", "annotations", k); v != "" {
				return v
			}
		}
		return ""
	}
	if path := annotation(kioutil.PathAnnotation, kioutil.LegacyPathAnnotation); path != "" {
		index, _ := strconv.Atoi(annotation(kioutil.IndexAnnotation, kioutil.LegacyIndexAnnotation))
		r.File = &fn.File{Path: path, Index: index}
	}
	name := ref.Name
	if ref.Namespace != "" {
		name = ref.Namespace + "/" + name
	}
	r.Message = strings.TrimSpace(ref.Kind+" "+name) + ": " + err.Error()
	if r.File != nil {
		r.Message = strings.TrimSpace(ref.Kind+" "+name) + " (" + r.File.Path + "): " + err.Error()
	}
	return r
}
