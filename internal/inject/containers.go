package inject

import corev1 "k8s.io/api/core/v1"

// findContainer returns the container named name in cs, or nil.
func findContainer(name string, cs []corev1.Container) *corev1.Container {
	for i := range cs {
		if cs[i].Name == name {
			return &cs[i]
		}
	}
	return nil
}

// findSidecar returns the istio-proxy container, among containers or (native sidecar)
// init containers.
func findSidecar(pod *corev1.Pod) *corev1.Container {
	if c := findContainer(ProxyContainer, pod.Spec.Containers); c != nil {
		return c
	}
	return findContainer(ProxyContainer, pod.Spec.InitContainers)
}

// findInPod returns the container named name among containers or init containers.
func findInPod(name string, pod *corev1.Pod) *corev1.Container {
	if c := findContainer(name, pod.Spec.Containers); c != nil {
		return c
	}
	return findContainer(name, pod.Spec.InitContainers)
}

// moveContainer moves the container named name from the end of from to the end of to.
func moveContainer(from, to []corev1.Container, name string) ([]corev1.Container, []corev1.Container) {
	for i := range from {
		if from[i].Name == name {
			c := from[i]
			from = append(from[:i:i], from[i+1:]...)
			return from, append(to, c)
		}
	}
	return from, to
}

type placement int

const (
	moveFirst placement = iota
	moveLast
	remove
)

// placeContainer moves the container named name first or last, or removes it.
func placeContainer(cs []corev1.Container, name string, where placement) []corev1.Container {
	rest := make([]corev1.Container, 0, len(cs))
	var match *corev1.Container
	for i := range cs {
		if cs[i].Name == name {
			c := cs[i]
			match = &c
		} else {
			rest = append(rest, cs[i])
		}
	}
	if match == nil || where == remove {
		return rest
	}
	if where == moveFirst {
		return append([]corev1.Container{*match}, rest...)
	}
	return append(rest, *match)
}

func hasContainer(cs []corev1.Container, name string) bool { return findContainer(name, cs) != nil }
