package inject

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/meshfn/meshfn/internal/istio"
	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// reapplyOverrides lets a pod customize the containers the templates inject: a container
// of the pod (or recorded in its overrides annotation) with the name of an injected one is
// merged back on top, its image "auto" meaning "keep the injected image". On a first
// injection, the overrides are recorded in the proxy.istio.io/overrides annotation.
// Containers injected earlier (named in the status annotation) are not overrides.
func reapplyOverrides(final, original, templatePod *corev1.Pod, proxyConfig *meshv1.ProxyConfig) (*corev1.Pod, error) {
	existing, err := parseOverrides(original.Annotations)
	if err != nil {
		return nil, err
	}
	injected, alreadyInjected := ParseStatus(original.Annotations)
	if _, present := original.Annotations[istio.StatusAnnotation]; present {
		alreadyInjected = true
	}
	var applied overrides
	for _, kind := range []struct {
		init       bool
		templated  []corev1.Container
		previous   []string
		recorded   []corev1.Container
		fromOrigin func(string) *corev1.Container
	}{
		{false, templatePod.Spec.Containers, injected.Containers, existing.Containers,
			func(n string) *corev1.Container { return findContainer(n, original.Spec.Containers) }},
		{true, templatePod.Spec.InitContainers, injected.InitContainers, existing.InitContainers,
			func(n string) *corev1.Container { return findInPod(n, original) }},
	} {
		for _, c := range kind.templated {
			if slices.Contains(kind.previous, c.Name) {
				continue
			}
			match := findContainer(c.Name, kind.recorded)
			if match == nil {
				match = kind.fromOrigin(c.Name)
			}
			if match == nil {
				continue
			}
			overlay := *match.DeepCopy()
			if overlay.Image == autoImage {
				overlay.Image = ""
			}
			if kind.init {
				applied.InitContainers = append(applied.InitContainers, overlay)
			} else {
				applied.Containers = append(applied.Containers, overlay)
			}
			if final, err = overlayContainer(final, overlay, kind.init); err != nil {
				return nil, err
			}
		}
	}
	if !alreadyInjected && (len(applied.Containers) > 0 || len(applied.InitContainers) > 0) {
		js, err := json.Marshal(applied)
		if err != nil {
			return nil, err
		}
		if final.Annotations == nil {
			final.Annotations = map[string]string{}
		}
		final.Annotations[annotationProxyOverrides] = string(js)
	}
	adjustInitContainerUser(final, original, proxyConfig)
	return final, nil
}

// adjustInitContainerUser follows a user-supplied istio-proxy runAsUser/runAsGroup: the
// iptables "-u UID" argument and the istio-validation container use it; in TPROXY mode the
// proxy must keep running as root.
func adjustInitContainerUser(final, original *corev1.Pod, proxyConfig *meshv1.ProxyConfig) {
	user := findSidecar(original)
	if user == nil || user.SecurityContext == nil ||
		(user.SecurityContext.RunAsUser == nil && user.SecurityContext.RunAsGroup == nil) {
		return
	}
	var initC *corev1.Container
	for _, name := range []string{InitContainer, ValidationContainer} {
		if initC = findContainer(name, final.Spec.InitContainers); initC != nil {
			break
		}
	}
	if initC == nil {
		return
	}
	tproxy := proxyConfig.GetInterceptionMode() == meshv1.ProxyConfig_TPROXY ||
		final.Annotations[annotationInterception] == "TPROXY"
	if tproxy && user.SecurityContext.RunAsUser != nil {
		if sidecar := findSidecar(final); sidecar != nil && sidecar.SecurityContext != nil && sidecar.SecurityContext.RunAsUser != nil {
			*sidecar.SecurityContext.RunAsUser = 0
		}
	}
	if !tproxy && initC.Name == ValidationContainer {
		if initC.SecurityContext == nil {
			initC.SecurityContext = &corev1.SecurityContext{}
		}
		if user.SecurityContext.RunAsUser != nil {
			initC.SecurityContext.RunAsUser = user.SecurityContext.RunAsUser
		}
		if user.SecurityContext.RunAsGroup != nil {
			initC.SecurityContext.RunAsGroup = user.SecurityContext.RunAsGroup
		}
	}
	if user.SecurityContext.RunAsUser == nil || *user.SecurityContext.RunAsUser == 0 {
		return
	}
	for i := 0; i+1 < len(initC.Args); i++ {
		if initC.Args[i] == "-u" {
			initC.Args[i+1] = strconv.FormatInt(*user.SecurityContext.RunAsUser, 10)
			return
		}
	}
}
