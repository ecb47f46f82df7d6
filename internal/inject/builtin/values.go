package builtin

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// The values a revision may change are the chart values the built-in templates and the
// injection engine read: every key of values.json, the optional keys below, and anything
// under the free-form keys. Hub, tag, revision and namespace have settings of their own.

// optionalValues are keys the built-in injector reads that Istio's chart leaves unset,
// with an example of their type.
var optionalValues = map[string]any{
	"global.trustDomain":                           "",
	"global.trustBundleName":                       "",
	"global.proxy.lifecycle":                       map[string]any{},
	"global.proxy.capNetBindService":               false,
	"global.proxy.holdApplicationUntilProxyStarts": false,
	"pilot.crlConfigMapName":                       "",
}

// freeValues are keys whose value is a Kubernetes object or a free map: anything under
// them is passed on as written.
var freeValues = []string{
	"global.proxy.resources",
	"global.proxy.seccompProfile",
	"global.proxy.lifecycle",
	"pilot.env",
	"gateways.securityContext",
	"gateways.seccompProfile",
}

// reservedValues are set from the revision's own settings, never from its values.
var reservedValues = map[string]string{
	"revision":              "the revision",
	"global.hub":            "hub",
	"global.tag":            "tag",
	"global.istioNamespace": "the control-plane namespace",
}

// CheckValues returns an error for every value the built-in injector does not read, or
// that has another type than it expects; prefix names the field in messages (e.g.
// "spec.values").
func CheckValues(values map[string]any, prefix string) []error {
	var defaults map[string]any
	if err := json.Unmarshal(chartValues, &defaults); err != nil {
		return []error{fmt.Errorf("built-in values: %w", err)} // embedded: a test parses it
	}
	var errs []error
	checkValues(values, defaults, "", prefix, &errs)
	return errs
}

// Image reference parts, as the OCI distribution spec defines them.
var (
	hubPattern = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$`)
	tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
)

// CheckImage returns an error for a hub that is not a registry and path, and a tag that
// is not an image tag; empty ones are fine (the defaults apply). prefix names the fields
// in messages (e.g. "spec.").
func CheckImage(hub, tag, prefix string) []error {
	var errs []error
	if hub != "" && !hubPattern.MatchString(hub) {
		errs = append(errs, fmt.Errorf("%shub: %q is not an image registry and path like docker.io/istio", prefix, hub))
	}
	if tag != "" && !tagPattern.MatchString(tag) {
		errs = append(errs, fmt.Errorf("%stag: %q is not an image tag (letters, digits, '_', '.' and '-', at most 128)", prefix, tag))
	}
	return errs
}

func checkValues(values, defaults map[string]any, path, prefix string, errs *[]error) {
	for _, key := range slices.Sorted(maps.Keys(values)) {
		p := key
		if path != "" {
			p = path + "." + key
		}
		field := prefix + "." + p
		if owner, ok := reservedValues[p]; ok {
			*errs = append(*errs, fmt.Errorf("%s: set by %s, not by values", field, owner))
			continue
		}
		want, known := defaults[key]
		if !known {
			want, known = optionalValues[p]
		}
		if !known {
			*errs = append(*errs, fmt.Errorf("%s: the injector does not read it (see the values it reads in the documentation)", field))
			continue
		}
		if kind, wantKind := valueKind(values[key]), valueKind(want); kind != wantKind && values[key] != nil {
			*errs = append(*errs, fmt.Errorf("%s: expected %s, got %s", field, wantKind, kind))
			continue
		}
		sub, isMap := values[key].(map[string]any)
		if isMap && !slices.Contains(freeValues, p) {
			subDefaults, _ := want.(map[string]any)
			checkValues(sub, subDefaults, p, prefix, errs)
		}
	}
}

func valueKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, int, int64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

// ValueKeys lists the keys a revision's values may set, for documentation: the keys with
// a default, the optional ones, and the free-form ones (marked ".*").
func ValueKeys() []string {
	var defaults map[string]any
	if err := json.Unmarshal(chartValues, &defaults); err != nil {
		panic(fmt.Sprintf("builtin: values.json: %v", err)) // embedded: a test parses it
	}
	var keys []string
	var walk func(m map[string]any, path string)
	walk = func(m map[string]any, path string) {
		for k, v := range m {
			p := strings.TrimPrefix(path+"."+k, ".")
			if _, reserved := reservedValues[p]; reserved {
				continue
			}
			if slices.Contains(freeValues, p) {
				keys = append(keys, p+".*")
				continue
			}
			if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
				walk(sub, p)
				continue
			}
			keys = append(keys, p)
		}
	}
	walk(defaults, "")
	for p := range optionalValues {
		if !slices.Contains(freeValues, p) {
			keys = append(keys, p)
		} else if !slices.Contains(keys, p+".*") {
			keys = append(keys, p+".*")
		}
	}
	slices.Sort(keys)
	return keys
}

// mergeValues writes over into base, recursively for mappings.
func mergeValues(base, over map[string]any) {
	for k, v := range over {
		sub, isMap := v.(map[string]any)
		baseSub, baseIsMap := base[k].(map[string]any)
		if isMap && baseIsMap {
			mergeValues(baseSub, sub)
			continue
		}
		base[k] = v
	}
}
