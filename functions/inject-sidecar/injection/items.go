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

// processItem decides and injects every workload of one item. Changes go to a copy, which
// is encoded and dropped; the item's own nodes are then released.
func processItem(rl *krm.ResourceList, d *decider, item *yaml.RNode) itemJob {
	var job itemJob
	sink := &krm.ResourceList{}
	ws, err := findWorkloads(item)
	if err != nil {
		sink.Errorf(item, "%v", err)
		return itemJob{results: sink.Results}
	}
	changes := map[int]change{}
	for i, w := range ws {
		c, o := processWorkload(sink, d, w)
		job.counts[o]++
		if o == outcomeInjected || o == outcomeReverted {
			changes[i] = c
		}
	}
	job.results = sink.Results
	if len(changes) == 0 || krm.HasErrors(sink.Results) {
		return job
	}
	if job.encoded, err = writeChanges(d, item, changes); err != nil {
		job.results = append(job.results, &fn.Result{Severity: fn.Error,
			Message: fmt.Sprintf("writing the injected pod templates: %v", err)})
		return job
	}
	job.changed = true
	rl.Release(item)
	return job
}

// writeChanges applies the changes to a copy of the item and encodes it.
func writeChanges(d *decider, item *yaml.RNode, changes map[int]change) (krm.EncodedItem, error) {
	copied := item.Copy()
	ws, err := findWorkloads(copied)
	if err != nil {
		return krm.EncodedItem{}, err
	}
	for i, c := range changes {
		c.w = ws[i]
		if d.spec.Mode == ModeAlways {
			if err := c.w.useJobTemplateMetadata(); err != nil {
				return krm.EncodedItem{}, err
			}
		}
		if err := c.apply(); err != nil {
			return krm.EncodedItem{}, fmt.Errorf("%s: %w", c.w.describe(), err)
		}
	}
	return krm.EncodeItem(copied)
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
