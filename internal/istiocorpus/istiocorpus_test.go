package istiocorpus

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestNormalize(t *testing.T) {
	in := map[string]any{
		"status": map[string]any{},
		"spec": map[string]any{
			"strategy": map[string]any{},
			"template": map[string]any{"metadata": map[string]any{"creationTimestamp": nil}},
			"list":     []any{map[string]any{"name": "a", "emptyDir": nil}, "b"},
			"none":     []any{},
			"replicas": float64(0),
			"port":     "1337",
		},
	}
	want := map[string]any{"spec": map[string]any{
		"list":     []any{map[string]any{"name": "a"}, "b"},
		"replicas": float64(0),
		"port":     "1337",
	}}
	if got := Normalize(in); !reflect.DeepEqual(got, want) {
		t.Errorf("Normalize = %v, want %v", got, want)
	}
}

func TestRepoRoot(t *testing.T) {
	if _, err := os.Stat(filepath.Join(repoRoot(), "go.mod")); err != nil {
		t.Errorf("no go.mod in the repository root %s: %v", repoRoot(), err)
	}
}

func TestCorpus(t *testing.T) {
	cases := Cases(t)
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		if c.Name != filepath.Base(c.Dir) {
			t.Errorf("case %s is in folder %s", c.Name, c.Dir)
		}
		s := ReadSettings(t, c.Settings)
		if s.Config == "" || s.Values == "" || s.Mesh == "" || s.MeshEffective == "" {
			t.Errorf("settings %s of case %s lack a part", s.ID, c.Name)
		}
	}
}
