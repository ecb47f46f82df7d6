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

// injectorConfigMaps are the injector ConfigMaps of every revision the package has them
// for, by revision ("" for the default revision), and the revisions' settings parsed
// from them once their releases are known.
type injectorConfigMaps struct {
	source   map[string]*yaml.RNode // the injector ConfigMap
	mesh     map[string]string      // the mesh config (istio[-REV] data.mesh)
	settings map[string]*inject.Settings
}

// readConfigMaps finds the injector settings the package holds: for revision REV the
// ConfigMaps istio-sidecar-injector-REV (data.config, data.values) and istio-REV
// (data.mesh); without a suffix, the default revision's.
func readConfigMaps(items []*yaml.RNode) (injectorConfigMaps, error) {
	inj := injectorConfigMaps{source: map[string]*yaml.RNode{}, mesh: map[string]string{}, settings: map[string]*inject.Settings{}}
	var candidates []*yaml.RNode
	for _, it := range items {
		if it.GetKind() != "ConfigMap" || it.GetApiVersion() != "v1" {
			continue
		}
		if err := checkData(it); err != nil {
			return inj, err
		}
		if rev, ok := revisionOf(it, meshConfigMap); ok && hasKey(it, "mesh") {
			inj.mesh[rev] = it.GetDataMap()["mesh"]
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
		inj.source[rev] = cm
	}
	return inj, nil
}

// parseConfigMaps parses the settings of a revision with its own ConfigMaps, with the
// engine rules of its release, which they and the package's other resources tell.
func (m *Mesh) parseConfigMaps(r *Revision) error {
	cm := m.configMaps.source[r.Name]
	data := cm.GetDataMap()
	values, err := inject.ParseValues(data["values"])
	if err != nil {
		return fmt.Errorf("%s: %w", krm.Describe(cm), err)
	}
	if r.Release, err = m.configMapRelease(r, cm, values); err != nil {
		return err
	}
	s, err := inject.NewSettings(r.Name, inject.Sources{Config: data["config"], Values: data["values"], Mesh: m.configMaps.mesh[r.Name]},
		m.rulesFor(r, cm), templatefuncs.Options{Env: m.opts.Env})
	if err != nil {
		return fmt.Errorf("%s: %w", krm.Describe(cm), err)
	}
	m.configMaps.settings[r.Name] = s
	return nil
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
