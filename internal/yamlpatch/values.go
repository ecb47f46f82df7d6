package yamlpatch

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/meshfn/meshfn/internal/yamlscalar"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// unknown stands for a before value that is not known (the node held something the typed
// view did not show); it is never equal to anything.
type unknown struct{}

// Short tags of the scalars this package writes.
const (
	tagStr  = "!!str"
	tagInt  = "!!int"
	tagBool = "!!bool"
	tagNull = "!!null"
)

// keyRank puts well-known Kubernetes keys first when new keys are appended or a new
// mapping is built; all other keys follow in lexical order.
var keyRank = map[string]int{
	"apiVersion": 1,
	"kind":       2,
	"metadata":   3,
	"name":       4,
	"namespace":  5,
	"image":      6,
}

// compareKeys orders keys by keyRank, then lexically.
func compareKeys(a, b string) int {
	ra, rb := keyRank[a], keyRank[b]
	if ra == 0 {
		ra = len(keyRank) + 1
	}
	if rb == 0 {
		rb = len(keyRank) + 1
	}
	if ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

// build returns a new block-style YAML node holding v. Its nodes, and the lists of their
// children, are allocated together.
func build(v any) (*yaml.Node, error) {
	nodes, children := countNodes(v)
	b := nodeBuilder{nodes: make([]yaml.Node, 0, nodes), children: make([]*yaml.Node, 0, children)}
	return b.build(v)
}

// countNodes counts the nodes build makes for v and their children.
func countNodes(v any) (nodes, children int) {
	switch v := v.(type) {
	case map[string]any:
		nodes = 1
		for _, e := range v {
			if e != nil {
				n, c := countNodes(e)
				nodes, children = nodes+1+n, children+2+c
			}
		}
		return nodes, children
	case []any:
		nodes = 1
		for _, e := range v {
			n, c := countNodes(e)
			nodes, children = nodes+n, children+1+c
		}
		return nodes, children
	}
	return 1, 0
}

// nodeBuilder hands out nodes and child lists from slabs.
type nodeBuilder struct {
	nodes    []yaml.Node
	children []*yaml.Node
	keys     []string // a stack of the sorted keys of the mappings being built
}

func (b *nodeBuilder) node(n yaml.Node) *yaml.Node {
	if len(b.nodes) == cap(b.nodes) {
		b.nodes = make([]yaml.Node, 0, 8)
	}
	b.nodes = append(b.nodes, n)
	return &b.nodes[len(b.nodes)-1]
}

// list returns an empty list of children with room for n.
func (b *nodeBuilder) list(n int) []*yaml.Node {
	if cap(b.children)-len(b.children) < n {
		return make([]*yaml.Node, 0, n)
	}
	l := b.children[len(b.children) : len(b.children) : len(b.children)+n]
	b.children = b.children[:len(b.children)+n]
	return l
}

func (b *nodeBuilder) build(v any) (*yaml.Node, error) {
	switch v := v.(type) {
	case map[string]any:
		// The keys whose values are not nil, in compareKeys order, go on top of b.keys
		// while the mapping is built (the mappings in it push theirs above and pop them).
		start := len(b.keys)
		for k, e := range v {
			if e != nil {
				b.keys = append(b.keys, k)
			}
		}
		count := len(b.keys) - start
		slices.SortFunc(b.keys[start:], compareKeys)
		n := b.node(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: b.list(2 * count)})
		for j := range count {
			k := b.keys[start+j]
			val, err := b.build(v[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			n.Content = append(n.Content, b.node(stringScalar(k)), val)
		}
		b.keys = b.keys[:start]
		flowEmpty(n)
		return n, nil
	case []any:
		n := b.node(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: b.list(len(v))})
		for i, e := range v {
			en, err := b.build(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			n.Content = append(n.Content, en)
		}
		flowEmpty(n)
		return n, nil
	}
	tag, text, err := scalarText(v)
	if err != nil {
		return nil, err
	}
	if tag == tagStr {
		return b.node(stringScalar(text)), nil
	}
	return b.node(yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: text}), nil
}

// stringNode returns a string scalar, quoted where a YAML reader would misread it.
func stringNode(s string) *yaml.Node {
	n := stringScalar(s)
	return &n
}

// stringScalar is stringNode's node.
func stringScalar(s string) yaml.Node {
	n := yaml.Node{Kind: yaml.ScalarNode, Tag: tagStr, Value: s}
	if yamlscalar.NeedsQuotes(s) {
		n.Style = yamlscalar.QuoteStyle(s)
	}
	return n
}

// scalarText returns the short tag and the text of the scalar value v.
func scalarText(v any) (tag, text string, err error) {
	switch v := v.(type) {
	case nil:
		return tagNull, "null", nil
	case string:
		return tagStr, v, nil
	case bool:
		return tagBool, strconv.FormatBool(v), nil
	case float64:
		return formatFloat(v)
	case json.Number:
		return formatNumber(v)
	case int:
		return tagInt, strconv.Itoa(v), nil
	case int64:
		return tagInt, strconv.FormatInt(v, 10), nil
	}
	return "", "", fmt.Errorf("yamlpatch: unsupported value of type %T", v)
}

// formatFloat writes f as JSON would (so integral values come out as integers, e.g. 15020
// and not 1.502e+04) and tags it the way YAML resolves that text.
func formatFloat(f float64) (tag, text string, err error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", "", fmt.Errorf("yamlpatch: unsupported number %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	text = strconv.FormatFloat(f, format, -1, 64)
	return yamlscalar.Tag(text), text, nil
}

// formatNumber writes a json.Number: integers keep their digits, anything else (1.5e3,
// 2.0) is normalised through float64.
func formatNumber(n json.Number) (tag, text string, err error) {
	s := string(n)
	if s == "" || !(s[0] == '-' || s[0] >= '0' && s[0] <= '9') || !json.Valid([]byte(s)) {
		return "", "", fmt.Errorf("yamlpatch: bad number %q", s)
	}
	if !strings.ContainsAny(s, ".eE") {
		return yamlscalar.Tag(s), s, nil
	}
	f, err := n.Float64()
	if err != nil {
		return "", "", fmt.Errorf("yamlpatch: bad number %q: %w", s, err)
	}
	return formatFloat(f)
}

// equal reports whether the generic JSON values a and b are equal, treating a nil map
// value like an absent key and comparing numbers by value whatever their Go type.
func equal(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		return ok && equalMaps(a, bm)
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !equal(a[i], bl[i]) {
				return false
			}
		}
		return true
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case bool:
		bb, ok := b.(bool)
		return ok && a == bb
	case nil:
		return b == nil
	case unknown:
		return false
	}
	fa, ok := toFloat(a)
	if !ok {
		return false
	}
	fb, ok := toFloat(b)
	return ok && fa == fb
}

func equalMaps(a, b map[string]any) bool {
	na := 0
	for k, v := range a {
		if v == nil {
			continue
		}
		na++
		if !equal(v, b[k]) {
			return false
		}
	}
	nb := 0
	for _, v := range b {
		if v != nil {
			nb++
		}
	}
	return na == nb
}

// toFloat returns the numeric value of v, if v is a number.
func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	}
	return 0, false
}

// nodeValue returns the generic value of a YAML node, for places where the node does not
// match before and its own content must stand in for it. Merge keys (<<) are left out so
// that they are never removed.
func nodeValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return nodeValue(n.Content[0])
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil
		}
		return nodeValue(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := m[k]; !dup && k != "<<" {
				m[k] = nodeValue(n.Content[i+1])
			}
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, e := range n.Content {
			l[i] = nodeValue(e)
		}
		return l
	}
	return scalarValue(n)
}

// scalarValue returns the generic value of a scalar node.
func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case tagStr:
		return n.Value
	case tagNull:
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	if f, ok := toFloat(v); ok {
		return f
	}
	return v
}
