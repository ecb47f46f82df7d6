// Package waypoint implements the generate-waypoint KRM function: it generates an Istio
// ambient-mode waypoint, a Gateway API Gateway of class istio-waypoint with an HBONE
// listener, as `istioctl waypoint generate` writes it, and labels the namespace or the
// Services that should use it with istio.io/use-waypoint. A waypoint the config generated
// before and no longer generates is pruned, and so are the labels that pointed at it.
package waypoint

import (
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FunctionName is the function's name, stamped on what it generates.
const FunctionName = "generate-waypoint"

// OutputDir is the folder, relative to the package, that waypoints are written to.
const OutputDir = krm.GeneratedDir

// Run is the function: it generates the waypoint, then labels what uses it. It changes
// nothing when it reports an error.
func Run(rl *krm.ResourceList) error {
	var spec Spec
	src, err := fnconfig.Decode(rl.Config, Kind, &spec)
	if err != nil {
		rl.ConfigError(err)
		return nil
	}
	gen := krm.Generator{Function: FunctionName, Config: src.Identity(spec.Namespace + "/" + spec.Name), Dir: OutputDir}
	items, changes, err := gen.Apply(rl.Items, []*yaml.RNode{Gateway(&spec)})
	if err != nil {
		rl.Errorf(rl.Config, "%v", err)
		return nil
	}
	owned := []ref{{namespace: spec.Namespace, name: spec.Name}}
	for _, obj := range changes.Pruned {
		owned = append(owned, ref{namespace: obj.GetNamespace(), name: obj.GetName()})
	}
	users, lerr := relabel(items, &spec, owned)
	if lerr != nil {
		rl.Errorf(lerr.obj, "%v", lerr)
		return nil
	}
	rl.Items = items
	users.apply(rl.Items)
	report(rl, &spec, gen, changes, users)
	return nil
}
