package controlplane

import (
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"slices"
)

// FunctionName is the function's name, stamped on what it generates.
const FunctionName = "generate-revision"

// OutputDir is the folder, relative to the package, that generated objects are written to.
const OutputDir = "generated"

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
	r := newRevision(spec)
	if r.EnableNamespacesByDefault && r.name != "" && !slices.Contains(r.Tags, istio.DefaultRevision) {
		rl.Warningf(rl.Config, "enableNamespacesByDefault has no effect: revision %q is neither the default revision nor tagged \"default\"", r.name)
	}

	gen := krm.Generator{Function: FunctionName, Config: configIdentity(src, r), Dir: OutputDir}
	items, changes, err := gen.Apply(rl.Items, Objects(spec))
	if err != nil {
		rl.Errorf(rl.Config, "%v", err)
		return nil
	}
	rl.Items = items
	for _, obj := range changes.Added {
		rl.Infof(obj, "generated for revision %s", r.revLabel)
	}
	for _, obj := range changes.Updated {
		rl.Infof(obj, "updated for revision %s", r.revLabel)
	}
	for _, obj := range changes.Pruned {
		rl.Infof(obj, "pruned: %s no longer generates it", gen.Config)
	}
	rl.Infof(nil, "revision %s in %s: %d generated, %d updated, %d unchanged, %d pruned",
		r.revLabel, r.Namespace, len(changes.Added), len(changes.Updated), len(changes.Unchanged), len(changes.Pruned))
	return nil
}

// configIdentity names the config that owns the generated objects. kpt names the ConfigMap
// it builds from `kpt fn eval -- key=value` "function-input" on every call, so for that one
// the revision is part of the identity: two imperative calls for two revisions keep both.
func configIdentity(src fnconfig.Source, r revision) string {
	id := src.Kind + "/" + src.Name
	if src.Kind == "ConfigMap" && (src.Name == "" || src.Name == "function-input") {
		id += "/" + r.revLabel
	}
	return id
}
