// Package probes reproduces the application probe rewriting that Istio's
// sidecar injector performs after the sidecar template has been merged into a
// pod (pkg/kube/inject: applyRewrite, DumpAppProbers, mergeOrAppendProbers,
// patchRewriteProbe).
//
// When rewriting is enabled, every HTTP, TCP and gRPC probe of the application
// containers (and HTTP/TCP lifecycle hooks) is redirected to the istio-agent
// status port under a per-container path, and the original actions are handed
// to the agent as JSON in the ISTIO_KUBE_APP_PROBERS environment variable of
// the istio-proxy container.
package probes

import (
	"encoding/json"
	"errors"
	"strconv"

	"istio.io/api/annotation"
	corev1 "k8s.io/api/core/v1"
)

const (
	// ProxyContainerName is the name of the injected sidecar container.
	ProxyContainerName = "istio-proxy"
	// EnvName is the istio-proxy environment variable carrying the original
	// application probes.
	EnvName = "ISTIO_KUBE_APP_PROBERS"
	// DefaultStatusPort is the status port of Istio's default proxy config.
	DefaultStatusPort int32 = 15020
)

var (
	// RewriteAnnotation switches probe rewriting per pod.
	RewriteAnnotation = annotation.SidecarRewriteAppHTTPProbers.Name
	// StatusPortAnnotation overrides the status port the probes are sent to.
	StatusPortAnnotation = annotation.SidecarStatusPort.Name
)

// ShouldRewrite reports whether probes are rewritten for a pod: the value of
// the sidecar.istio.io/rewriteAppHTTPProbers annotation when it parses as a
// boolean (strconv.ParseBool), else valuesDefault (the injector's
// sidecarInjectorWebhook.rewriteAppHTTPProbe value).
func ShouldRewrite(annotations map[string]string, valuesDefault bool) bool {
	raw, found := annotations[RewriteAnnotation]
	if !found {
		return valuesDefault
	}
	enabled, err := strconv.ParseBool(raw)
	if err != nil {
		return valuesDefault
	}
	return enabled
}

// FindSidecar returns the first container named istio-proxy, looking in the
// regular containers first and then in the init containers (native sidecars).
// The returned pointer aliases the pod's slice element.
func FindSidecar(pod *corev1.Pod) *corev1.Container {
	if c := findContainer(pod.Spec.Containers, ProxyContainerName); c != nil {
		return c
	}
	return findContainer(pod.Spec.InitContainers, ProxyContainerName)
}

func findContainer(containers []corev1.Container, name string) *corev1.Container {
	for i := range containers {
		if containers[i].Name == name {
			return &containers[i]
		}
	}
	return nil
}

// Rewrite applies Istio's probe rewrite to pod in place, unconditionally: the
// caller decides with ShouldRewrite whether to call it.
//
// statusPort is the mesh default proxy config's status port: probes already
// pointing at it are treated as rewritten and left out of the JSON. The probes
// themselves are pointed at the status.sidecar.istio.io/port annotation when
// the pod has one. previouslyInjected tells whether the pod carried
// sidecar.istio.io/status before injection; in that case an existing
// ISTIO_KUBE_APP_PROBERS value is merged (its entries win) instead of a new
// variable being appended.
//
// Rewrite does nothing when the pod has no istio-proxy container. Like Istio,
// it never fails on malformed input (an unparsable existing env value leaves
// the env untouched, an unparsable status port annotation yields port 0); the
// only error is a nil pod.
func Rewrite(pod *corev1.Pod, statusPort int32, previouslyInjected bool) error {
	if pod == nil {
		return errors.New("probes: nil pod")
	}
	sidecar := FindSidecar(pod)
	if sidecar == nil {
		return nil
	}
	if dumped := Dump(pod, statusPort); dumped != "" {
		sidecar.Env = MergeOrAppendEnv(previouslyInjected, sidecar.Env, dumped)
	}
	patchContainers(pod, effectiveStatusPort(pod.Annotations, statusPort))
	return nil
}

// effectiveStatusPort is the port probes are redirected to: the status port
// annotation parsed with strconv.Atoi (whatever it yields, even on error, as
// Istio does), else the mesh default.
func effectiveStatusPort(annotations map[string]string, defaultPort int32) int {
	raw, found := annotations[StatusPortAnnotation]
	if !found {
		return int(defaultPort)
	}
	port, _ := strconv.Atoi(raw)
	return port
}

// MergeOrAppendEnv adds the dumped probers to the sidecar's environment.
// For a pod that was not injected before the variable is appended (even if
// one with the same name exists). For a re-injected pod the first existing
// ISTIO_KUBE_APP_PROBERS is replaced by the union of both documents, existing
// entries taking precedence; when either document does not decode, env is
// returned unchanged; when there is no such variable, it is appended.
func MergeOrAppendEnv(previouslyInjected bool, env []corev1.EnvVar, probers string) []corev1.EnvVar {
	appended := corev1.EnvVar{Name: EnvName, Value: probers}
	if !previouslyInjected {
		return append(env, appended)
	}
	for i := range env {
		if env[i].Name != EnvName {
			continue
		}
		merged, ok := mergeProbers(env[i].Value, probers)
		if ok {
			env[i] = corev1.EnvVar{Name: EnvName, Value: merged}
		}
		return env
	}
	return append(env, appended)
}

// mergeProbers decodes both documents, overlays existing onto fresh and
// re-encodes the result.
func mergeProbers(existing, fresh string) (string, bool) {
	var old AppProbers
	if err := json.Unmarshal([]byte(existing), &old); err != nil {
		return "", false
	}
	var merged AppProbers
	if err := json.Unmarshal([]byte(fresh), &merged); err != nil {
		return "", false
	}
	if merged == nil {
		// Decoding "null" leaves the map nil; Istio would panic writing to
		// it. Start from an empty map instead.
		merged = AppProbers{}
	}
	for path, p := range old {
		merged[path] = p
	}
	out, err := json.Marshal(merged)
	if err != nil {
		return "", false
	}
	return string(out), true
}
