package yamlscalar

import (
	"strings"
	"testing"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

func TestQuoting(t *testing.T) {
	for _, c := range []struct {
		s                    string
		needs, notPlain, o11 bool
	}{
		{"web", false, false, false},
		{"", true, true, false},
		{"yes", true, true, true},
		{"Off", true, true, true},
		{"yEs", false, false, false}, // neither YAML 1.1 nor 1.2 reads it as a bool
		{"true", true, true, false},
		{"NULL", true, true, false},
		{"~", true, true, false},
		{"0755", true, true, false},
		{"1e3", true, true, false},
		{"1.10", true, true, false},
		{"2001-12-14", true, true, false},
		{"1:20", false, false, true}, // a string to go-yaml v2 and v3; the v3 encoder quotes it
		{"--domain", false, true, false},
		{"-p", false, true, false},
		{"- x", true, true, false},
		{"a: b", true, true, false},
		{"a #b", true, true, false},
		{"x:", true, true, false},
		{"a ", true, true, false},
		{" a", true, true, false},
		{"[a]", true, true, false},
		{"a\tb", false, true, false}, // the encoder quotes it
		{"100m", false, false, false},
		{"docker.io/istio/proxyv2:1.31.0", false, false, false},
	} {
		if got := NeedsQuotes(c.s); got != c.needs {
			t.Errorf("NeedsQuotes(%q) = %v, want %v", c.s, got, c.needs)
		}
		if got := NotPlainString(c.s); got != c.notPlain {
			t.Errorf("NotPlainString(%q) = %v, want %v", c.s, got, c.notPlain)
		}
		if got := Only11(c.s); got != c.o11 {
			t.Errorf("Only11(%q) = %v, want %v", c.s, got, c.o11)
		}
	}
}

func TestQuoteStyle(t *testing.T) {
	for s, want := range map[string]yaml.Style{
		"yes":        yaml.DoubleQuotedStyle,
		`{"a":"b"}`:  yaml.SingleQuotedStyle,
		`{"a":"b'"}`: yaml.DoubleQuotedStyle,
		"\"a\tb":     yaml.DoubleQuotedStyle,
	} {
		if got := QuoteStyle(s); got != want {
			t.Errorf("QuoteStyle(%q) = %v, want %v", s, got, want)
		}
	}
}

var seeds = []string{"", "true", "True", "yes", "yEs", "null", "~", "name", "n", "off", "1", "-1", ".5", "<<", "/x", "2001-12-14",
	"--domain", "-p", "100m", "128Mi", "15090,15021", "-_5", "+.inf", "-.Inf", "-Inf", ".nan", "0x1F", "-0x1f", "0o17", "0b101",
	"1e3", "-1.5E-3", "1_000", "+12", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "1:20", "+-5", "0755",
	"a: b", "a #b", "- x", "x:", " a", "a ", "[a]", "{\"a\":1}", "a\tb", "a\nb", "---x", "...x", "1:2#3"}

// FuzzTag checks Tag, and its shortcuts, against the resolver of go-yaml v3 (kyaml's).
func FuzzTag(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		probe := yaml.Node{Kind: yaml.ScalarNode, Value: s}
		if got, want := Tag(s), probe.ShortTag(); got != want {
			t.Fatalf("%q: Tag %s, the resolver %s", s, got, want)
		}
		if notNumber(s) && probe.ShortTag() != "!!str" {
			t.Fatalf("%q: notNumber, the resolver reads %s", s, probe.ShortTag())
		}
	})
}

// FuzzQuoting checks the answers on strings against the readers: a string written with
// the quoting NeedsQuotes or NotPlainString asks for (none, else QuoteStyle) and then
// encoded by kyaml reads back as that string in YAML 1.2 (go-yaml v3) and YAML 1.1
// (sigs.k8s.io/yaml, as kubectl); YAML 1.1 reads each of Word11's words as its value; the
// v3 encoder quotes what Only11 reports.
func FuzzQuoting(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for name, quote := range map[string]bool{"NeedsQuotes": NeedsQuotes(s), "NotPlainString": NotPlainString(s)} {
			n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
			if quote {
				n.Style = QuoteStyle(s)
			}
			doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "k"}, n}}
			text, err := yaml.NewRNode(doc).String()
			if err != nil {
				return // text the encoder does not write
			}
			var v3 map[string]any
			if err := yaml.Unmarshal([]byte(text), &v3); err != nil || v3["k"] != s {
				t.Fatalf("%q (%s %v): written %q, YAML 1.2 reads %#v (%v)", s, name, quote, text, v3["k"], err)
			}
			var v11 map[string]any
			if err := sigsyaml.Unmarshal([]byte(text), &v11); err != nil || v11["k"] != s {
				t.Fatalf("%q (%s %v): written %q, YAML 1.1 reads %#v (%v)", s, name, quote, text, v11["k"], err)
			}
		}
		if w, ok := Word11(s); ok || s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
			// A word YAML 1.1 reads as a bool or null is one of Word11's; other words are strings.
			if !ok {
				w = s
			}
			var v11 map[string]any
			if err := sigsyaml.Unmarshal([]byte("k: "+s), &v11); err != nil || v11["k"] != w {
				t.Fatalf("%q: Word11 %v (%v), YAML 1.1 reads %#v (%v)", s, w, ok, v11["k"], err)
			}
		}
		if Only11(s) {
			out, err := yaml.Marshal(s)
			if err != nil || !strings.HasPrefix(string(out), `"`) {
				t.Fatalf("%q: Only11, the v3 encoder writes %q (%v)", s, out, err)
			}
		}
	})
}
