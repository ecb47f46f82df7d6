package yamlnode

import (
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
