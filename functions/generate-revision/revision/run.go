// Package revision implements the generate-revision KRM function: it checks a
// ControlPlaneRevision config and adds the revision's cluster objects and its
// RevisionInjector (internal/controlplane builds them) to the package, pruning those the
// same config generated on an earlier render and no longer generates.
package revision

import (
	"slices"

	"github.com/meshfn/meshfn/internal/controlplane"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
)

// FunctionName is the function's name, stamped on what it generates.
const FunctionName = "generate-revision"

// OutputDir is the folder, relative to the package, that generated objects are written to.
const OutputDir = krm.GeneratedDir

// Run is the function: it reads a ControlPlaneRevision and adds (or updates) the revision's
// objects in the package, pruning those that the same config generated on an earlier
// render and no longer generates.
func Run(rl *krm.ResourceList) error {
	var spec Spec
	src, err := fnconfig.Decode(rl.Config, Kind, &spec)
	if err != nil {
		rl.ConfigError(err)
		return nil
	}
	name, revLabel := *spec.Revision, istio.RevisionLabelValue(*spec.Revision)
	if spec.EnableNamespacesByDefault && !istio.IsDefaultRevision(name) && !slices.Contains(spec.Tags, istio.DefaultRevision) {
		rl.Warningf(rl.Config, "enableNamespacesByDefault has no effect: revision %q is neither the default revision nor tagged \"default\"", name)
	}

	gen := krm.Generator{Function: FunctionName, Config: src.Identity(revLabel), Dir: OutputDir}
	items, changes, err := gen.Apply(rl.Items, controlplane.Objects(controlplane.Spec(spec)))
	if err != nil {
		rl.Errorf(rl.Config, "%v", err)
		return nil
	}
	rl.Items = items
	for _, obj := range changes.Added {
		rl.Infof(obj, "generated for revision %s", revLabel)
	}
	for _, obj := range changes.Updated {
		rl.Infof(obj, "updated for revision %s", revLabel)
	}
	for _, obj := range changes.Pruned {
		rl.Infof(obj, "pruned: %s no longer generates it", gen.Config)
	}
	rl.Infof(nil, "revision %s in %s: %d generated, %d updated, %d unchanged, %d pruned",
		revLabel, spec.Namespace, len(changes.Added), len(changes.Updated), len(changes.Unchanged), len(changes.Pruned))
	return nil
}
