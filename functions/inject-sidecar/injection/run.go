// Package injection is the inject-sidecar function: the KRM input and output around
// internal/inject/sidecar, which finds the workloads of a package, decides per workload, as
// the cluster's injector would, whether and by which revision its pods are injected, and
// renders the injection into the workload's pod template.
package injection

import (
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/inject/sidecar"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Run is the function. Items are processed in parallel; each changed item is written to a
// copy and encoded as soon as it is done, so the output's nodes never all live at once.
// Nothing is written when any workload fails.
func Run(rl *krm.ResourceList) error {
	var spec sidecar.Spec
	if _, err := fnconfig.Decode(rl.Config, sidecar.Kind, &spec); err != nil {
		rl.ConfigError(err)
		return nil
	}
	inj, ok := sidecar.NewInjector(rl, &spec)
	if !ok {
		return nil
	}
	var items []*yaml.RNode
	for _, item := range rl.Items {
		if !krm.IsPackageMeta(item) {
			items = append(items, item)
		}
	}
	jobs := make([]itemJob, len(items))
	parallel(len(jobs), func(i int) { jobs[i] = processItem(rl, inj, items[i]) })
	var counts sidecar.Counts
	encoded := map[*yaml.RNode]krm.EncodedItem{}
	for i, j := range jobs {
		rl.Results = append(rl.Results, j.Results...)
		counts.Add(j.Counts)
		if j.changed {
			encoded[items[i]] = j.encoded
		}
	}
	if rl.Failed() {
		return nil
	}
	rl.Encoded = encoded
	rl.Infof(nil, "%d workloads injected, %d already up to date, %d uninjected, %d not injected",
		counts.Injected, counts.Unchanged, counts.Reverted, counts.Skipped)
	return nil
}
