package casecrets

import (
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// refuseKeys reports private key material anywhere in a file that holds a CABundle,
// selected or not: in every resource of that file, in every field and comment
// (cabundle.FindKeys), as one error result per finding naming the resource, its file and
// the field, never the key. It returns the resources where it found some.
func refuseKeys(rl *krm.ResourceList) map[*yaml.RNode]bool {
	files := map[string]bool{}
	for _, it := range rl.Items {
		if path, _ := krm.Location(it); path != "" && cabundle.IsCABundle(it) {
			files[path] = true
		}
	}
	keyed := map[*yaml.RNode]bool{}
	for _, it := range rl.Items {
		path, _ := krm.Location(it)
		if !cabundle.IsCABundle(it) && !files[path] {
			continue
		}
		err := cabundle.FindKeys(it)
		if err == nil {
			continue
		}
		keyed[it] = true
		where := krm.Describe(it)
		if !cabundle.IsCABundle(it) {
			where += ", in the file of a CABundle"
		}
		reportEach(rl, it, where, err)
	}
	return keyed
}
