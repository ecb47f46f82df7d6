// Package everykind tests what fnconfig promises for the config kind of every function.
// It is a package of its own so that fnconfig's tests (and its fuzzing) do not link every
// function (validate-mesh links Istio).
package everykind

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/functions/generate-ca-secrets/casecrets"
	"github.com/meshfn/meshfn/functions/generate-revision/revision"
	"github.com/meshfn/meshfn/functions/generate-waypoint/waypoint"
	"github.com/meshfn/meshfn/functions/set-namespace-revision/nsrevision"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/inject/sidecar"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// configKinds is every function's config kind (apply-setters' config is a ConfigMap of
// setter names the user chooses, not settings).
var configKinds = []struct {
	kind string
	spec func() fnconfig.Spec
}{
	{revision.Kind, func() fnconfig.Spec { return &revision.Spec{} }},
	{nsrevision.Kind, func() fnconfig.Spec { return &nsrevision.Spec{} }},
	{sidecar.Kind, func() fnconfig.Spec { return &sidecar.Spec{} }},
	{casecrets.Kind, func() fnconfig.Spec { return &casecrets.Spec{} }},
	{waypoint.Kind, func() fnconfig.Spec { return &waypoint.Spec{} }},
	{validation.Kind, func() fnconfig.Spec { return &validation.Spec{} }},
}

// TestEveryKindMatchesFieldNamesExactly: for every function's config kind, in the typed
// form and the ConfigMap form, each field name at every depth of the settings (inside lists,
// maps and the structured forms of self-decoding settings such as a label selector)
// written in another case (failon, Name) is an error naming the field as written and the
// name meant. Before, encoding/json matched names without regard to case and took
// `failon: warning` for failOn.
func TestEveryKindMatchesFieldNamesExactly(t *testing.T) {
	for _, k := range configKinds {
		for _, c := range miscasedFields(reflect.TypeOf(k.spec()), "", func(v any) any { return v }, 0) {
			spec, _ := json.Marshal(c.value)
			typed := "apiVersion: fn.meshfn.dev/v1alpha1\nkind: " + k.kind + "\nmetadata:\n  name: c\nspec: " + string(spec) + "\n"
			wantTyped := "unknown field spec." + c.path + " (did you mean " + c.meant + "?)"
			checkDecodeError(t, k.kind, typed, k.spec(), wantTyped)

			// The ConfigMap form: a top-level name as a key of data, a deeper one inside the
			// structured value a key holds as a string.
			top, _, nested := strings.Cut(c.path, ".")
			if i := strings.Index(top, "["); i >= 0 {
				top, nested = top[:i], true
			}
			data := map[string]any{top: "x"}
			wantFlat := "unknown key data." + c.path + " (did you mean " + c.meant + "?)"
			if nested {
				if c.selfDecoding {
					continue // a ConfigMap gives such a setting in its string form only
				}
				inner, _ := json.Marshal(c.value.(map[string]any)[top])
				data[top], wantFlat = string(inner), "unknown field data."+c.path+" (did you mean "+c.meant+"?)"
			}
			flat, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}, "data": data})
			checkDecodeError(t, k.kind, string(flat), k.spec(), wantFlat)
		}
	}
}

func checkDecodeError(t *testing.T, kind, config string, spec fnconfig.Spec, want string) {
	t.Helper()
	node, err := yaml.Parse(config)
	if err != nil {
		t.Fatalf("%s: %v\n%s", kind, err, config)
	}
	_, err = fnconfig.Decode(node, kind, spec)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error = %v\nwant it to contain %q\nconfig:\n%s", kind, err, want, config)
	}
}

// miscased is a settings value with one field name written in another case.
type miscased struct {
	value        any    // the spec's settings, as JSON gives them
	path         string // where the miscased name is, as the error names it
	meant        string // the field's own name
	selfDecoding bool   // the name is inside the structured form of a self-decoding setting
}

// miscasedFields lists, for every field reachable in t (below path, wrapped into the whole
// spec by wrap), a value naming it in another case.
func miscasedFields(t reflect.Type, path string, wrap func(any) any, depth int) []miscased {
	st := fnconfig.SettingType(t)
	if st == nil || depth > 6 {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	self := st != t // a Shaped setting: these names are those of its structured form
	var out []miscased
	switch st.Kind() {
	case reflect.Struct:
		fields := fnconfig.Fields(st)
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			ft := fields[name]
			other := strings.ToLower(name)
			if other == name {
				other = strings.ToUpper(name[:1]) + name[1:]
			}
			out = append(out, miscased{value: wrap(map[string]any{other: "x"}), path: join(path, other), meant: name, selfDecoding: self})
			sub := func(v any) any { return wrap(map[string]any{name: v}) }
			for _, m := range miscasedFields(ft, join(path, name), sub, depth+1) {
				m.selfDecoding = m.selfDecoding || self
				out = append(out, m)
			}
		}
	case reflect.Slice, reflect.Array:
		sub := func(v any) any { return wrap([]any{v}) }
		for _, m := range miscasedFields(st.Elem(), path+"[0]", sub, depth+1) {
			m.selfDecoding = m.selfDecoding || self
			out = append(out, m)
		}
	case reflect.Map:
		sub := func(v any) any { return wrap(map[string]any{"k": v}) }
		for _, m := range miscasedFields(st.Elem(), join(path, "k"), sub, depth+1) {
			m.selfDecoding = m.selfDecoding || self
			out = append(out, m)
		}
	}
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
