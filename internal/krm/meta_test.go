package krm

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestSetLabel(t *testing.T) {
	tests := []struct {
		name, in, key, value, want string
		changed                    bool
	}{
		{"adds to existing labels", "metadata:\n  name: a\n  labels:\n    x: y\n", "k", "v",
			"metadata:\n  name: a\n  labels:\n    x: y\n    k: v\n", true},
		{"creates labels", "metadata:\n  name: a\n", "k", "v", "metadata:\n  name: a\n  labels:\n    k: v\n", true},
		{"null labels", "metadata:\n  name: a\n  labels:\n", "k", "v", "metadata:\n  name: a\n  labels:\n    k: v\n", true},
		{"null metadata", "kind: X\nmetadata:\n", "k", "v", "kind: X\nmetadata:\n  labels:\n    k: v\n", true},
		{"quotes YAML 1.1 booleans", "metadata:\n  name: a\n", "k", "yes", "metadata:\n  name: a\n  labels:\n    k: \"yes\"\n", true},
		{"quotes octal", "metadata:\n  name: a\n", "k", "0755", "metadata:\n  name: a\n  labels:\n    k: \"0755\"\n", true},
		{"quotes numbers", "metadata:\n  name: a\n", "k", "1.10", "metadata:\n  name: a\n  labels:\n    k: \"1.10\"\n", true},
		{"quotes empty", "metadata:\n  name: a\n", "k", "", "metadata:\n  name: a\n  labels:\n    k: \"\"\n", true},
		{"keeps comment and style", "metadata:\n  labels:\n    k: 'old' # why\n", "k", "new",
			"metadata:\n  labels:\n    k: 'new' # why\n", true},
		{"unchanged", "metadata:\n  labels:\n    k: v # why\n", "k", "v", "metadata:\n  labels:\n    k: v # why\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := yaml.MustParse(tt.in)
			changed, err := SetLabel(obj, tt.key, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			if got := obj.MustString(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestSetLabelRejectsNonMapping(t *testing.T) {
	obj := yaml.MustParse("metadata:\n  labels: [a]\n")
	if _, err := SetLabel(obj, "k", "v"); err == nil || !strings.Contains(err.Error(), "expected a mapping") {
		t.Errorf("error = %v, want 'expected a mapping'", err)
	}
}

func TestRemoveLabel(t *testing.T) {
	obj := yaml.MustParse("metadata:\n  name: a\n  labels:\n    k: v\n")
	removed, err := RemoveLabel(obj, "k")
	if err != nil || !removed {
		t.Fatalf("removed = %v, err = %v", removed, err)
	}
	if got, want := obj.MustString(), "metadata:\n  name: a\n"; got != want {
		t.Errorf("got\n%s\nwant (empty labels removed)\n%s", got, want)
	}
	if removed, _ := RemoveLabel(obj, "k"); removed {
		t.Error("removing a missing label reported a removal")
	}
}

func TestIsPackageMeta(t *testing.T) {
	for in, want := range map[string]bool{
		"apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: p\n":                                                            true,
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    config.kubernetes.io/local-config: \"true\"\n": true,
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n":                                                                  false,
	} {
		if got := IsPackageMeta(yaml.MustParse(in)); got != want {
			t.Errorf("IsPackageMeta(%q) = %v, want %v", in, got, want)
		}
	}
}
