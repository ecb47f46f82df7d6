package injection

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/inject/sidecar"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// itemJob is what processing one package item (a workload, or a List of them) gave.
type itemJob struct {
	sidecar.Item
	// changed is set when the item changed; encoded is then its new YAML.
	changed bool
	encoded krm.EncodedItem
}

// processItem injects every workload of one item. Once all of them are done without
// error, the changes are written into the item, which is encoded; its nodes are then
// released (also when writing failed halfway: the output is then the input's).
func processItem(rl *krm.ResourceList, inj *sidecar.Injector, item *yaml.RNode) itemJob {
	res, err := inj.Inject(item)
	job := itemJob{Item: res}
	if !res.Changed {
		return job
	}
	if err == nil {
		job.encoded, err = encode(item)
	}
	rl.Release(item)
	if err != nil {
		job.Results = append(job.Results, &fn.Result{Severity: fn.Error,
			Message: fmt.Sprintf("writing the injected pod templates: %v", err)})
		return job
	}
	job.changed = true
	return job
}

// encode encodes an item injection changed. It is to be written as it is: injection
// inserts and removes containers, and the orchestrator's re-sorting of keys by list
// position would give the keys of istio-init to the user's init container after it (see
// krm.KeepLayout).
func encode(item *yaml.RNode) (krm.EncodedItem, error) {
	if err := krm.KeepLayout(item); err != nil {
		return krm.EncodedItem{}, err
	}
	return krm.EncodeItem(item)
}

// parallel runs f(0..n-1) on as many goroutines as there are CPUs. Items are
// independent: each reads only its own YAML and shared, read-only settings.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}
