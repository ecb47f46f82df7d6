package inject

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// OpenShift's namespace annotations with the UID and group ranges of the namespace.
const (
	openShiftUIDRange           = "openshift.io/sa.scc.uid-range"
	openShiftSupplementalGroups = "openshift.io/sa.scc.supplemental-groups"
)

// OpenShiftProxyIDs returns the UID and GID the proxy runs as in an OpenShift namespace
// with these annotations: the last UID of its UID range, and the last ID of its first
// supplemental group block (falling back to the UID range); 1337 where not annotated.
func OpenShiftProxyIDs(nsAnnotations map[string]string) (uid, gid int64) {
	uid, gid = defaultProxyID, defaultProxyID
	if v := nsAnnotations[openShiftUIDRange]; v != "" {
		if b, err := parseIDBlock(v); err == nil {
			uid = b.end
		}
	}
	groups, ok := nsAnnotations[openShiftSupplementalGroups]
	if !ok {
		groups = nsAnnotations[openShiftUIDRange]
	}
	if groups != "" {
		first, _, _ := strings.Cut(groups, ",")
		if b, err := parseIDBlock(first); err == nil {
			gid = b.end
		}
	}
	return uid, gid
}

type idBlock struct{ start, end int64 }

// parseIDBlock reads "START/SIZE" or "START-END".
func parseIDBlock(s string) (idBlock, error) {
	var a, b uint32
	if strings.Contains(s, "/") {
		if _, err := fmt.Sscanf(s, "%d/%d", &a, &b); err != nil {
			return idBlock{}, err
		}
		return idBlock{int64(a), int64(a) + int64(b) - 1}, nil
	}
	if _, err := fmt.Sscanf(s, "%d-%d", &a, &b); err != nil {
		return idBlock{}, err
	}
	return idBlock{int64(a), int64(b)}, nil
}

// dropSidecarUserMatchingApp is what the webhook does on OpenShift, which gives every
// container of a pod the same runAsUser: a user-supplied istio-proxy runAsUser (and
// runAsGroup) equal to an application container's is removed, so the proxy runs as its own
// user and traffic capture works.
func dropSidecarUserMatchingApp(pod *corev1.Pod) {
	sidecar := findSidecar(pod)
	if sidecar == nil || sidecar.SecurityContext == nil {
		return
	}
	var sidecarUser, appUser int64
	for _, cs := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for _, c := range cs {
			if c.SecurityContext == nil || c.SecurityContext.RunAsUser == nil {
				continue
			}
			switch c.Name {
			case ProxyContainer:
				sidecarUser = *c.SecurityContext.RunAsUser
			case ValidationContainer, InitContainer:
			default:
				appUser = *c.SecurityContext.RunAsUser
			}
		}
	}
	if sidecarUser == appUser {
		sidecar.SecurityContext.RunAsUser = nil
		sidecar.SecurityContext.RunAsGroup = nil
	}
}
