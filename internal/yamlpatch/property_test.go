package yamlpatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

var propStrings = []string{
	"", "x", "web", "true", "yes", "on", "N", "1337", "0755", "1.10", "1e3", "0x1F", "null", "~",
	"a: b", "- y", "#c", "{x}", "[1]", "@at", "*star", "&amp", "!bang", "|pipe", ">gt", "'q", `"dq`,
	"multi\nline", "trail\n", "tab\there", " lead", "end ", "é ü", ".inf", "<<", "%pct", "?q",
	"1:20", "a:b", "a #b", "a#b", "x:", "0b101", "0o17", "+1", ".5", "1_000", "2001-12-14", "-",
	"--flag=x", "$(VAR).svc", "http://x:80/y", "-1:30", "100m", "1Gi", "1.5e3x", "yEs", "Off",
	"NULL", ".NaN", "0.", "1e", "-.5", "+.inf", "12:30:45", "0:0", "9_9", "=", "x\u00a0", "a\u0085b",
}

var propKeys = []string{"name", "a", "b", "c", "d", "true", "1", "on", "x y", "n", "image", "env"}

// gen makes random small JSON values.
type gen struct{ r *rand.Rand }

func (g gen) scalar() any {
	switch g.r.IntN(6) {
	case 0:
		return propStrings[g.r.IntN(len(propStrings))]
	case 1:
		return float64(g.r.IntN(2001) - 1000)
	case 2:
		return []float64{0.5, -2.125, 1e20, 1e-7, 15020, 1e21, 3.25e-3}[g.r.IntN(7)]
	case 3:
		return g.r.IntN(2) == 0
	case 4:
		return nil
	}
	return fmt.Sprintf("s%d", g.r.IntN(5))
}

func (g gen) value(depth int) any {
	if depth <= 0 {
		return g.scalar()
	}
	switch g.r.IntN(5) {
	case 0:
		return g.object(depth - 1)
	case 1:
		return g.list(depth - 1)
	case 2:
		return g.namedList(depth - 1)
	}
	return g.scalar()
}

func (g gen) object(depth int) map[string]any {
	m := map[string]any{}
	for range g.r.IntN(5) {
		m[propKeys[g.r.IntN(len(propKeys))]] = g.value(depth)
	}
	return m
}

func (g gen) list(depth int) []any {
	l := make([]any, g.r.IntN(4))
	for i := range l {
		l[i] = g.value(depth)
	}
	return l
}

func (g gen) namedList(depth int) []any {
	var l []any
	for i := range g.r.IntN(5) {
		m := g.object(depth)
		m["name"] = fmt.Sprintf("n%d", i)
		l = append(l, m)
	}
	g.r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
	return l
}

// mutate returns a changed deep copy of v, sharing nothing with it.
func (g gen) mutate(v any, depth int) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) { // in order: the same seed, the same change
			e := v[k]
			switch g.r.IntN(8) {
			case 0: // removed
			case 1:
				m[k] = g.value(depth)
			default:
				m[k] = g.mutate(e, depth-1)
			}
		}
		if g.r.IntN(3) == 0 {
			m[propKeys[g.r.IntN(len(propKeys))]] = g.value(depth)
		}
		return m
	case []any:
		var l []any
		for _, e := range v {
			if g.r.IntN(6) != 0 {
				l = append(l, g.mutate(e, depth-1))
			}
			if g.r.IntN(6) == 0 {
				l = append(l, g.value(depth))
			}
		}
		if g.r.IntN(3) == 0 {
			g.r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
		}
		return l
	}
	if g.r.IntN(3) == 0 {
		return g.value(depth)
	}
	return v
}

// roundTrip returns v as encoding/json decodes its encoding (with json.Number if asked),
// with nil map values removed.
func roundTrip(t *testing.T, v any, useNumber bool) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if useNumber {
		dec.UseNumber()
	}
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// stripNil removes nil map values, recursively.
func stripNil(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			if e != nil {
				m[k] = stripNil(e)
			}
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = stripNil(e)
		}
		return l
	}
	return v
}

// checkApply applies before→after to the node FromJSON makes of doc and checks that the
// result reads back as after (nil map values aside).
func checkApply(t *testing.T, i int, doc, before, after any, reparse bool) {
	t.Helper()
	docJSON, _ := json.Marshal(doc)
	node, err := FromJSON(docJSON)
	if err != nil {
		t.Fatalf("#%d FromJSON(%s): %v", i, docJSON, err)
	}
	if reparse { // also patch nodes as the YAML parser makes them
		node = yaml.MustParse(node.MustString())
	}
	checkApplyTo(t, fmt.Sprintf("#%d", i), node, before, after)
}

// checkApplyTo applies before→after to node and checks that the result reads back as
// after (nil map values aside).
func checkApplyTo(t *testing.T, label string, node *yaml.RNode, before, after any) {
	t.Helper()
	docText := node.MustString()
	if err := Apply(node, before, after); err != nil {
		t.Fatalf("%s Apply: %v", label, err)
	}
	text := node.MustString()
	reparsed, err := yaml.Parse(text)
	if err != nil {
		t.Fatalf("%s result does not parse: %v\n%s", label, err, text)
	}
	data, err := reparsed.MarshalJSON()
	if err != nil {
		t.Fatalf("%s MarshalJSON: %v\n%s", label, err, text)
	}
	got := stripNil(roundTrip(t, json.RawMessage(data), false))
	want := stripNil(roundTrip(t, after, false))
	// Kubernetes reads YAML 1.1: it must see the same values.
	data11, err := sigsyaml.YAMLToJSON([]byte(text))
	if err != nil {
		t.Fatalf("%s YAML 1.1: %v\n%s", label, err, text)
	}
	got11 := stripNil(roundTrip(t, json.RawMessage(data11), false))
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got11, want) {
		bJSON, _ := json.Marshal(before)
		aJSON, _ := json.Marshal(after)
		gotJSON, _ := json.Marshal(got)
		got11JSON, _ := json.Marshal(got11)
		t.Fatalf("%s\nnode:\n%s\nbefore: %s\nafter:  %s\ngot:    %s\ngot 1.1: %s\nyaml:\n%s", label, docText, bJSON, aJSON, gotJSON, got11JSON, text)
	}
}

// TestApplyProperty checks that Apply(FromJSON(b), b, a) reads back as a, for random b and
// a (a often a mutation of b, so that nodes are reused).
func TestApplyProperty(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(1, 2))}
	for i := range 600 {
		b := g.object(3)
		var a any
		if i%4 == 0 {
			a = g.object(3)
		} else {
			a = g.mutate(b, 3)
		}
		useNumber := i%2 == 1
		before, after := roundTrip(t, b, useNumber), roundTrip(t, a, useNumber)
		checkApply(t, i, b, before, after, i%3 == 0)
	}
}

// TestApplyPropertyUnknownBefore checks that where before says nothing about the node
// (here: before is not even a mapping), the node becomes after.
func TestApplyPropertyUnknownBefore(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(3, 4))}
	for i := range 300 {
		c := g.object(3)
		a := g.mutate(c, 3)
		if i%3 == 0 {
			a = g.object(3)
		}
		checkApply(t, i, c, "not a mapping", roundTrip(t, a, i%2 == 0), i%2 == 1)
	}
}

// TestRestoreProperty checks that Revert gives back a node as written: a node (as Apply
// writes it, or otherwise: keys in another order, flow collections, quoted strings,
// comments), patched from its value to another by ApplyKeeping and back by Revert with
// what that kept, is the same text as before.
func TestRevertProperty(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(5, 6))}
	for i := range 1500 {
		b := g.object(3)
		restyled := i%5 != 0
		built, err := build(roundTrip(t, b, false))
		if err != nil {
			t.Fatal(err)
		}
		node := yaml.NewRNode(built)
		if restyled {
			g.restyle(node.YNode(), i%2 == 0)
		}
		node = yaml.MustParse(node.MustString())
		want := node.MustString()
		if strings.Contains(want, "!!merge") {
			continue // "<<" read back as a merge key: not a value
		}
		before := nodeValue(node.YNode())
		after := roundTrip(t, g.mutate(b, 3), false)
		var kept Kept
		if err := ApplyKeeping(node, before, after, &kept); err != nil {
			t.Fatalf("#%d ApplyKeeping: %v", i, err)
		}
		if err := Revert(node, after, before, kept); err != nil {
			t.Fatalf("#%d Revert: %v", i, err)
		}
		if got := node.MustString(); got != want {
			keptJSON, _ := json.Marshal(kept)
			aJSON, _ := json.Marshal(after)
			t.Fatalf("#%d not restored as written\nafter: %s\nkept: %s\n%s", i, aJSON, keptJSON, diffLines(want, got))
		}
	}
}

// restyle writes n otherwise than Apply would: keys shuffled, some collections in flow
// style, some strings quoted, and (with comments) comments here and there.
func (g gen) restyle(n *yaml.Node, comments bool) {
	switch n.Kind {
	case yaml.MappingNode:
		pairs := len(n.Content) / 2
		g.r.Shuffle(pairs, func(i, j int) {
			n.Content[2*i], n.Content[2*j] = n.Content[2*j], n.Content[2*i]
			n.Content[2*i+1], n.Content[2*j+1] = n.Content[2*j+1], n.Content[2*i+1]
		})
		for i := 0; i+1 < len(n.Content); i += 2 {
			if comments && g.r.IntN(6) == 0 {
				n.Content[i].HeadComment = fmt.Sprintf("# head %d", i)
			}
			g.restyle(n.Content[i+1], comments)
		}
	case yaml.SequenceNode:
		for _, e := range n.Content {
			g.restyle(e, comments)
		}
	case yaml.ScalarNode:
		if n.ShortTag() == tagStr && g.r.IntN(4) == 0 && !strings.ContainsAny(n.Value, "\n\t") {
			n.Style = yaml.DoubleQuotedStyle
		}
		if comments && g.r.IntN(8) == 0 {
			n.LineComment = "# line"
		}
		return
	}
	if len(n.Content) > 0 && g.r.IntN(5) == 0 {
		n.Style = yaml.FlowStyle
		uncomment(n) // the encoder moves comments inside flow collections around
	}
}

// uncomment removes the comments of the nodes under n.
func uncomment(n *yaml.Node) {
	for _, c := range n.Content {
		c.HeadComment, c.LineComment, c.FootComment = "", "", ""
		uncomment(c)
	}
}

// diffLines shows want and got line by line where they differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var sb strings.Builder
	for i := range max(len(w), len(g)) {
		a, b := "", ""
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		mark := " "
		if a != b {
			mark = "!"
		}
		fmt.Fprintf(&sb, "%s %-60s | %s\n", mark, a, b)
	}
	return sb.String()
}
