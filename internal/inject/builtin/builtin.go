// Package builtin is the injector inject-sidecar falls back on when a package holds no
// istio-sidecar-injector ConfigMap: injection templates written for meshfn that produce
// the same pods as Istio's own, the chart values they read, and the mesh config of a
// default installation.
//
// There is one injector per supported Istio release (Lookup): the templates follow that
// release's injector and read the same template data, values, mesh config, annotations
// and labels as Istio's, so a user who later installs the release's ConfigMaps into the
// package gets the same sidecar. The templates of the newest supported line live beside
// this file, and each older line's changes in a file of its own (releases.go):
//
//   - proxy.tmpl: blocks shared by the templates with a proxy (environment, volumes,
//     resources, ...);
//   - sidecar.yaml.tmpl: the "sidecar" template, for application pods;
//   - gateway.yaml.tmpl: the "gateway" template, for gateway deployments
//     (inject.istio.io/templates: gateway);
//   - grpc-agent.yaml.tmpl and grpc-simple.yaml.tmpl: the "grpc-agent" and "grpc-simple"
//     templates, for proxyless gRPC applications (pilot-agent without Envoy, and a bare
//     xDS bootstrap file);
//   - values.json: the chart values the templates and the engine read.
package builtin

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/istio"
	sigsyaml "sigs.k8s.io/yaml"
)

// DefaultHub is the registry Istio publishes its release images to.
const DefaultHub = "docker.io/istio"

// Options are what a user may set on the built-in injector.
type Options struct {
	// Hub is the registry holding the proxy image (global.hub); default DefaultHub.
	Hub string
	// Tag is the proxy image tag (global.tag); default the release's version.
	Tag string
	// Revision is the control-plane revision the injector belongs to; "" (or "default")
	// is the default revision. Istio's chart names the revision's istiod in the proxy's
	// CA address (values.revision) and discovery address (mesh defaultConfig).
	Revision string
	// Namespace is the control plane's namespace (global.istioNamespace), where the
	// proxies find istiod; default istio-system.
	Namespace string
	// Values are chart values the revision changes, merged over the defaults as Helm
	// merges values; CheckValues tells which the injector reads.
	Values map[string]any
}

// Template names, as inject.istio.io/templates selects them.
const (
	SidecarTemplate    = inject.SidecarTemplate
	GatewayTemplate    = "gateway"
	GRPCAgentTemplate  = "grpc-agent"
	GRPCSimpleTemplate = "grpc-simple"
)

var (
	//go:embed proxy.tmpl
	proxyBlocks string
	//go:embed sidecar.yaml.tmpl
	sidecarTemplate string
	//go:embed gateway.yaml.tmpl
	gatewayTemplate string
	//go:embed grpc-agent.yaml.tmpl
	grpcAgentTemplate string
	//go:embed grpc-simple.yaml.tmpl
	grpcSimpleTemplate string
	//go:embed values.json
	chartValues []byte
)

// newestTemplates returns the built-in injection templates of the newest supported
// line by name. Each is complete on its own: the shared blocks come first, as they would
// in a ConfigMap a user edits (grpc-simple, which has no proxy, uses none).
func newestTemplates() map[string]string {
	return map[string]string{
		SidecarTemplate:    proxyBlocks + sidecarTemplate,
		GatewayTemplate:    proxyBlocks + gatewayTemplate,
		GRPCAgentTemplate:  proxyBlocks + grpcAgentTemplate,
		GRPCSimpleTemplate: grpcSimpleTemplate,
	}
}

// Templates returns the release's injection templates by name.
func (r *Release) Templates() map[string]string {
	out := make(map[string]string, len(r.templates))
	for name, t := range r.templates {
		out[name] = t
	}
	return out
}

// Sources returns the release's injector settings: the injector config (injection
// enabled, the sidecar template by default, the release's templates), the values
// (Istio's chart defaults that the templates read, with opts applied; the tag defaults
// to the release's version), and the mesh config ("" means Istio's defaults, which a
// default installation renders too).
func (r *Release) Sources(opts Options) inject.Sources {
	config, err := sigsyaml.Marshal(injectorConfig{
		Policy:           inject.PolicyEnabled,
		DefaultTemplates: []string{SidecarTemplate},
		Templates:        r.templates,
	})
	if err != nil {
		panic(fmt.Sprintf("builtin: marshalling the injector config: %v", err)) // plain data: cannot fail
	}
	if opts.Tag == "" {
		opts.Tag = r.Version.String()
	}
	return inject.Sources{
		Config: string(config),
		Values: values(opts),
		Mesh:   meshConfig(opts.Revision, orDefault(opts.Namespace, istio.DefaultNamespace)),
	}
}

// injectorConfig is the part of inject.Config the built-in injector sets.
type injectorConfig struct {
	Policy           string            `json:"policy"`
	DefaultTemplates []string          `json:"defaultTemplates"`
	Templates        map[string]string `json:"templates"`
}

// values returns the chart values with the image and revision options applied.
func values(opts Options) string {
	var v map[string]any
	if err := json.Unmarshal(chartValues, &v); err != nil {
		panic(fmt.Sprintf("builtin: values.json: %v", err)) // embedded: a test parses it
	}
	mergeValues(v, deepCopy(opts.Values))
	global := v["global"].(map[string]any)
	global["istioNamespace"] = orDefault(opts.Namespace, istio.DefaultNamespace)
	global["hub"] = orDefault(opts.Hub, DefaultHub)
	global["tag"] = opts.Tag
	v["revision"] = revisionName(opts.Revision)
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("builtin: marshalling values: %v", err)) // plain data: cannot fail
	}
	return string(b)
}

// meshConfig is the mesh config Istio's chart renders for what the injector reads: the
// defaults, except that a revision's proxies, and those of a control plane outside
// istio-system, discover their own istiod.
func meshConfig(revision, namespace string) string {
	rev := revisionName(revision)
	if rev == "" && namespace == istio.DefaultNamespace {
		return ""
	}
	istiod := "istiod"
	if rev != "" {
		istiod += "-" + rev
	}
	return fmt.Sprintf("defaultConfig:\n  discoveryAddress: %s.%s.svc:15012\n", istiod, namespace)
}

// deepCopy copies a values tree, so merging never shares the caller's maps and lists.
func deepCopy(v map[string]any) map[string]any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("builtin: copying values: %v", err)) // decoded from JSON or YAML: cannot fail
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("builtin: copying values: %v", err))
	}
	return out
}

// revisionName is the revision as the chart's values hold it: "" for the default one.
func revisionName(revision string) string {
	if revision == "default" {
		return ""
	}
	return revision
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
