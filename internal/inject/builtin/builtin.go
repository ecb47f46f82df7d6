// Package builtin is the injector inject-sidecar falls back on when a package holds no
// istio-sidecar-injector ConfigMap: injection templates written for meshfn that produce
// the same pods as Istio's own, the chart values they read, and the mesh config of a
// default installation.
//
// The templates follow Istio's injector at Version. They read the same template data,
// values, mesh config, annotations and labels as Istio's, so a user who later installs
// Istio's ConfigMaps into the package gets the same sidecar. The templates live beside
// this file:
//
//   - proxy.tmpl: blocks shared by both templates (environment, volumes, resources, ...);
//   - sidecar.yaml.tmpl: the "sidecar" template, for application pods;
//   - gateway.yaml.tmpl: the "gateway" template, for gateway deployments
//     (inject.istio.io/templates: gateway);
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

// Version is the Istio release whose injector the built-in templates follow, and the
// default image tag. The templates were checked against Istio's injection corpus, taken
// at commit 86c9f01fd735 of the 1.31 development line (1.31.0-alpha.0-109): 1.31.0 is
// the first release with that injector. Options.Tag selects another image, such as a
// 1.31 patch release.
const Version = "1.31.0"

// DefaultHub is the registry Istio publishes its release images to.
const DefaultHub = "docker.io/istio"

// Options are what a user may set on the built-in injector.
type Options struct {
	// Hub is the registry holding the proxy image (global.hub); default DefaultHub.
	Hub string
	// Tag is the proxy image tag (global.tag); default Version.
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
	SidecarTemplate = inject.SidecarTemplate
	GatewayTemplate = "gateway"
)

var (
	//go:embed proxy.tmpl
	proxyBlocks string
	//go:embed sidecar.yaml.tmpl
	sidecarTemplate string
	//go:embed gateway.yaml.tmpl
	gatewayTemplate string
	//go:embed values.json
	chartValues []byte
)

// Templates returns the built-in injection templates by name. Each is complete on its
// own: the shared blocks come first, as they would in a ConfigMap a user edits.
func Templates() map[string]string {
	return map[string]string{
		SidecarTemplate: proxyBlocks + sidecarTemplate,
		GatewayTemplate: proxyBlocks + gatewayTemplate,
	}
}

// Sources returns the built-in injector settings: the injector config (injection
// enabled, the sidecar template by default, the sidecar and gateway templates), the
// values (Istio's chart defaults that the templates read, with opts applied), and the
// mesh config ("" means Istio's defaults, which a default installation renders too).
func Sources(opts Options) inject.Sources {
	config, err := sigsyaml.Marshal(injectorConfig{
		Policy:           inject.PolicyEnabled,
		DefaultTemplates: []string{SidecarTemplate},
		Templates:        Templates(),
	})
	if err != nil {
		panic(fmt.Sprintf("builtin: marshalling the injector config: %v", err)) // plain data: cannot fail
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
	global["tag"] = orDefault(opts.Tag, Version)
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
