package yamlemit_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
	"github.com/meshfn/meshfn/internal/yamlemit"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// encode is what kyaml's encoder writes for node.
func encode(t testing.TB, node *yaml.Node) (string, bool) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(node); err != nil {
		return "", false
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), true
}

// check compares Append with the encoder on node and reports whether Append wrote it.
func check(t testing.TB, where string, node *yaml.Node) bool {
	t.Helper()
	prefix := []byte("prefix\n")
	got, ok := yamlemit.Append(prefix, node)
	if !bytes.HasPrefix(got, prefix) {
		t.Fatalf("%s: Append lost what buf held", where)
	}
	if !ok {
		if len(got) != len(prefix) {
			t.Fatalf("%s: Append declined but changed buf", where)
		}
		return false
	}
	want, encoded := encode(t, node)
	if !encoded {
		t.Fatalf("%s: Append wrote what the encoder refuses:\n%s", where, got[len(prefix):])
	}
	if g := string(got[len(prefix):]); g != want {
		t.Fatalf("%s: Append differs from the encoder:\n%s", where, krmtest.Diff(want, g))
	}
	return true
}

// TestAppendAsEncoder writes every YAML document of the repository's test data, the
// blueprints and Istio's injection corpus (and each item of a ResourceList on its own),
// and compares with the encoder.
func TestAppendAsEncoder(t *testing.T) {
	var files []string
	for _, root := range []string{"../..", "../../../shared/istio-inject-corpus"} {
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && (d.Name() == ".git" || d.Name() == ".cache") {
				return filepath.SkipDir
			}
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				files = append(files, path)
			}
			return nil
		})
	}
	written, docs := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for i := 0; ; i++ {
			var doc yaml.Node
			if err := dec.Decode(&doc); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Logf("%s: %v", f, err)
				}
				break
			}
			if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
				continue
			}
			nodes := []*yaml.Node{doc.Content[0]}
			if items, err := yaml.NewRNode(doc.Content[0]).Pipe(yaml.Lookup("items")); err == nil && items != nil {
				nodes = append(nodes, items.Content()...)
			}
			for j, n := range nodes {
				docs++
				if check(t, f+"#"+string(rune('0'+i%10))+"/"+string(rune('0'+j%10)), n) {
					written++
				}
			}
		}
	}
	t.Logf("%d files, %d documents and items, %d written by Append (the rest by the encoder)", len(files), docs, written)
	if written*10 < docs*8 {
		t.Errorf("Append wrote only %d of %d documents and items", written, docs)
	}
}

// TestAppendShapes covers what the repository's files may not hold.
func TestAppendShapes(t *testing.T) {
	for _, doc := range []string{
		"a: 1\n", "a:\n", "a: ''\n", "'': x\n", "a: ~\n", "a: null\n", "a: 'yes'\n", "a: \"1\"\n",
		"a: [b, 'c', \"d\", [], {}, [e, f], {g: h}]\n", "a: {b: [1, 2], 'c d': ''}\n",
		"# head\n\n# more\na: 1 # line\n# key\nb:\n  # first\n  c: d\n  e: # key comment\n    f: g\n",
		"l:\n- a # one\n# two\n- b\n- - c\n  - d\n- {}\n- []\n- k: v\n  # second key\n  k2: v2\n",
		"a: \"tab\\there\"\nb: ' lead'\nc: 'trail '\nd: 'x: y'\ne: 'x #y'\nf: x#y\ng: '- x'\nh: -x\n",
		"a: caf\u00e9\nb: \"\\u00a0\"\nc: \"\\U0001F600\"\nd: \"\\x7f\"\ne: \"\\u2028\"\n",
		"a: |\n  block\n", "a: &x 1\nb: *x\n", "a: !!binary aGk=\n", "a: !custom x\n", "a: 1\n# foot\n",
		"a: [] # empty\nb: {} # also\n", "? [a, b]\n: c\n",
	} {
		node, err := yaml.Parse(doc)
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		check(t, doc, node.YNode())
	}
}

// FuzzAppend compares Append with the encoder on arbitrary YAML mappings.
func FuzzAppend(f *testing.F) {
	f.Add("a: 1 # c\nb:\n- x\n- {y: z}\n")
	f.Add("# h\nk: 'v'\nl: [1, \"2\"]\nm:\n  n: o\n")
	f.Fuzz(func(t *testing.T, text string) {
		node, err := yaml.Parse(text)
		if err != nil || node.YNode().Kind != yaml.MappingNode {
			return
		}
		check(t, "input", node.YNode())
	})
}

// FuzzAppendNodes compares Append with the encoder on random node trees: scalars of every
// style and tag, comments on every node, empty and flow collections.
func FuzzAppendNodes(f *testing.F) {
	for i := range 8 {
		f.Add(uint64(i), uint64(i*7+1))
	}
	f.Fuzz(func(t *testing.T, s1, s2 uint64) {
		g := nodeGen{rand.New(rand.NewPCG(s1, s2)), s2%2 == 0}
		check(t, "generated", g.mapping(3))
	})
}

var genStrings = []string{
	"", "x", "web", "true", "yes", "on", "1337", "0755", "1.10", "1e3", "null", "~", "a: b", "- y", "#c",
	"{x}", "[1]", "@at", "*s", "&a", "!b", "|p", ">g", "'q", `"dq`, "tab\there", " lead", "end ", "é ü",
	".inf", "<<", "%p", "?q", "1:20", "a:b", "a #b", "a#b", "x:", "-", "--flag=x", "---", "...", "a,b",
	"x\u00a0", "\u00e9", "\U0001F600", "a\x7fb", "a\\b", "it's", "2001-12-14", "0x1F", "+1", ".5", ":x",
	"a\nb", "a\n", "\nlead", "a \nb", "a\n b", "a\n\n", "\n", " x\ny", "{}\n", "t\ta\nb", "x\r\ny",
}

var genComments = []string{"", "", "", "", "", "", "# c", "#c", "c", "# a\n# b", "# a\n\n# b", "# é"}

// nodeGen makes random node trees; tame ones rarely hold what Append leaves to the
// encoder, so that more of them are compared.
type nodeGen struct {
	r    *rand.Rand
	tame bool
}

func (g nodeGen) pick(l []string) string { return l[g.r.IntN(len(l))] }

func (g nodeGen) comments(n *yaml.Node) {
	if g.tame && g.r.IntN(4) != 0 {
		return
	}
	n.HeadComment, n.LineComment = g.pick(genComments), g.pick(genComments)
	if !g.tame && g.r.IntN(20) == 0 {
		n.FootComment = "# foot"
	}
}

func (g nodeGen) scalar() *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: g.pick(genStrings)}
	n.Tag = []string{"!!str", "!!str", "", "tag:yaml.org,2002:str", "!!int", "!!bool", "!!null", "!!float"}[g.r.IntN(8)]
	n.Style = []yaml.Style{0, 0, 0, yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle, yaml.LiteralStyle, yaml.TaggedStyle}[g.r.IntN(7)]
	if g.tame {
		n.Tag, n.Style = []string{"!!str", "!!str", ""}[g.r.IntN(3)], n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle)
		for strings.ContainsAny(n.Value, "\r\x7f\U0001F600") {
			n.Value = g.pick(genStrings)
		}
	}
	g.comments(n)
	return n
}

func (g nodeGen) value(depth int) *yaml.Node {
	switch g.r.IntN(4) {
	case 0:
		if depth > 0 {
			return g.mapping(depth - 1)
		}
	case 1:
		if depth > 0 {
			return g.sequence(depth - 1)
		}
	}
	return g.scalar()
}

func (g nodeGen) collection(kind yaml.Kind, tag string) *yaml.Node {
	n := &yaml.Node{Kind: kind, Tag: []string{"", tag, tag, "!!str"}[g.r.IntN(4)]}
	if g.r.IntN(4) == 0 {
		n.Style = yaml.FlowStyle
	}
	g.comments(n)
	return n
}

func (g nodeGen) mapping(depth int) *yaml.Node {
	n := g.collection(yaml.MappingNode, "!!map")
	for range g.r.IntN(4) {
		n.Content = append(n.Content, g.scalar(), g.value(depth))
	}
	return n
}

func (g nodeGen) sequence(depth int) *yaml.Node {
	n := g.collection(yaml.SequenceNode, "!!seq")
	for range g.r.IntN(4) {
		n.Content = append(n.Content, g.value(depth))
	}
	return n
}
