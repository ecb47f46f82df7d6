package sidecar

import (
	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/krm"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// mode is how the function decides which revision injects a workload, chosen once from
// spec.mode.
type mode struct {
	// variant is the injection the mode renders.
	variant inject.Variant
	// decide finds the revision that injects the workload's pod, or why none does.
	decide func(d *decider, w workload, pod *corev1.Pod) (verdict, error)
	// admission reads, before any workload, what else the mode applies or reports; false
	// means it failed (with an error result).
	admission func(d *decider, rl *krm.ResourceList, namespaces []*yaml.RNode) bool
	// jobTemplateMetadata makes a CronJob's injection read and write
	// spec.jobTemplate.metadata instead of its pod template's, as istioctl kube-inject does.
	jobTemplateMetadata bool
}

// modes are the values of spec.mode.
var modes = map[string]mode{
	ModeWebhook: {variant: inject.Webhook, decide: (*decider).decideWebhook, admission: (*decider).readAdmission},
	ModeAlways: {variant: inject.KubeInject, decide: (*decider).decideAlways, jobTemplateMetadata: true,
		admission: func(*decider, *krm.ResourceList, []*yaml.RNode) bool { return true }},
}

// action is what the function does to each workload, chosen once from spec.action.
type action struct {
	// readsMesh is set when the action needs the package's control planes; uninject
	// restores what each workload's own revert patch records and needs none.
	readsMesh bool
	// apply computes the change of one workload and reports a result for it.
	apply func(d *decider, rl *krm.ResourceList, s podState) (change, outcome)
}

// actions are the values of spec.action.
var actions = map[string]action{
	ActionInject:   {readsMesh: true, apply: (*decider).inject},
	ActionUninject: {apply: (*decider).uninject},
}
