package sidecar

import (
	"fmt"
	"reflect"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/fleet"
	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/yamlpatch"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// change is the new pod template of one workload, applied once every workload is done.
type change struct {
	w             workload
	before, after map[string]any
	// original is the pod template before any injection, when the workload was injected
	// before: writing goes through it, so the result does not depend on history.
	original          map[string]any
	record, oldRecord string // the revert patch after and before the change
	// oldKept is what the revert record before the change kept of the YAML as written.
	oldKept yamlpatch.Kept
}

// Injector decides and injects the workloads of a package: as inject-sidecar does it, in
// memory, on the items' YAML nodes. It reads the package once (NewInjector); Inject then
// works on one item at a time, and may be called concurrently for different items.
type Injector struct {
	d *decider
}

// Counts is how many workloads each outcome had.
type Counts struct {
	Injected, Unchanged, Reverted, Skipped int
}

// Add adds o's counts.
func (c *Counts) Add(o Counts) {
	c.Injected += o.Injected
	c.Unchanged += o.Unchanged
	c.Reverted += o.Reverted
	c.Skipped += o.Skipped
}

func (c *Counts) count(o outcome) {
	switch o {
	case outcomeInjected:
		c.Injected++
	case outcomeUnchanged:
		c.Unchanged++
	case outcomeReverted:
		c.Reverted++
	case outcomeSkipped:
		c.Skipped++
	}
}

// Item is what injecting one item gave.
type Item struct {
	// Results are the results about its workloads.
	Results fn.Results
	Counts  Counts
	// Changed is set when the item's nodes were written: its workloads' pod templates
	// injected or restored (also when writing failed halfway, see Inject).
	Changed bool
}

// NewInjector reads what deciding needs of the package, rl's items (namespaces, control
// planes, ProxyConfig resources), with the config spec (defaulted and valid), and
// reports on them in rl's results. ok is false when it recorded an error result.
func NewInjector(rl *krm.ResourceList, spec *Spec) (inj *Injector, ok bool) {
	d, ok := newDecider(rl, spec)
	if !ok {
		return nil, false
	}
	return &Injector{d: d}, true
}

// Inject decides and injects (or restores) every workload of item: a workload, or a v1
// List of them; other items have none. Once every workload is done without an error
// result, the changes are written into item's nodes, each where the workload keeps it;
// an error writing them is returned, with item then written halfway. Nothing is written
// when a workload has an error result.
func (inj *Injector) Inject(item *yaml.RNode) (Item, error) {
	var out Item
	sink := &krm.ResourceList{}
	ws, err := findWorkloads(item)
	if err != nil {
		sink.Errorf(item, "%v", err)
		return Item{Results: sink.Results}, nil
	}
	var changes []change
	for _, w := range ws {
		c, o := processWorkload(sink, inj.d, w)
		out.Counts.count(o)
		if o == outcomeInjected || o == outcomeReverted {
			changes = append(changes, c)
		}
	}
	out.Results = sink.Results
	if len(changes) == 0 || krm.HasErrors(sink.Results) {
		return out, nil
	}
	out.Changed = true
	for _, c := range changes {
		if err := c.apply(); err != nil {
			return out, fmt.Errorf("%s: %w", c.w.describe(), err)
		}
	}
	return out, nil
}

// newDecider reads what deciding needs of rl's items with the config spec, reporting on
// them in rl's results; false after an error result.
func newDecider(rl *krm.ResourceList, spec *Spec) (*decider, bool) {
	d := &decider{spec: spec, mode: modes[spec.Mode], action: actions[spec.Action],
		namespaces: map[string]map[string]string{}, nsAnnotations: map[string]map[string]string{}}
	for _, ns := range spec.Namespaces {
		d.namespaces[ns.Name] = ns.Labels
		d.nsAnnotations[ns.Name] = ns.Annotations
	}
	var namespaces []*yaml.RNode
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
			a, err := krm.Annotations(it)
			if err != nil {
				rl.Errorf(it, "%v", err)
				return nil, false
			}
			d.namespaces[it.GetName()], d.nsAnnotations[it.GetName()] = l, a
			namespaces = append(namespaces, it)
		}
	}
	if !d.action.readsMesh {
		return d, true
	}
	var err error
	if d.mesh, err = fleet.Read(rl.Items, fleet.Options{Assume: spec.Revision, Hub: spec.Hub, Tag: spec.Tag, IstioVersion: spec.IstioVersion}); err != nil {
		rl.Errorf(nil, "%v", err)
		return nil, false
	}
	return d, d.mode.admission(d, rl, namespaces)
}

// readAdmission reads what the cluster's admission applies besides the injector (the
// package's ProxyConfig resources) and reports the fleet's notes and the namespaces on a
// revision no control plane serves.
func (d *decider) readAdmission(rl *krm.ResourceList, namespaces []*yaml.RNode) bool {
	for _, n := range d.mesh.Notes {
		if n.Warning {
			rl.Warningf(n.Object, "%s", n.Message)
		} else {
			rl.Infof(n.Object, "%s", n.Message)
		}
	}
	var err error
	if d.proxyConfigs, err = readProxyConfigs(rl.Items, d.spec.DefaultNamespace); err != nil {
		rl.Errorf(nil, "%v", err)
		return false
	}
	d.warnUnserved(rl, namespaces)
	return true
}

// warnUnserved warns about every namespace that asks for a revision no control plane in
// the package serves: the cluster would not inject its pods.
func (d *decider) warnUnserved(rl *krm.ResourceList, inPackage []*yaml.RNode) {
	inPkg := map[string]bool{}
	for _, ns := range inPackage {
		inPkg[ns.GetName()] = true
		if req, unserved := d.mesh.Unserved(d.namespaces[ns.GetName()], nil); unserved {
			rl.Warningf(ns, "namespace %s selects revision %s (%s), which no control plane in the package serves, so its pods are not injected; the revisions are: %s",
				ns.GetName(), req.Name, req.Label, d.mesh.Names())
		}
	}
	for _, ns := range d.spec.Namespaces {
		if inPkg[ns.Name] {
			continue
		}
		if req, unserved := d.mesh.Unserved(ns.Labels, nil); unserved {
			rl.Warningf(rl.Config, "namespace %s (spec.namespaces) selects revision %s (%s), which no control plane in the package serves, so its pods are not injected; the revisions are: %s",
				ns.Name, req.Name, req.Label, d.mesh.Names())
		}
	}
}

type outcome int

const (
	outcomeError outcome = iota
	outcomeInjected
	outcomeUnchanged
	outcomeSkipped
	outcomeReverted
)

// RevertAnnotation holds, on the workload (on a bare Pod: on the pod), the strategic merge
// patch that restores the pod template as it was before injection. It makes re-injection
// exact and idempotent, and uninject possible.
const RevertAnnotation = "meshfn.dev/uninject-patch"

// processWorkload decides and injects (or reverts) one workload, reporting a result for it.
func processWorkload(rl *krm.ResourceList, d *decider, w workload) (change, outcome) {
	fail := func(format string, args ...any) (change, outcome) { return w.fail(rl, format, args...) }
	if d.mode.jobTemplateMetadata {
		if err := w.useJobTemplateMetadata(); err != nil {
			return fail("%v", err)
		}
	}
	current, err := w.pod()
	if err != nil {
		return fail("%v", err)
	}
	var rec record
	if text := w.object.GetAnnotations()[RevertAnnotation]; text != "" {
		if rec, err = parseRecord(text); err != nil {
			return fail("annotation %s: %v", RevertAnnotation, err)
		}
	}
	record := rec.patch
	original := current
	if record != "" {
		base := current.DeepCopy()
		delete(base.Annotations, RevertAnnotation)
		if original, err = inject.Revert(base, record); err != nil {
			return fail("annotation %s: %v", RevertAnnotation, err)
		}
	}
	c := change{w: w, oldRecord: record, oldKept: rec.kept}
	if c.before, err = podValue(current); err != nil {
		return fail("%v", err)
	}
	originalValue := c.before
	if record != "" {
		if originalValue, err = podValue(original); err != nil {
			return fail("%v", err)
		}
		c.original = originalValue
	}
	return d.action.apply(d, rl, podState{c: c, current: current, original: original, originalValue: originalValue})
}

// fail reports an error about the workload.
func (w workload) fail(rl *krm.ResourceList, format string, args ...any) (change, outcome) {
	rl.Errorf(w.item, w.prefix()+format, args...)
	return change{}, outcomeError
}

// podState is a workload's pod template as read, and the change about to be made to it.
type podState struct {
	c change
	// current is the pod template as it is; original as it was before any injection
	// (current, when the workload holds no revert patch), also as a pod value.
	current, original *corev1.Pod
	originalValue     map[string]any
}

// uninject restores the pod template the revert patch records.
func (d *decider) uninject(rl *krm.ResourceList, s podState) (change, outcome) {
	w := s.c.w
	if _, injected := inject.ParseStatus(s.current.Annotations); injected && s.c.oldRecord == "" {
		rl.Warningf(w.item, w.prefix()+"was injected without meshfn's %s annotation, so it cannot be restored exactly; left as it is",
			RevertAnnotation)
		return change{}, outcomeSkipped
	}
	return s.c.revert(rl, s.original, "injection removed")
}

// inject decides, as the mode does, whether and by which revision the pod template is
// injected, and injects it (or, when it is no longer injected, restores it).
func (d *decider) inject(rl *krm.ResourceList, s podState) (change, outcome) {
	w, c, original, record := s.c.w, s.c, s.original, s.c.oldRecord
	fail := func(format string, args ...any) (change, outcome) { return w.fail(rl, format, args...) }
	v, err := d.mode.decide(d, w, original)
	if err != nil {
		return fail("%v", err)
	}
	if v.settings == nil {
		if v.unserved {
			rl.Warningf(w.item, w.prefix()+"not injected: %s", v.reason)
		}
		if record != "" {
			return c.revert(rl, original, "no longer injected: "+v.reason)
		}
		if !v.unserved {
			rl.Infof(w.item, w.prefix()+"skipped: %s", v.reason)
		}
		return change{}, outcomeSkipped
	}
	v.request.Pod, v.request.PodValue = original, s.originalValue
	res, err := v.settings.Inject(v.request)
	if err != nil {
		return fail("injection failed: %v", err)
	}
	for _, warn := range res.Warnings {
		rl.Warningf(w.item, w.prefix()+"%s", warn)
	}
	if c.after, err = podValue(res.Pod); err != nil {
		return fail("%v", err)
	}
	if c.record, err = inject.RevertPatchOf(c.after, s.originalValue); err != nil {
		return fail("%v", err)
	}
	rev := istio.RevisionLabelValue(v.settings.Revision)
	v.warnConflict(rl, w)
	if c.unchanged() {
		rl.Infof(w.item, w.prefix()+"already injected by revision %s%s", rev, v.modeNote())
		return change{}, outcomeUnchanged
	}
	rl.Infof(w.item, w.prefix()+"injected by revision %s%s", rev, v.modeNote())
	return c, outcomeInjected
}

// revert makes the change restore the original pod template.
func (c change) revert(rl *krm.ResourceList, original *corev1.Pod, why string) (change, outcome) {
	var err error
	if c.after, err = podValue(original); err != nil {
		rl.Errorf(c.w.item, c.w.prefix()+"%v", err)
		return change{}, outcomeError
	}
	if c.unchanged() {
		rl.Infof(c.w.item, "%snot injected", c.w.prefix())
		return change{}, outcomeSkipped
	}
	rl.Infof(c.w.item, c.w.prefix()+"%s", why)
	return c, outcomeReverted
}

// unchanged reports whether the change would change nothing. On a bare Pod the revert
// record is part of the pod's metadata, so it goes into after first: as it was when the
// patch is the same (so is what the injection took out of the same YAML).
func (c *change) unchanged() bool {
	if c.w.object == c.w.template && c.record != "" {
		text := c.record
		if c.record == c.oldRecord {
			text = record{patch: c.oldRecord, kept: c.oldKept}.String()
		}
		setRecord(c.after, text)
	}
	return c.record == c.oldRecord && reflect.DeepEqual(c.before, c.after)
}

// apply writes the change into the workload's YAML: metadata and spec, each where the
// workload keeps it, then the revert record with what the injection took out of the YAML
// as written.
func (c change) apply() error {
	var kept yamlpatch.Kept
	if c.original == nil {
		if err := c.write(c.before, c.after, &kept); err != nil {
			return err
		}
	} else {
		// Revert first, as written, then inject: what injection adds always lands in the
		// same place.
		if err := c.writeBack(c.before, c.original, c.oldKept); err != nil {
			return err
		}
		if err := c.write(c.original, c.after, &kept); err != nil {
			return err
		}
	}
	return c.writeRecord(record{patch: c.record, kept: kept})
}

// write applies the difference between two pod values to the workload's YAML, adding to
// kept (when not nil) what it takes out that the values would not give back as written.
func (c change) write(before, after map[string]any, kept *yamlpatch.Kept) error {
	if c.w.metaHolder == c.w.template {
		return yamlpatch.ApplyKeeping(c.w.template, before, after, kept)
	}
	if err := yamlpatch.ApplyKeeping(c.w.metaHolder, map[string]any{"metadata": before["metadata"]}, map[string]any{"metadata": after["metadata"]}, kept); err != nil {
		return err
	}
	return yamlpatch.ApplyKeeping(c.w.template, map[string]any{"spec": before["spec"]}, map[string]any{"spec": after["spec"]}, kept)
}

// writeBack changes the workload's YAML back from the injected pod value to the original,
// putting back what the revert record kept of the YAML as written, each piece under the
// node write wrote it from: the pod's metadata where the workload keeps it, and its spec.
func (c change) writeBack(injected, original map[string]any, kept yamlpatch.Kept) error {
	if c.w.metaHolder == c.w.template {
		return yamlpatch.Revert(c.w.template, injected, original, kept)
	}
	var meta, spec yamlpatch.Kept
	for _, piece := range kept {
		var first string
		if len(piece.At) > 0 {
			first, _ = piece.At[0].(string)
		} else if piece.Key != nil {
			first = *piece.Key
		}
		if first == "metadata" {
			meta = append(meta, piece)
		} else {
			spec = append(spec, piece)
		}
	}
	if err := yamlpatch.Revert(c.w.metaHolder, map[string]any{"metadata": injected["metadata"]}, map[string]any{"metadata": original["metadata"]}, meta); err != nil {
		return err
	}
	return yamlpatch.Revert(c.w.template, map[string]any{"spec": injected["spec"]}, map[string]any{"spec": original["spec"]}, spec)
}

// writeRecord puts the revert record on the workload. On a bare Pod the record is part of
// the pod's metadata, written with it; what was kept is known only now.
func (c change) writeRecord(r record) error {
	if c.w.object == c.w.template && r.patch == "" {
		return nil
	}
	if r.patch == "" {
		_, err := krm.RemoveAnnotation(c.w.object, RevertAnnotation)
		return err
	}
	_, err := krm.SetAnnotation(c.w.object, RevertAnnotation, r.String())
	return err
}

// setRecord puts the revert patch into the annotations of a pod value.
func setRecord(pod map[string]any, record string) {
	meta, _ := pod["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		pod["metadata"] = meta
	}
	annotations, _ := meta["annotations"].(map[string]any)
	if annotations == nil {
		annotations = map[string]any{}
		meta["annotations"] = annotations
	}
	annotations[RevertAnnotation] = record
}

// podValue is the pod's metadata and spec as generic JSON values (encoding/json's shapes).
func podValue(pod *corev1.Pod) (map[string]any, error) {
	v, err := inject.PodValue(pod)
	if err != nil {
		return nil, err
	}
	dropEmptyResources(v)
	return v, nil
}

// dropEmptyResources removes the "resources: {}" that typed marshalling gives every
// container: it means nothing, and a container the user wrote without it stays so.
func dropEmptyResources(pod map[string]any) {
	spec, _ := pod["spec"].(map[string]any)
	for _, key := range []string{"containers", "initContainers"} {
		cs, _ := spec[key].([]any)
		for _, c := range cs {
			if m, ok := c.(map[string]any); ok {
				if r, ok := m["resources"].(map[string]any); ok && len(r) == 0 {
					delete(m, "resources")
				}
			}
		}
	}
}
