package krm

import (
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// PackagePathAnnotation is the folder of the package an item belongs to, which kpt fn
// render sets on every item (an absolute path; the item's path annotation is relative to
// it). kpt fn eval and kustomize do not set it.
const PackagePathAnnotation = "internal.config.kubernetes.io/package-path"

// inlineConfigName is the name kpt gives a function config it builds: from a Kptfile's
// configMap, or from kpt fn eval's KEY=VALUE arguments.
const inlineConfigName = "function-input"

// ConfigFile returns the file the function config came from, as far as the input tells,
// "" when it does not: the config's own path annotation; else, as kpt fn render passes a
// configPath file among the items too, the path of the item with the config's identity
// (the one of the outermost package); else, for a config kpt built from a Kptfile's
// configMap in kpt fn render, the Kptfile of the package being rendered. kpt fn eval's
// KEY=VALUE config comes from no file. The file is named as File names it.
func ConfigFile(rl *ResourceList) string {
	cfg := rl.Config
	if cfg == nil || cfg.IsNilOrEmpty() {
		return ""
	}
	if path := File(cfg); path != "" {
		return path
	}
	inline := cfg.GetName() == inlineConfigName
	best, bestDepth := "", -1
	for _, it := range rl.Items {
		pkg := it.GetAnnotations()[PackagePathAnnotation]
		var match bool
		if inline {
			match = pkg != "" && it.GetKind() == "Kptfile" && isKptfileAPI(it.GetApiVersion())
		} else {
			match = sameIdentity(it, cfg)
		}
		path := File(it)
		if !match || path == "" {
			continue
		}
		if bestDepth < 0 || len(pkg) < bestDepth {
			best, bestDepth = path, len(pkg)
		}
	}
	return best
}

func isKptfileAPI(apiVersion string) bool {
	return apiVersion == "kpt.dev/v1" || apiVersion == "kpt.dev/v1alpha2"
}

func sameIdentity(a, b *yaml.RNode) bool {
	return a.GetApiVersion() == b.GetApiVersion() && a.GetKind() == b.GetKind() &&
		a.GetName() == b.GetName() && a.GetNamespace() == b.GetNamespace()
}
