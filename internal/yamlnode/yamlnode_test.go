package yamlnode

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestDescribe(t *testing.T) {
	for in, want := range map[string]string{
		"{a: 1}": "a mapping",
		"[1, 2]": "a list",
		"~":      "null",
		"5":      "the number 5",
		"1.5":    "the number 1.5",
		"true":   "the boolean true",
		"hello":  `the scalar "hello"`,
		`"5"`:    `the scalar "5"`,
	} {
		n := yaml.MustParse(in).YNode()
		if got := Describe(n); got != want {
			t.Errorf("Describe(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestTextNoAliases(t *testing.T) {
	cases := []struct{ text, want string }{
		{"[a, b, 'x&y', \"*z\"]", ""},
		{"a: b # & and * in a comment\n", ""},
		{"[&a [x, x], *a]", "line 1: YAML anchor &a"},
		{"x: 1\n---\ny: &b {z: 1}\nw: *b\n", "line 3: YAML anchor &b"},
		{"base: &base {a: 1}\nderived:\n  <<: *base\n", "line 1: YAML anchor &base"},
		{"[", ""}, // a syntax error is the caller's to report
	}
	for _, c := range cases {
		err := TextNoAliases(c.text)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("TextNoAliases(%q) = %v, want %q", c.text, err, c.want)
		}
	}
}
