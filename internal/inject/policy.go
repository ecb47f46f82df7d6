package inject

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Decision is the injector's verdict on a pod, with the reason for a message.
type Decision struct {
	Inject bool
	Reason string
}

// PodPolicy decides, as Istio's injector does once its webhook was called, whether a pod
// is injected: never with host networking or in an ignored namespace; otherwise the pod's
// sidecar.istio.io/inject label (or, if no label, annotation) decides when it is "true" or
// "false"; otherwise the never- and always-inject selectors; otherwise the policy.
// With policy "" the settings' policy is used.
func (s *Settings) PodPolicy(spec *corev1.PodSpec, meta *metav1.ObjectMeta, namespace, policy string) Decision {
	if policy == "" {
		policy = s.Config.Policy
	}
	return podPolicy(spec, meta, namespace, policy, s.neverInject, s.alwaysInject)
}

func podPolicy(spec *corev1.PodSpec, meta *metav1.ObjectMeta, namespace, policy string, never, always []labels.Selector) Decision {
	if spec.HostNetwork {
		return Decision{Reason: "the pod uses host networking"}
	}
	if slices.Contains(IgnoredNamespaces, namespace) {
		return Decision{Reason: "namespace " + namespace + " is never injected"}
	}
	value, source := meta.Annotations[annotationInject], "annotation"
	if l, ok := meta.Labels[InjectKey]; ok {
		value, source = l, "label"
	}
	switch value {
	case "true":
		return Decision{Inject: true, Reason: "pod " + source + " " + InjectKey + "=true"}
	case "false":
		return Decision{Reason: "pod " + source + " " + InjectKey + "=false"}
	}
	podLabels := labels.Set(meta.Labels)
	for _, sel := range never {
		if sel.Matches(podLabels) {
			return Decision{Reason: "pod labels match the injector's neverInjectSelector " + sel.String()}
		}
	}
	for _, sel := range always {
		if sel.Matches(podLabels) {
			return Decision{Inject: true, Reason: "pod labels match the injector's alwaysInjectSelector " + sel.String()}
		}
	}
	switch policy {
	case PolicyEnabled:
		return Decision{Inject: true, Reason: "the injector's policy is enabled"}
	case PolicyDisabled:
		return Decision{Reason: "the injector's policy is disabled and the pod does not ask for injection"}
	}
	return Decision{Reason: "the injector's policy " + policy + " is invalid, so Istio injects nothing"}
}

// KubeInjectPolicy decides as istioctl kube-inject does: every pod is injected unless it
// uses host networking, runs in an ignored namespace, or opts out with
// sidecar.istio.io/inject=false; the injector's selectors and policy do not apply.
func KubeInjectPolicy(spec *corev1.PodSpec, meta *metav1.ObjectMeta, namespace string) Decision {
	return podPolicy(spec, meta, namespace, PolicyEnabled, nil, nil)
}
