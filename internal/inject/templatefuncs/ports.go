package templatefuncs

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// proxyContainerName is the name Istio gives the injected sidecar container.
const proxyContainerName = "istio-proxy"

// excludeInboundPort adds port to the comma-separated list excluded, unless
// the port is empty or "0" (list returned untouched) or an element of the
// list already equals it byte for byte (list returned untouched). Otherwise
// the result is the list's non-blank elements, trimmed, followed by the port.
//
// The "already present" test compares the untrimmed element, as Istio does:
// "80, 90" does not contain "90" (its element is " 90"), so adding 90 gives
// "80,90,90".
func excludeInboundPort(port any, excluded string) string {
	p := strings.TrimSpace(fmt.Sprint(port))
	if p == "" || p == "0" {
		return excluded
	}
	elems := strings.Split(excluded, ",")
	kept := make([]string, 0, len(elems)+1)
	for _, e := range elems {
		if e == p {
			return excluded
		}
		if t := strings.TrimSpace(e); t != "" {
			kept = append(kept, t)
		}
	}
	return strings.Join(append(kept, p), ",")
}

// includeInboundPorts lists the TCP container ports of every container,
// comma-separated, in container and port order.
func includeInboundPorts(containers []corev1.Container) string {
	return joinContainerPorts(containers, func(corev1.Container) bool { return true })
}

// applicationPorts is includeInboundPorts without the ports of any container
// named istio-proxy. Istio's current templates no longer call it.
func applicationPorts(containers []corev1.Container) string {
	return joinContainerPorts(containers, func(c corev1.Container) bool {
		return c.Name != proxyContainerName
	})
}

// joinContainerPorts joins the container ports of the selected containers,
// leaving out UDP and SCTP ports (an unset protocol counts as TCP).
func joinContainerPorts(containers []corev1.Container, include func(corev1.Container) bool) string {
	var ports []string
	for _, c := range containers {
		if !include(c) {
			continue
		}
		for _, cp := range c.Ports {
			if cp.Protocol == corev1.ProtocolUDP || cp.Protocol == corev1.ProtocolSCTP {
				continue
			}
			ports = append(ports, strconv.Itoa(int(cp.ContainerPort)))
		}
	}
	return strings.Join(ports, ",")
}

// passThrough backs kubevirtInterfaces and excludeInterfaces, which Istio
// keeps as identity functions.
func passThrough(s string) string {
	return s
}
