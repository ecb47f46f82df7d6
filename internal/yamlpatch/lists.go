package yamlpatch

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// applyList patches the sequence n from before b to after a.
func (p *patcher) applyList(n *yaml.Node, b, a []any) error {
	if isNamedList(b) && isNamedList(a) && len(a)+len(b) > 0 {
		return p.applyNamed(n, b, a)
	}
	if len(a) == len(b) && len(n.Content) == len(b) {
		for i := range a {
			if equal(b[i], a[i]) {
				continue
			}
			p.push('i', "", i)
			err := p.apply(n.Content[i], b[i], a[i])
			p.pop()
			if err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return nil
	}
	return p.rebuildList(n, b, a)
}

// rebuildList replaces the elements of n with a's, reusing each element of n whose before
// value (or its own, when n and b do not line up) equals the new element, so its comments
// survive.
func (p *patcher) rebuildList(n *yaml.Node, b, a []any) error {
	old := n.Content
	if len(old) != len(b) {
		// n does not match before: reuse the elements whose own value is wanted.
		b, _ = nodeValue(n).([]any)
	}
	used := make([]bool, len(old))
	items := make([]*yaml.Node, 0, len(a))
	for i, av := range a {
		if j := findEqual(b, used, av, i); j >= 0 {
			used[j] = true
			items = append(items, old[j])
			continue
		}
		en, err := build(av)
		if err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
		items = append(items, en)
	}
	p.keepRebuilt(n, used)
	n.Content = items
	return nil
}

// findEqual returns the index of an element of b that is not used yet and equals v, looking
// first at index hint (where an unchanged element most often is), or -1.
func findEqual(b []any, used []bool, v any, hint int) int {
	if hint < len(b) && !used[hint] && equal(b[hint], v) {
		return hint
	}
	for j := range b {
		if !used[j] && equal(b[j], v) {
			return j
		}
	}
	return -1
}

// isNamedList reports whether every element of l is a mapping with a non-empty string name,
// and no two share a name.
func isNamedList(l []any) bool {
	if len(l) > 1 {
		seen := make(map[string]bool, len(l))
		for _, e := range l {
			name, ok := elemName(e)
			if !ok || seen[name] {
				return false
			}
			seen[name] = true
		}
		return true
	}
	for _, e := range l {
		if _, ok := elemName(e); !ok {
			return false
		}
	}
	return true
}

// elemName returns the name of a list element that is a mapping with a string name.
func elemName(e any) (string, bool) {
	m, ok := e.(map[string]any)
	if !ok {
		return "", false
	}
	name, ok := m["name"].(string)
	return name, ok && name != ""
}

// applyNamed patches a list matched by name: the result holds a's elements in a's order,
// each reusing the element of n with the same name where there is one.
func (p *patcher) applyNamed(n *yaml.Node, b, a []any) error {
	nodes := make(map[string]*yaml.Node, len(n.Content))
	for _, en := range n.Content {
		if name, ok := nodeName(en); ok {
			if _, dup := nodes[name]; !dup {
				nodes[name] = en
			}
		}
	}
	befores := make(map[string]any, len(b))
	for _, bv := range b {
		name, _ := elemName(bv)
		befores[name] = bv
	}
	items := make([]*yaml.Node, 0, len(a))
	for _, av := range a {
		name, _ := elemName(av)
		en := nodes[name]
		if en == nil {
			built, err := build(av)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			items = append(items, built)
			continue
		}
		delete(nodes, name)
		bv, inBefore := befores[name]
		if !inBefore {
			bv = unknown{}
		}
		if !equal(bv, av) {
			p.push('n', name, 0)
			err := p.apply(en, bv, av)
			p.pop()
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		items = append(items, en)
	}
	p.keepDropped(n, items)
	n.Content = items
	return nil
}

// nodeName returns the name of a sequence element node that is a mapping with a scalar
// name key.
func nodeName(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.MappingNode {
		return "", false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" {
			v := n.Content[i+1]
			return v.Value, v.Kind == yaml.ScalarNode
		}
	}
	return "", false
}
