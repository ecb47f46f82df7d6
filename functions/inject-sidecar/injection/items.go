package injection

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// itemJob is what processing one package item (a workload, or a List of them) gave.
type itemJob struct {
	results fn.Results
	counts  [outcomeReverted + 1]int
	// changed is set when the item changed; encoded is then its new YAML.
	changed bool
	encoded krm.EncodedItem
}

// processItem decides and injects every workload of one item. Once all of them are done
// without error, the changes are written into the item, which is encoded; its nodes are
// then released (also when writing failed halfway: the output is then the input's).
func processItem(rl *krm.ResourceList, d *decider, item *yaml.RNode) itemJob {
	var job itemJob
	sink := &krm.ResourceList{}
	ws, err := findWorkloads(item)
	if err != nil {
		sink.Errorf(item, "%v", err)
		return itemJob{results: sink.Results}
	}
	var changes []change
	for _, w := range ws {
		c, o := processWorkload(sink, d, w)
		job.counts[o]++
		if o == outcomeInjected || o == outcomeReverted {
			changes = append(changes, c)
		}
	}
	job.results = sink.Results
	if len(changes) == 0 || krm.HasErrors(sink.Results) {
		return job
	}
	job.encoded, err = writeChanges(item, changes)
	rl.Release(item)
	if err != nil {
		job.results = append(job.results, &fn.Result{Severity: fn.Error,
			Message: fmt.Sprintf("writing the injected pod templates: %v", err)})
		return job
	}
	job.changed = true
	return job
}

// writeChanges writes the changes into the item and encodes it. The item is to be written
// as it is: injection inserts and removes containers, and the orchestrator's re-sorting of
// keys by list position would give the keys of istio-init to the user's init container
// after it (see krm.KeepLayout).
func writeChanges(item *yaml.RNode, changes []change) (krm.EncodedItem, error) {
	for _, c := range changes {
		if err := c.apply(); err != nil {
			return krm.EncodedItem{}, fmt.Errorf("%s: %w", c.w.describe(), err)
		}
	}
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
