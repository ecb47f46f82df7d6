package inject

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync"

	"github.com/meshfn/meshfn/internal/jsonvalue"
	yamlv2 "go.yaml.in/yaml/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
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

// parseOverlay reads a rendered template as Istio does (sigs.k8s.io/yaml: YAML 1.1, then
// JSON values), without the detour through JSON text: numbers become float64, map keys
// strings. The usual text is read by readOverlay; the rest by decodeOverlay.
func parseOverlay(overlay []byte) (map[string]any, error) {
	if m, ok := readOverlay(overlay); ok && countValues(m, 2*len(overlay)+2) <= 2*len(overlay)+1 {
		return m, nil
	}
	return decodeOverlay(overlay)
}

// decodeOverlay is parseOverlay with a full YAML 1.1 decode.
func decodeOverlay(overlay []byte) (map[string]any, error) {
	var doc any
	if err := yamlv2.Unmarshal(overlay, &doc); err != nil {
		return nil, fmt.Errorf("the template did not render valid YAML: %w", err)
	}
	// Without aliases a document holds at most two values per byte of text (an entry and
	// the empty value of "k:" or "?"), and the empty document one; yaml.v2 stops only
	// documents whose aliases expand exponentially.
	if n := countValues(doc, 2*len(overlay)+2); n > 2*len(overlay)+1 {
		return nil, fmt.Errorf("the template rendered YAML whose aliases expand %d bytes into more values: anchors and aliases are not allowed", len(overlay))
	}
	v, err := jsonValue(doc)
	if err != nil {
		return nil, fmt.Errorf("the template did not render valid YAML: %w", err)
	}
	switch m := v.(type) {
	case map[string]any:
		return m, nil
	case nil:
		return map[string]any{}, nil
	}
	return nil, fmt.Errorf("the template rendered %T, not a mapping", v)
}

// countValues counts the values of a decoded YAML document (or of its JSON values),
// stopping past limit.
func countValues(v any, limit int) int {
	n := 1
	switch x := v.(type) {
	case map[any]any:
		for _, e := range x {
			if n > limit {
				break
			}
			n += 1 + countValues(e, limit-n)
		}
	case map[string]any:
		for _, e := range x {
			if n > limit {
				break
			}
			n += 1 + countValues(e, limit-n)
		}
	case []any:
		for _, e := range x {
			if n > limit {
				break
			}
			n += countValues(e, limit-n)
		}
	}
	return n
}

// jsonValue converts a YAML 1.1 value to the value JSON decoding would give.
func jsonValue(v any) (any, error) {
	switch x := v.(type) {
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			key, err := jsonKey(k)
			if err != nil {
				return nil, err
			}
			if out[key], err = jsonValue(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var err error
			if out[i], err = jsonValue(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("%v has no JSON form", x)
		}
		return x, nil
	case string, bool, nil:
		return x, nil
	}
	return nil, fmt.Errorf("unexpected YAML value %T", v)
}

func jsonKey(k any) (string, error) {
	switch x := k.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case nil:
		return "null", nil
	}
	return "", fmt.Errorf("unsupported map key %v", k)
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
	patch, err := valueOf(&overlay)
	if err != nil {
		return nil, err
	}
	return overlayMap(pod, patch)
}

// valueOf is v (a struct) as encoding/json's generic values: jsonvalue.Of, with JSON's
// own error where that fails.
func valueOf(v any) (map[string]any, error) {
	if x, ok := jsonvalue.Of(v); ok {
		if m, ok := x.(map[string]any); ok {
			return m, nil
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func overlayMap(pod *corev1.Pod, patch map[string]any) (*corev1.Pod, error) {
	return overlayValue(pod, nil, patch)
}

// overlayValue is overlayMap onto a copy of value, pod's value as PodValue gives it, when
// set (the strategic merge changes the map it merges onto).
func overlayValue(pod *corev1.Pod, value, patch map[string]any) (*corev1.Pod, error) {
	meta, err := patchMeta()
	if err != nil {
		return nil, err
	}
	original, ok := copyValue(value).(map[string]any)
	if !ok {
		if original, err = valueOf(pod); err != nil {
			return nil, err
		}
	}
	merged, err := strategicpatch.StrategicMergeMapPatchUsingLookupPatchMeta(original, patch, meta)
	if err != nil {
		return nil, fmt.Errorf("strategic merge: %w", err)
	}
	return decodePod(merged)
}

// decodePod reads a pod from JSON values, without going through JSON text.
func decodePod(v map[string]any) (*corev1.Pod, error) {
	out := &corev1.Pod{}
	if jsonvalue.Into(v, out) {
		return out, nil
	}
	out = &corev1.Pod{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(v, out); err == nil {
		return out, nil
	}
	// The converter is stricter than encoding/json about a few shapes; JSON decides then.
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out = &corev1.Pod{}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("the merged pod is not a valid Pod: %w", err)
	}
	return out, nil
}

// copyValue is a deep copy of a JSON value (nil for anything else, or for nil).
func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return nil
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			if out[k] = copyValue(e); out[k] == nil && e != nil {
				return nil
			}
		}
		return out
	case []any:
		if x == nil {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			if out[i] = copyValue(e); out[i] == nil && e != nil {
				return nil
			}
		}
		return out
	case string, float64, bool:
		return x
	}
	return nil
}
