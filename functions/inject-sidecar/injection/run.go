package injection

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/yamlpatch"
	corev1 "k8s.io/api/core/v1"
)

// change is the new pod template of one workload, applied once every workload is done.
type change struct {
	w             workload
	before, after any
}

// Run is the function.
func Run(rl *krm.ResourceList) error {
	var spec Spec
	if _, err := fnconfig.Decode(rl.Config, Kind, &spec); err != nil {
		rl.ConfigError(err)
		return nil
	}
	if spec.Action == ActionUninject {
		rl.Errorf(rl.Config, "spec.action uninject is not implemented yet")
		return nil
	}
	d, ok := newDecider(rl, &spec)
	if !ok {
		return nil
	}
	var changes []change
	var injected, unchanged, skipped int
	for _, item := range rl.Items {
		if krm.IsPackageMeta(item) {
			continue
		}
		ws, err := findWorkloads(item)
		if err != nil {
			rl.Errorf(item, "%v", err)
			continue
		}
		for _, w := range ws {
			c, outcome := processWorkload(rl, d, w)
			switch outcome {
			case outcomeInjected:
				injected++
				changes = append(changes, c)
			case outcomeUnchanged:
				unchanged++
			case outcomeSkipped:
				skipped++
			}
		}
	}
	if rl.Failed() {
		return nil
	}
	for _, c := range changes {
		if err := c.apply(); err != nil {
			return fmt.Errorf("%s: writing the injected pod template: %w", c.w.describe(), err)
		}
	}
	rl.Infof(nil, "%d workloads injected, %d already up to date, %d skipped", injected, unchanged, skipped)
	return nil
}

func newDecider(rl *krm.ResourceList, spec *Spec) (*decider, bool) {
	d := &decider{spec: spec, namespaces: map[string]map[string]string{}}
	var err error
	if d.injectors, err = readInjectors(rl.Items, nil); err != nil {
		rl.Errorf(nil, "%v", err)
		return nil, false
	}
	for rev, s := range d.injectors.byRevision {
		for _, w := range s.Warnings {
			rl.Warningf(d.injectors.source[rev], "%s", w)
		}
	}
	if spec.Mode == ModeWebhook {
		if d.webhooks, err = readWebhooks(rl.Items, spec.Revision); err != nil {
			rl.Errorf(nil, "%v", err)
			return nil, false
		}
		if d.webhooks.synthesized {
			rl.Infof(nil, "the package holds no injection webhooks: assuming those Istio installs for revision %s",
				istio.RevisionLabelValue(spec.Revision))
		}
	}
	for _, ns := range spec.Namespaces {
		d.namespaces[ns.Name] = ns.Labels
	}
	for _, it := range rl.Items {
		if it.GetKind() == "Namespace" && it.GetApiVersion() == "v1" && !krm.IsPackageMeta(it) {
			l, err := krm.Labels(it)
			if err != nil {
				rl.Errorf(it, "%v", err)
				return nil, false
			}
			if _, both := d.namespaces[it.GetName()]; both {
				rl.Warningf(it, "namespace %s is in the package and in spec.namespaces; using the package's labels", it.GetName())
			}
			d.namespaces[it.GetName()] = l
		}
	}
	return d, true
}

type outcome int

const (
	outcomeError outcome = iota
	outcomeInjected
	outcomeUnchanged
	outcomeSkipped
)

// processWorkload decides and injects one workload, reporting a result for it.
func processWorkload(rl *krm.ResourceList, d *decider, w workload) (change, outcome) {
	if d.spec.Mode == ModeAlways {
		if err := w.useJobTemplateMetadata(); err != nil {
			rl.Errorf(w.item, "%s: %v", w.describe(), err)
			return change{}, outcomeError
		}
	}
	pod, err := w.pod()
	if err != nil {
		rl.Errorf(w.item, "%v", err)
		return change{}, outcomeError
	}
	v, err := d.decide(w, pod)
	if err != nil {
		rl.Errorf(w.item, "%s: %v", w.describe(), err)
		return change{}, outcomeError
	}
	if v.settings == nil {
		rl.Infof(w.item, "%s: skipped: %s", w.describe(), v.reason)
		return change{}, outcomeSkipped
	}
	res, err := v.settings.Inject(v.request)
	if err != nil {
		rl.Errorf(w.item, "%s: injection failed: %v", w.describe(), err)
		return change{}, outcomeError
	}
	for _, warn := range res.Warnings {
		rl.Warningf(w.item, "%s: %s", w.describe(), warn)
	}
	before, err := podValue(pod)
	if err != nil {
		rl.Errorf(w.item, "%v", err)
		return change{}, outcomeError
	}
	after, err := podValue(res.Pod)
	if err != nil {
		rl.Errorf(w.item, "%v", err)
		return change{}, outcomeError
	}
	rev := istio.RevisionLabelValue(v.settings.Revision)
	if reflect.DeepEqual(before, after) {
		rl.Infof(w.item, "%s: already injected by revision %s", w.describe(), rev)
		return change{}, outcomeUnchanged
	}
	rl.Infof(w.item, "%s: injected by revision %s", w.describe(), rev)
	return change{w: w, before: before, after: after}, outcomeInjected
}

// apply writes the change into the workload's YAML: metadata and spec, each where the
// workload keeps it.
func (c change) apply() error {
	before, after := c.before.(map[string]any), c.after.(map[string]any)
	if c.w.metaHolder == c.w.template {
		return yamlpatch.Apply(c.w.template, before, after)
	}
	if err := yamlpatch.Apply(c.w.metaHolder, map[string]any{"metadata": before["metadata"]}, map[string]any{"metadata": after["metadata"]}); err != nil {
		return err
	}
	return yamlpatch.Apply(c.w.template, map[string]any{"spec": before["spec"]}, map[string]any{"spec": after["spec"]})
}

// podValue is the pod's metadata and spec as generic JSON values.
func podValue(pod *corev1.Pod) (any, error) {
	b, err := json.Marshal(struct {
		Metadata any `json:"metadata"`
		Spec     any `json:"spec"`
	}{pod.ObjectMeta, pod.Spec})
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}
