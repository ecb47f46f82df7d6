package probes

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Prober is one original application probe or lifecycle hook as handed to
// the istio-agent. The JSON field names and order are those the agent reads.
type Prober struct {
	HTTPGet        *corev1.HTTPGetAction   `json:"httpGet,omitempty"`
	TCPSocket      *corev1.TCPSocketAction `json:"tcpSocket,omitempty"`
	GRPC           *corev1.GRPCAction      `json:"grpc,omitempty"`
	TimeoutSeconds int32                   `json:"timeoutSeconds,omitempty"`
}

// AppProbers maps the agent's URL path of a probe to the original probe.
type AppProbers map[string]*Prober

// URLs are the agent paths that take over one container's probes and hooks.
type URLs struct {
	Readiness, Liveness, Startup, PreStop, PostStart string
}

// ProberURLs returns the agent paths for a container:
// /app-health/<name>/{readyz,livez,startupz} and
// /app-lifecycle/<name>/{prestopz,poststartz}.
func ProberURLs(container string) URLs {
	return URLs{
		Readiness: fmt.Sprintf("/app-health/%s/readyz", container),
		Liveness:  fmt.Sprintf("/app-health/%s/livez", container),
		Startup:   fmt.Sprintf("/app-health/%s/startupz", container),
		PreStop:   fmt.Sprintf("/app-lifecycle/%s/prestopz", container),
		PostStart: fmt.Sprintf("/app-lifecycle/%s/poststartz", container),
	}
}

// Dump returns the JSON value of ISTIO_KUBE_APP_PROBERS for pod, or "" when
// there is nothing to hand over. Init containers are visited before regular
// containers (a later container of the same name overwrites an earlier
// entry); istio-proxy is skipped. HTTP and TCP ports given by name are
// resolved against the container's named ports (entries whose name does not
// resolve are dropped); numeric ports equal to targetPort are considered
// already rewritten and dropped. gRPC probes are kept as they are.
//
// Unlike Istio's DumpAppProbers, Dump does not write the resolved ports back
// into the pod; Rewrite overwrites those ports anyway, so the result is the
// same.
func Dump(pod *corev1.Pod, targetPort int32) string {
	out := AppProbers{}
	visit := func(c *corev1.Container) {
		if c.Name == ProxyContainerName {
			return
		}
		collectContainer(out, c, targetPort)
	}
	for i := range pod.Spec.InitContainers {
		visit(&pod.Spec.InitContainers[i])
	}
	for i := range pod.Spec.Containers {
		visit(&pod.Spec.Containers[i])
	}
	if len(out) == 0 {
		return ""
	}
	b, err := json.Marshal(out)
	if err != nil {
		return ""
	}
	return string(b)
}

func collectContainer(out AppProbers, c *corev1.Container, targetPort int32) {
	urls := ProberURLs(c.Name)
	ports := namedPorts(c)
	add := func(path string, p *Prober) {
		if p = resolvePort(p, ports, targetPort); p != nil {
			out[path] = p
		}
	}
	add(urls.Readiness, fromProbe(c.ReadinessProbe))
	add(urls.Liveness, fromProbe(c.LivenessProbe))
	add(urls.Startup, fromProbe(c.StartupProbe))
	if c.Lifecycle != nil {
		add(urls.PreStop, fromHandler(c.Lifecycle.PreStop))
		add(urls.PostStart, fromHandler(c.Lifecycle.PostStart))
	}
}

func namedPorts(c *corev1.Container) map[string]int32 {
	ports := map[string]int32{}
	for _, p := range c.Ports {
		if p.Name != "" {
			ports[p.Name] = p.ContainerPort
		}
	}
	return ports
}

// fromProbe copies the action of a probe (first of HTTP, TCP, gRPC) together
// with its timeout; exec probes and empty probes yield nil.
func fromProbe(probe *corev1.Probe) *Prober {
	if probe == nil {
		return nil
	}
	switch {
	case probe.HTTPGet != nil:
		return &Prober{HTTPGet: probe.HTTPGet.DeepCopy(), TimeoutSeconds: probe.TimeoutSeconds}
	case probe.TCPSocket != nil:
		return &Prober{TCPSocket: probe.TCPSocket.DeepCopy(), TimeoutSeconds: probe.TimeoutSeconds}
	case probe.GRPC != nil:
		return &Prober{GRPC: probe.GRPC.DeepCopy(), TimeoutSeconds: probe.TimeoutSeconds}
	}
	return nil
}

// fromHandler copies an HTTP or TCP lifecycle hook (no timeout exists there).
func fromHandler(h *corev1.LifecycleHandler) *Prober {
	if h == nil {
		return nil
	}
	switch {
	case h.HTTPGet != nil:
		return &Prober{HTTPGet: h.HTTPGet.DeepCopy()}
	case h.TCPSocket != nil:
		return &Prober{TCPSocket: h.TCPSocket.DeepCopy()}
	}
	return nil
}

// resolvePort turns a named HTTP/TCP port into its number, dropping the
// prober when the name is unknown or when the port already is targetPort.
func resolvePort(p *Prober, ports map[string]int32, targetPort int32) *Prober {
	if p == nil {
		return nil
	}
	if p.GRPC != nil {
		return p
	}
	var port *intstr.IntOrString
	switch {
	case p.HTTPGet != nil:
		port = &p.HTTPGet.Port
	case p.TCPSocket != nil:
		port = &p.TCPSocket.Port
	default:
		return nil
	}
	if port.Type == intstr.String {
		number, found := ports[port.StrVal]
		if !found {
			return nil
		}
		*port = intstr.FromInt32(number)
		return p
	}
	if port.IntVal == targetPort {
		return nil
	}
	return p
}
