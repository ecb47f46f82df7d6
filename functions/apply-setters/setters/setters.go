// Package setters implements the apply-setters KRM function: it sets every field whose
// line comment is "# kpt-set: <pattern>" to the pattern with the setter values of the
// function config substituted, as the kpt functions catalog's apply-setters v0.2 does.
//
// The function config is a v1 ConfigMap whose data maps setter names to values:
//
//	apiVersion: v1
//	kind: ConfigMap
//	metadata:
//	  name: setters
//	data:
//	  image: nginx
//	  tag: 1.27.0
//	  envs: "[dev, prod]"
//
// A scalar field tagged "# kpt-set: ${image}:${tag}" becomes "nginx:1.27.0"; a sequence
// field tagged "# kpt-set: ${envs}" becomes the list the value holds, written as a YAML
// flow or block list. Fields whose pattern names none of the given setters are left
// alone. Every item is visited, the Kptfile and local-config objects included.
package setters

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/kptset"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Setters maps setter names to the values the function config gives them.
type Setters map[string]string

// FromConfig reads the setter values from the function config: the data of a v1
// ConfigMap. A missing config gives no setters. A null value is the empty string, as
// the catalog reads it; values that are mappings or sequences are rejected, because a
// ConfigMap's data holds strings (write a list setter's value as a string: "[a, b]").
func FromConfig(cfg *yaml.RNode) (Setters, error) {
	s := Setters{}
	if cfg == nil || cfg.IsNilOrEmpty() {
		return s, nil
	}
	if kind, api := cfg.GetKind(), cfg.GetApiVersion(); kind != "ConfigMap" || api != "v1" {
		return nil, fmt.Errorf("functionConfig must be a v1 ConfigMap whose data holds the setter values, not %s %s",
			describeType(api), kind)
	}
	data := cfg.Field(yaml.DataField)
	if data == nil || yaml.IsMissingOrNull(data.Value) {
		return s, nil
	}
	m := data.Value.YNode()
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("functionConfig data must be a mapping of setter names to values")
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		name, value := m.Content[i].Value, m.Content[i+1]
		if value.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("functionConfig data.%s: a setter value must be a string (write a list as \"[a, b]\")", name)
		}
		if value.ShortTag() == yaml.NodeTagNull {
			s[name] = ""
			continue
		}
		s[name] = value.Value
	}
	return s, nil
}

func describeType(apiVersion string) string {
	if apiVersion == "" {
		return "(no apiVersion)"
	}
	return apiVersion
}

// Run is the apply-setters function. It reads the setters from the function config and
// applies them to every item. It reports one info result for each field it set, or a
// single "no matches" info when it set none, and a warning for each setter of the config
// that no field references. On the first error (a list setter whose
// value is not a list, a pattern whose other setters have no value and cannot be derived
// from the field's current value) it reports an error result and changes no item.
func Run(rl *krm.ResourceList) error {
	s, err := FromConfig(rl.Config)
	if err != nil {
		rl.Errorf(rl.Config, "failed to apply setters: %v", err)
		return nil
	}
	updated := make([]*yaml.RNode, len(rl.Items))
	type applied struct {
		obj     *yaml.RNode
		changes []Change
	}
	var all []applied
	used := map[string]bool{}
	for i, item := range rl.Items {
		obj := item.Copy()
		changes, err := apply(obj, s, used)
		if err != nil {
			reportFieldError(rl, item, err)
			return nil
		}
		updated[i] = obj
		all = append(all, applied{obj, changes})
	}
	copy(rl.Items, updated)

	count := 0
	for _, a := range all {
		for _, c := range a.changes {
			rl.Infof(a.obj, "set field value to %q", c.Value)
			rl.Results[len(rl.Results)-1].Field = &fn.Field{Path: c.Path}
			count++
		}
	}
	if count == 0 {
		rl.Infof(nil, "no matches for input setter(s)")
	}
	warnUnused(rl, s, used)
	return nil
}

// warnUnused reports, as a warning each, the setters the config gives that no field's
// pattern references: a misspelt name ("revison") sets nothing, silently, so a change
// meant to happen (a canary's revision) would not. It names the setter, the config's
// file, and the referenced setter the name is a near miss of.
func warnUnused(rl *krm.ResourceList, s Setters, used map[string]bool) {
	file, where := krm.ConfigFile(rl), ""
	if file != "" {
		where = " (in " + file + ")"
	}
	for _, name := range slices.Sorted(maps.Keys(s)) {
		if used[name] {
			continue
		}
		rl.Warningf(nil, "setter %s%s is not used: no field of the package has a %q comment that references ${%s}, so its value %q sets nothing%s",
			name, where, strings.TrimSpace(kptset.CommentPrefix), name, s[name], fnconfig.DidYouMean(name, used))
		if file != "" {
			rl.Results[len(rl.Results)-1].File = &fn.File{Path: file}
		}
	}
}

// reportFieldError records err about obj as an error result; a *FieldError's path goes
// into the result's field rather than its message.
func reportFieldError(rl *krm.ResourceList, obj *yaml.RNode, err error) {
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path == "" {
		rl.Errorf(obj, "failed to apply setters: %v", err)
		return
	}
	rl.Errorf(obj, "failed to apply setters: %v", fe.Err)
	rl.Results[len(rl.Results)-1].Field = &fn.Field{Path: fe.Path}
}
