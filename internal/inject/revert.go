package inject

import (
	"encoding/json"
	"fmt"

	"github.com/meshfn/meshfn/internal/jsonvalue"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

// RevertPatchOf returns the strategic merge patch that turns the injected pod back into the
// original: what injection added is deleted, what it changed (probes, Prometheus
// annotations, overridden containers) is restored. It takes the pods' metadata and spec as
// JSON values (maps as encoding/json decodes them) and does not modify them. The patch is
// compact: containers, volumes and env are matched by name.
func RevertPatchOf(injected, original map[string]any) (string, error) {
	meta, err := patchMeta()
	if err != nil {
		return "", err
	}
	patch, err := strategicpatch.CreateTwoWayMergeMapPatchUsingLookupPatchMeta(injected, original, meta)
	if err != nil {
		return "", fmt.Errorf("computing the patch that reverts injection: %w", err)
	}
	b, err := json.Marshal(patch)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Revert applies a patch from RevertPatch to an injected pod and returns the original.
func Revert(injected *corev1.Pod, patch string) (*corev1.Pod, error) {
	from, err := podJSON(injected)
	if err != nil {
		return nil, err
	}
	out, err := strategicpatch.StrategicMergePatch(from, []byte(patch), corev1.Pod{})
	if err != nil {
		return nil, fmt.Errorf("reverting injection: %w", err)
	}
	pod := &corev1.Pod{}
	if err := json.Unmarshal(out, pod); err != nil {
		return nil, fmt.Errorf("reverting injection: %w", err)
	}
	return pod, nil
}

// PodValue is the pod's metadata and spec (no status, no type) as encoding/json's
// generic values, as decoding podJSON gives them.
func PodValue(pod *corev1.Pod) (map[string]any, error) {
	meta, ok1 := jsonvalue.Of(&pod.ObjectMeta)
	spec, ok2 := jsonvalue.Of(&pod.Spec)
	if ok1 && ok2 {
		return map[string]any{"metadata": meta, "spec": spec}, nil
	}
	b, err := podJSON(pod)
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// podJSON is the pod's metadata and spec as JSON (no status, no type).
func podJSON(pod *corev1.Pod) ([]byte, error) {
	return json.Marshal(struct {
		Metadata any `json:"metadata"`
		Spec     any `json:"spec"`
	}{pod.ObjectMeta, pod.Spec})
}
