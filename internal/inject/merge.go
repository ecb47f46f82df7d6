package inject

import (
	"encoding/json"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	sigsyaml "sigs.k8s.io/yaml"
)

var (
	podPatchMetaOnce sync.Once
	podPatchMeta     strategicpatch.LookupPatchMeta
	podPatchMetaErr  error
)

// patchMeta is the strategic-merge schema of a Pod (merge keys, patch strategies).
func patchMeta() (strategicpatch.LookupPatchMeta, error) {
	podPatchMetaOnce.Do(func() {
		podPatchMeta, podPatchMetaErr = strategicpatch.NewPatchMetaFromStruct(corev1.Pod{})
	})
	return podPatchMeta, podPatchMetaErr
}

// parseOverlay reads a rendered template as Istio does: YAML 1.1, as JSON values.
func parseOverlay(overlay []byte) (map[string]any, error) {
	patch := map[string]any{}
	if err := sigsyaml.Unmarshal(overlay, &patch); err != nil {
		return nil, fmt.Errorf("the template did not render valid YAML: %w", err)
	}
	return patch, nil
}

// overlayContainer merges one container onto pod, under initContainers when init is true.
func overlayContainer(pod *corev1.Pod, c corev1.Container, init bool) (*corev1.Pod, error) {
	overlay := corev1.Pod{}
	if init {
		overlay.Spec.Containers = []corev1.Container{}
		overlay.Spec.InitContainers = []corev1.Container{c}
	} else {
		overlay.Spec.Containers = []corev1.Container{c}
	}
	raw, err := json.Marshal(overlay)
	if err != nil {
		return nil, err
	}
	patch := map[string]any{}
	if err := json.Unmarshal(raw, &patch); err != nil {
		return nil, err
	}
	return overlayMap(pod, patch)
}

func overlayMap(pod *corev1.Pod, patch map[string]any) (*corev1.Pod, error) {
	meta, err := patchMeta()
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(pod)
	if err != nil {
		return nil, err
	}
	original := map[string]any{}
	if err := json.Unmarshal(raw, &original); err != nil {
		return nil, err
	}
	merged, err := strategicpatch.StrategicMergeMapPatchUsingLookupPatchMeta(original, patch, meta)
	if err != nil {
		return nil, fmt.Errorf("strategic merge: %w", err)
	}
	raw, err = json.Marshal(merged)
	if err != nil {
		return nil, err
	}
	out := &corev1.Pod{}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("the merged pod is not a valid Pod: %w", err)
	}
	return out, nil
}
