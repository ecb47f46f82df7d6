package nsrevision

import (
	"k8s.io/apimachinery/pkg/labels"
)

// candidate is a Namespace of the package as the selection sees it.
type candidate struct {
	Name   string
	Labels labels.Set
}

// skipped is a Namespace the selector matched but that is not relabelled, and why.
type skipped struct {
	Index  int
	Reason string
}

// selection is the outcome of choosing Namespaces: indices into the candidates, in
// package order, and the names the config gave that no candidate has.
type selection struct {
	Selected []int
	Skipped  []skipped
	Missing  []string
}

// choose selects the candidates the config names or its selector matches. A Namespace
// matched only by the selector is skipped when it is protected (system or control plane).
func choose(spec *Spec, cands []candidate) selection {
	var sel selection
	found := map[string]bool{}
	for i, c := range cands {
		named := spec.named(c.Name)
		if named {
			found[c.Name] = true
		}
		switch {
		case named:
			sel.Selected = append(sel.Selected, i)
		case !spec.matches(c.Labels):
		case spec.protected(c.Name) != "":
			sel.Skipped = append(sel.Skipped, skipped{Index: i, Reason: spec.protected(c.Name)})
		default:
			sel.Selected = append(sel.Selected, i)
		}
	}
	seen := map[string]bool{}
	for _, n := range spec.Namespaces {
		if !found[n] && !seen[n] {
			sel.Missing = append(sel.Missing, n)
		}
		seen[n] = true
	}
	return sel
}
