package fleet

import (
	"fmt"
	"strings"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ConfigMaps a cluster holds for each revision's injector.
const (
	injectorConfigMap = "istio-sidecar-injector"
	meshConfigMap     = "istio"
)

// revisionOf reads the revision a ConfigMap is for: its istio.io/rev label, else the
// suffix of its name after base.
func revisionOf(cm *yaml.RNode, base string) (string, bool) {
	name := cm.GetName()
	if name != base && !strings.HasPrefix(name, base+"-") {
		return "", false
	}
	rev, ok := cm.GetLabels()[istio.RevisionLabel]
	if !ok {
		rev = strings.TrimPrefix(strings.TrimPrefix(name, base), "-")
	}
	if istio.IsDefaultRevision(rev) {
		rev = ""
	}
	return rev, true
}

// injectorConfigMaps are the injector settings of every revision the package has
// ConfigMaps for, by revision ("" for the default revision).
type injectorConfigMaps struct {
	settings map[string]*inject.Settings
	source   map[string]*yaml.RNode // the injector ConfigMap, for messages
}

// readConfigMaps parses the injector settings the package holds: for revision REV the
// ConfigMaps istio-sidecar-injector-REV (data.config, data.values) and istio-REV
// (data.mesh); without a suffix, the default revision's.
func readConfigMaps(items []*yaml.RNode, env map[string]string) (injectorConfigMaps, error) {
	inj := injectorConfigMaps{settings: map[string]*inject.Settings{}, source: map[string]*yaml.RNode{}}
	meshes := map[string]string{}
	var candidates []*yaml.RNode
	for _, it := range items {
		if it.GetKind() != "ConfigMap" || it.GetApiVersion() != "v1" {
			continue
		}
		if err := checkData(it); err != nil {
			return inj, err
		}
		if rev, ok := revisionOf(it, meshConfigMap); ok && hasKey(it, "mesh") {
			meshes[rev] = it.GetDataMap()["mesh"]
		}
		if _, ok := revisionOf(it, injectorConfigMap); ok && hasKey(it, "config") {
			candidates = append(candidates, it)
		}
	}
	for _, cm := range candidates {
		rev, _ := revisionOf(cm, injectorConfigMap)
		if prev, dup := inj.source[rev]; dup {
			return inj, fmt.Errorf("%s and %s both hold the injector settings of revision %s",
				krm.Describe(prev), krm.Describe(cm), istio.RevisionLabelValue(rev))
		}
		data := cm.GetDataMap()
		s, err := inject.NewSettings(rev, inject.Sources{Config: data["config"], Values: data["values"], Mesh: meshes[rev]},
			templatefuncs.Options{Env: env})
		if err != nil {
			return inj, fmt.Errorf("%s: %w", krm.Describe(cm), err)
		}
		inj.settings[rev] = s
		inj.source[rev] = cm
	}
	return inj, nil
}

func hasKey(cm *yaml.RNode, key string) bool {
	_, ok := cm.GetDataMap()[key]
	return ok
}

// checkData refuses an injector or mesh ConfigMap whose data holds a value that is not a
// string, which GetDataMap would read as "" (the defaults, silently).
func checkData(cm *yaml.RNode) error {
	_, mesh := revisionOf(cm, meshConfigMap)
	_, injector := revisionOf(cm, injectorConfigMap)
	if !mesh && !injector {
		return nil
	}
	if _, err := krm.DataMap(cm); err != nil {
		return fmt.Errorf("%s: %w", krm.Describe(cm), err)
	}
	return nil
}
