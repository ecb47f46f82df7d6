// Package nsrevision implements the set-namespace-revision KRM function: it points the
// Namespaces of a package at an Istio control-plane revision by setting their istio.io/rev
// label and removing the legacy istio-injection label, as
//
//	kubectl label namespace NS istio-injection- istio.io/rev=REV --overwrite
//
// does on a cluster; in the ambient data-plane mode it also sets
// istio.io/dataplane-mode=ambient and istio-injection=disabled (see modes). Namespaces are chosen by name, by label selector, or both. The
// function edits the YAML in place (comments, key order and unknown fields survive),
// changes nothing when it reports an error, and a second run changes nothing.
package nsrevision

import (
	"fmt"
	"strings"

	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Run is the function body: it decodes the config, checks every Namespace it has to
// read, and only then relabels the selected ones.
func Run(rl *krm.ResourceList) error {
	var spec Spec
	if _, err := fnconfig.Decode(rl.Config, Kind, &spec); err != nil {
		rl.ConfigError(err)
		return nil
	}
	pkg := collect(rl, &spec)
	if rl.Failed() {
		return nil
	}
	sel := choose(&spec, pkg.cands)
	edits, err := relabelCopies(pkg, sel, spec.Revision, spec.DataplaneMode)
	if err != nil {
		return err
	}
	report(rl, &spec, pkg, sel, edits)
	for _, e := range edits {
		if e.change.changed() {
			rl.Items[pkg.itemIndex[e.cand]] = e.obj
		}
	}
	return nil
}

// namespaces is what the function knows about the package: the Namespaces it may
// relabel (with their position in rl.Items) and the names of local-config Namespaces.
type namespaces struct {
	objs      []*yaml.RNode
	cands     []candidate
	itemIndex []int
	local     map[string]bool
}

// isNamespace reports whether obj is a core Namespace.
func isNamespace(obj *yaml.RNode) bool {
	return obj.GetKind() == "Namespace" && obj.GetApiVersion() == "v1"
}

// collect gathers the Namespaces of the package and reads their labels. A Namespace the
// function has to read (every one when there is a selector, the named ones otherwise)
// whose labels cannot be read is an error result.
func collect(rl *krm.ResourceList, spec *Spec) namespaces {
	pkg := namespaces{local: map[string]bool{}}
	for i, obj := range rl.Items {
		if !isNamespace(obj) {
			continue
		}
		name := obj.GetName()
		if krm.IsPackageMeta(obj) {
			pkg.local[name] = true
			continue
		}
		set, err := krm.Labels(obj)
		if err != nil {
			if spec.Selector != nil || spec.named(name) {
				rl.Errorf(obj, "%s: %v; cannot relabel it", krm.Describe(obj), err)
			}
			continue
		}
		pkg.objs = append(pkg.objs, obj)
		pkg.cands = append(pkg.cands, candidate{Name: name, Labels: labels.Set(set)})
		pkg.itemIndex = append(pkg.itemIndex, i)
	}
	return pkg
}

// edit is the relabelled copy of one selected Namespace and what changed in it.
type edit struct {
	cand   int
	obj    *yaml.RNode
	change change
}

// relabelCopies relabels a copy of every selected Namespace, so that the items are
// replaced only once every edit has succeeded.
func relabelCopies(pkg namespaces, sel selection, rev, mode string) ([]edit, error) {
	edits := make([]edit, 0, len(sel.Selected))
	for _, i := range sel.Selected {
		obj := pkg.objs[i].Copy()
		c, err := relabel(obj, pkg.cands[i].Labels, rev, mode)
		if err != nil {
			return nil, fmt.Errorf("relabelling %s: %w", krm.Describe(pkg.objs[i]), err)
		}
		edits = append(edits, edit{cand: i, obj: obj, change: c})
	}
	return edits, nil
}

// change records what relabelling did to one Namespace: the edits that changed a label.
type change struct {
	edits []labelChange
}

// labelChange is one label relabelling set or removed, and its value before.
type labelChange struct {
	labelEdit
	old string
	had bool
}

func (c change) changed() bool { return len(c.edits) > 0 }

// removed returns the value a removed label had, and whether relabelling removed it.
func (c change) removed(key string) (string, bool) {
	for _, e := range c.edits {
		if e.key == key && e.remove {
			return e.old, true
		}
	}
	return "", false
}

// optedOut reports whether the Namespace had opted out of injection with
// istio-injection=disabled, which the relabelling removed; not when it leaves the ambient
// or none mode, whose label said why injection was disabled.
func (c change) optedOut() bool {
	old, removed := c.removed(istio.InjectionLabel)
	_, leftMode := c.removed(istio.DataplaneModeLabel)
	return removed && old == "disabled" && !leftMode
}

// String says what changed: "set istio.io/rev=canary (was stable), removed istio-injection=enabled".
func (c change) String() string {
	parts := make([]string, len(c.edits))
	for i, e := range c.edits {
		switch {
		case e.remove:
			parts[i] = fmt.Sprintf("removed %s=%s", e.key, e.old)
		case e.had:
			parts[i] = fmt.Sprintf("set %s=%s (was %s)", e.key, e.value, e.old)
		default:
			parts[i] = fmt.Sprintf("set %s=%s", e.key, e.value)
		}
	}
	return strings.Join(parts, ", ")
}

// relabel sets istio.io/rev and the labels of the data-plane mode on obj, whose labels
// were read as old. The revision label is set first so that the labels mapping never
// empties and keeps its place in metadata.
func relabel(obj *yaml.RNode, old labels.Set, rev, mode string) (change, error) {
	var c change
	for _, e := range append([]labelEdit{{key: istio.RevisionLabel, value: rev}}, modes[mode]...) {
		lc := labelChange{labelEdit: e}
		lc.old, lc.had = old[e.key]
		var changed bool
		var err error
		if e.remove {
			changed, err = krm.RemoveLabel(obj, e.key)
		} else {
			changed, err = krm.SetLabel(obj, e.key, e.value)
		}
		if err != nil {
			return c, fmt.Errorf("label %s: %w", e.key, err)
		}
		if changed {
			c.edits = append(c.edits, lc)
		}
	}
	return c, nil
}
