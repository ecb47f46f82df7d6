package inject

import (
	"encoding/json"
	"strconv"

	"github.com/meshfn/meshfn/internal/istio"
	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// Status is the sidecar.istio.io/status annotation: what injection added, so that a
// re-injection can remove it first.
type Status struct {
	InitContainers   []string `json:"initContainers"`
	Containers       []string `json:"containers"`
	Volumes          []string `json:"volumes"`
	ImagePullSecrets []string `json:"imagePullSecrets"`
	Revision         string   `json:"revision"`
}

// ParseStatus reads a pod's status annotation; ok is false when absent or unreadable.
func ParseStatus(annotations map[string]string) (Status, bool) {
	var st Status
	v, found := annotations[istio.StatusAnnotation]
	if !found {
		return st, false
	}
	if err := json.Unmarshal([]byte(v), &st); err != nil {
		return st, false
	}
	return st, true
}

// statusOf records what templatePod (the templates alone) injects.
func statusOf(templatePod *corev1.Pod, revision string) string {
	st := Status{}
	for _, c := range templatePod.Spec.InitContainers {
		st.InitContainers = append(st.InitContainers, c.Name)
	}
	for _, c := range templatePod.Spec.Containers {
		st.Containers = append(st.Containers, c.Name)
	}
	for _, v := range templatePod.Spec.Volumes {
		st.Volumes = append(st.Volumes, v.Name)
	}
	for _, s := range templatePod.Spec.ImagePullSecrets {
		st.ImagePullSecrets = append(st.ImagePullSecrets, s.Name)
	}
	st.Revision = revision
	if st.Revision == "" {
		st.Revision = "default"
	}
	b, err := json.Marshal(st)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// stripPod removes what an earlier injection added (per the status annotation), the
// Prometheus annotations it set, and the status itself, so templates see the pod as the
// user wrote it (scrape targets too where the release reads them). A pod without status
// is returned as is.
func stripPod(pod *corev1.Pod, mesh *meshv1.MeshConfig, targets bool) *corev1.Pod {
	st, ok := ParseStatus(pod.Annotations)
	if !ok {
		return pod
	}
	out := pod.DeepCopy()
	for _, name := range st.Containers {
		out.Spec.Containers = placeContainer(out.Spec.Containers, name, remove)
	}
	for _, name := range st.InitContainers {
		out.Spec.InitContainers = placeContainer(out.Spec.InitContainers, name, remove)
	}
	target := strconv.Itoa(int(mesh.GetDefaultConfig().GetStatusPort()))
	if cur, found := prometheusPort(out.Annotations); found && cur == target {
		clearPrometheusAnnotations(out.Annotations, targets)
	}
	delete(out.Annotations, istio.StatusAnnotation)
	return out
}

// overrides are user-supplied versions of injected containers, kept in the
// proxy.istio.io/overrides annotation so re-injection can apply them again.
type overrides struct {
	Containers     []corev1.Container `json:"containers,omitempty"`
	InitContainers []corev1.Container `json:"initContainers,omitempty"`
}

func parseOverrides(annotations map[string]string) (overrides, error) {
	var o overrides
	if v, found := annotations[annotationProxyOverrides]; found {
		if err := json.Unmarshal([]byte(v), &o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// reinsertOverrides puts containers recorded as overrides back into a stripped pod, so
// the templates see the pod the user wrote.
func reinsertOverrides(pod *corev1.Pod) (*corev1.Pod, error) {
	o, err := parseOverrides(pod.Annotations)
	if err != nil {
		return nil, err
	}
	pod = pod.DeepCopy()
	for _, c := range o.Containers {
		if findContainer(c.Name, pod.Spec.Containers) == nil {
			pod.Spec.Containers = append(pod.Spec.Containers, c)
		}
	}
	for _, c := range o.InitContainers {
		if findContainer(c.Name, pod.Spec.InitContainers) == nil {
			pod.Spec.InitContainers = append(pod.Spec.InitContainers, c)
		}
	}
	return pod, nil
}
