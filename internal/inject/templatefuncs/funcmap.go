// Package templatefuncs provides the function map that Istio's sidecar
// injection templates are written against: sprig's text-template functions
// with Istio's own injection helpers laid over them. The helpers reproduce
// the behaviour of Istio's injector (pkg/kube/inject/template.go) so that the
// templates Istio ships parse and render byte for byte as they do in istiod.
package templatefuncs

import (
	"maps"
	"os"
	"slices"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

// Options replaces what Istio reads from its process: templates never read
// our environment.
type Options struct {
	// Env answers the template function `env KEY DEFAULT` (Istio reads
	// istiod's environment); missing keys give DEFAULT. As with an unset
	// variable in istiod, an empty value also gives DEFAULT.
	Env map[string]string
	// Missing are functions of the set that the release of istiod rendering the
	// templates does not have yet (omitNil before 1.28.6, ...): a template calling one
	// fails to parse, as it does in that istiod.
	Missing []string
}

// FuncMap returns sprig's text-template functions overlaid with Istio's
// injection helpers, so Istio's templates parse and render unchanged.
//
// Where Istio's helpers share a name with sprig (env, indent, contains,
// toLower, ...) Istio's version wins, exactly as in istiod. Sprig's
// expandenv is also rebound to Options.Env so that no template can observe
// the environment of the process rendering it. The functions that depend on
// more than their arguments (the clock, randomness, the network, the host;
// see effects) are replaced by functions that fail, and Parse refuses
// templates that call them.
func FuncMap(opts Options) template.FuncMap {
	m := sprig.TxtFuncMap()
	for name, fn := range orderedFuncs() {
		m[name] = fn
	}
	for name, fn := range injectionFuncs(opts) {
		m[name] = fn
	}
	for name := range m {
		e, ok := effects[name]
		if !ok {
			e = unclassified
		}
		if e != pure {
			m[name] = refusedFunc(name, e)
		}
	}
	for _, name := range opts.Missing {
		delete(m, name)
	}
	return m
}

// orderedFuncs replace sprig's functions whose result followed Go's map iteration order,
// which changes from run to run: keys and values give their entries sorted by key.
func orderedFuncs() template.FuncMap {
	return template.FuncMap{"keys": sortedKeysOf, "values": valuesByKey}
}

// sortedKeysOf is sprig's keys, sorted: the keys of every map, duplicates kept.
func sortedKeysOf(dicts ...map[string]any) []string {
	out := []string{}
	for _, d := range dicts {
		for k := range d {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// valuesByKey is sprig's values, in the order of their keys.
func valuesByKey(dict map[string]any) []any {
	out := make([]any, 0, len(dict))
	for _, k := range slices.Sorted(maps.Keys(dict)) {
		out = append(out, dict[k])
	}
	return out
}

// injectionFuncs is Istio's helper set, keyed by the names the templates use.
func injectionFuncs(opts Options) template.FuncMap {
	env := envLookup(opts.Env)
	return template.FuncMap{
		"formatDuration":         formatDuration,
		"isset":                  isset,
		"excludeInboundPort":     excludeInboundPort,
		"includeInboundPorts":    includeInboundPorts,
		"kubevirtInterfaces":     passThrough,
		"excludeInterfaces":      passThrough,
		"applicationPorts":       applicationPorts,
		"annotation":             annotation,
		"valueOrDefault":         valueOrDefault,
		"toJSON":                 toJSON,
		"fromJSON":               fromJSON,
		"structToJSON":           structToJSON,
		"protoToJSON":            protoToJSON,
		"toYaml":                 toYaml,
		"indent":                 indent,
		"directory":              directory,
		"contains":               contains,
		"toLower":                strings.ToLower,
		"appendMultusNetwork":    appendMultusNetwork,
		"env":                    env.get,
		"expandenv":              env.expand,
		"omit":                   omit,
		"strdict":                strdict,
		"toJsonMap":              toJSONMap,
		"mergeMaps":              mergeMaps,
		"omitNil":                omitNil,
		"otelResourceAttributes": otelResourceAttributes,
	}
}

// envLookup answers environment questions from a fixed map instead of the
// process environment.
type envLookup map[string]string

// get returns the value of key, or def when key is missing or empty (an
// empty variable is indistinguishable from an unset one to istiod).
func (e envLookup) get(key, def string) string {
	if v := e[key]; v != "" {
		return v
	}
	return def
}

// expand substitutes $VAR and ${VAR} in s from the map; unknown names
// expand to the empty string, as sprig's expandenv does for unset variables.
func (e envLookup) expand(s string) string {
	return os.Expand(s, func(key string) string { return e[key] })
}
