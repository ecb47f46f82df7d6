package inject

import (
	"github.com/meshfn/meshfn/internal/istio"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Decision is the injector's verdict on a pod, with the reason for a message.
type Decision struct {
	Inject bool
	Reason string
}

// Policy decides, as the variant does, whether a pod in namespace is injected by the
// revision s: never with host networking or in an ignored namespace; otherwise the pod's
// sidecar.istio.io/inject label (or, if no label, annotation) decides when it is "true"
// or "false"; otherwise the never- and always-inject selectors; otherwise the policy.
func (v Variant) Policy(s *Settings, spec *corev1.PodSpec, meta *metav1.ObjectMeta, namespace string) Decision {
	policy, never, always := v.policy(s)
	return podPolicy(spec, meta, namespace, policy, never, always)
}

func podPolicy(spec *corev1.PodSpec, meta *metav1.ObjectMeta, namespace, policy string, never, always []labels.Selector) Decision {
	if spec.HostNetwork {
		return Decision{Reason: "the pod uses host networking"}
	}
	if istio.IsIgnoredNamespace(namespace) {
		return Decision{Reason: "namespace " + namespace + " is never injected"}
	}
	value, source := meta.Annotations[istio.InjectLabel], "annotation"
	if l, ok := meta.Labels[istio.InjectLabel]; ok {
		value, source = l, "label"
	}
	switch value {
	case "true":
		return Decision{Inject: true, Reason: "pod " + source + " " + istio.InjectLabel + "=true"}
	case "false":
		return Decision{Reason: "pod " + source + " " + istio.InjectLabel + "=false"}
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
