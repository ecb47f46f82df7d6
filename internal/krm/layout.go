package krm

import "sigs.k8s.io/kustomize/kyaml/yaml"

// The annotations by which kyaml's function runner (kpt fn render and fn eval, kustomize's
// KRM plugins) pairs each output item with the input item it came from. Given a pair, the
// runner copies the input's comments into the output where it has none and re-sorts the
// output's keys into the input's order, matching list elements by position: where a
// function inserted or removed an element, the elements after it get the keys' order and
// the comments of their neighbours.
const (
	runnerIDAnnotation       = "internal.config.kubernetes.io/id"
	legacyRunnerIDAnnotation = "config.k8s.io/id"
)

// KeepLayout makes the orchestrator write obj as the function wrote it: it removes the
// annotations by which the runner pairs obj with the input item (see above), for a
// function that keeps comments and key order itself and moves list elements. The runner
// then leaves obj as it is.
func KeepLayout(obj *yaml.RNode) error {
	for _, key := range []string{runnerIDAnnotation, legacyRunnerIDAnnotation} {
		if _, err := RemoveAnnotation(obj, key); err != nil {
			return err
		}
	}
	return nil
}
