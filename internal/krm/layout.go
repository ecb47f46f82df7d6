package krm

import (
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

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

// runnerIDLines adds to lines the input lines that hold obj's runner id annotations (see
// above), for an echo of the input text that leaves them out: the runner then leaves the
// item as it is, as it does an item a function wrote after KeepLayout, instead of walking
// it to copy comments and sort keys that are the input's already (for a large package,
// most of what kpt spends on a function that changes little). obj's nodes must carry the
// input's line numbers. A line is taken only where leaving it out leaves the rest as it
// was: a block mapping of annotations keeping at least one other entry, the entry on a
// line of its own, with no comment.
func runnerIDLines(obj *yaml.RNode, lines map[int]bool) {
	annotations := fieldOf(fieldOf(obj.YNode(), yaml.MetadataField), yaml.AnnotationsField)
	if annotations == nil || annotations.Kind != yaml.MappingNode || annotations.Style&yaml.FlowStyle != 0 {
		return
	}
	var found []int
	for i := 0; i+1 < len(annotations.Content); i += 2 {
		k, v := annotations.Content[i], annotations.Content[i+1]
		if k.Value != runnerIDAnnotation && k.Value != legacyRunnerIDAnnotation {
			continue
		}
		// kyaml writes an id as a quoted number; a value of digits only on the key's line
		// cannot continue on the next one.
		if v.Kind != yaml.ScalarNode || k.Line != v.Line || !isDigits(v.Value) ||
			k.HeadComment != "" || k.LineComment != "" || k.FootComment != "" || v.LineComment != "" || v.FootComment != "" ||
			i+2 < len(annotations.Content) && annotations.Content[i+2].Line <= k.Line {
			return
		}
		found = append(found, k.Line)
	}
	if len(found) == 0 || len(found) >= len(annotations.Content)/2 {
		return
	}
	for _, l := range found {
		lines[l] = true
	}
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
