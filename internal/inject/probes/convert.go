package probes

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// patchContainers points the probes and HTTP/TCP lifecycle hooks of every
// container except istio-proxy (regular and init containers) at the agent on
// statusPort.
func patchContainers(pod *corev1.Pod, statusPort int) {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name != ProxyContainerName {
			patchContainer(&pod.Spec.Containers[i], statusPort)
		}
	}
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name != ProxyContainerName {
			patchContainer(&pod.Spec.InitContainers[i], statusPort)
		}
	}
}

func patchContainer(c *corev1.Container, statusPort int) {
	urls := ProberURLs(c.Name)
	if p := rewriteProbe(c.ReadinessProbe, urls.Readiness, statusPort); p != nil {
		c.ReadinessProbe = p
	}
	if p := rewriteProbe(c.LivenessProbe, urls.Liveness, statusPort); p != nil {
		c.LivenessProbe = p
	}
	if p := rewriteProbe(c.StartupProbe, urls.Startup, statusPort); p != nil {
		c.StartupProbe = p
	}
	if c.Lifecycle == nil {
		return
	}
	if h := rewriteHandler(c.Lifecycle.PreStop, urls.PreStop, statusPort); h != nil {
		c.Lifecycle.PreStop = h
	}
	if h := rewriteHandler(c.Lifecycle.PostStart, urls.PostStart, statusPort); h != nil {
		c.Lifecycle.PostStart = h
	}
}

// rewriteProbe returns a copy of probe turned into an HTTP GET of path on
// port, keeping timing fields and, for HTTP probes, host and headers (an
// HTTPS scheme becomes HTTP). TCP and gRPC probes become plain HTTP GETs.
// Exec and empty probes yield nil (left alone).
func rewriteProbe(probe *corev1.Probe, path string, port int) *corev1.Probe {
	if probe == nil {
		return nil
	}
	switch {
	case probe.HTTPGet != nil:
		p := probe.DeepCopy()
		pointAt(p.HTTPGet, path, port)
		return p
	case probe.TCPSocket != nil:
		p := probe.DeepCopy()
		p.HTTPGet = &corev1.HTTPGetAction{}
		pointAt(p.HTTPGet, path, port)
		p.TCPSocket = nil
		return p
	case probe.GRPC != nil:
		p := probe.DeepCopy()
		p.HTTPGet = &corev1.HTTPGetAction{}
		pointAt(p.HTTPGet, path, port)
		p.GRPC = nil
		return p
	}
	return nil
}

// rewriteHandler is rewriteProbe for HTTP and TCP lifecycle hooks.
func rewriteHandler(h *corev1.LifecycleHandler, path string, port int) *corev1.LifecycleHandler {
	if h == nil {
		return nil
	}
	switch {
	case h.HTTPGet != nil:
		out := h.DeepCopy()
		pointAt(out.HTTPGet, path, port)
		return out
	case h.TCPSocket != nil:
		out := h.DeepCopy()
		out.HTTPGet = &corev1.HTTPGetAction{}
		pointAt(out.HTTPGet, path, port)
		out.TCPSocket = nil
		return out
	}
	return nil
}

// pointAt sets path and port of action; the agent calls the application
// itself, so the kubelet talks plain HTTP to it.
func pointAt(action *corev1.HTTPGetAction, path string, port int) {
	action.Port = intstr.FromInt32(int32(port))
	action.Path = path
	if action.Scheme == corev1.URISchemeHTTPS {
		action.Scheme = corev1.URISchemeHTTP
	}
}
