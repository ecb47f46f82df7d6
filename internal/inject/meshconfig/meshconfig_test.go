package meshconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"

	meshv1 "istio.io/api/mesh/v1alpha1"
)

// corpusDir locates Istio's injection corpus: MESHFN_ISTIO_CORPUS, or
// /work/shared/istio-inject-corpus seen from this package. The test is
// skipped when it is absent.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MESHFN_ISTIO_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "istio-inject-corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "settings")); err != nil {
		t.Skipf("Istio injection corpus not found at %s (set MESHFN_ISTIO_CORPUS): %v", dir, err)
	}
	return dir
}

// parseEffective decodes a mesh-effective.yaml (Istio's protomarshal.ToYAML
// output) strictly with protojson, independently of the code under test.
func parseEffective(t *testing.T, text string) *meshv1.MeshConfig {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(text))
	if err != nil {
		t.Fatalf("mesh-effective.yaml: %v", err)
	}
	mc := &meshv1.MeshConfig{}
	if err := protojson.Unmarshal(js, mc); err != nil {
		t.Fatalf("mesh-effective.yaml: %v", err)
	}
	return mc
}

// configMapMesh returns data.mesh of a ConfigMap manifest.
func configMapMesh(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(raw, &cm); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	mesh, ok := cm.Data["mesh"]
	if !ok {
		t.Fatalf("%s: no data.mesh", path)
	}
	return mesh
}

// requireEqual fails with a line diff of the protojson forms when the
// messages differ.
func requireEqual(t *testing.T, what string, want, got proto.Message) bool {
	t.Helper()
	if proto.Equal(want, got) {
		return true
	}
	opts := protojson.MarshalOptions{Multiline: true, Indent: "  "}
	w, _ := opts.Marshal(want)
	g, _ := opts.Marshal(got)
	t.Errorf("%s: not equal (- want, + got):\n%s", what, lineDiff(string(w), string(g)))
	return false
}

// lineDiff renders a minimal line diff (longest common subsequence).
func lineDiff(a, b string) string {
	al := strings.Split(a, "\n")
	bl := strings.Split(b, "\n")
	lcs := make([][]int, len(al)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(bl)+1)
	}
	for i := len(al) - 1; i >= 0; i-- {
		for j := len(bl) - 1; j >= 0; j-- {
			if al[i] == bl[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	i, j := 0, 0
	for i < len(al) || j < len(bl) {
		switch {
		case i < len(al) && j < len(bl) && al[i] == bl[j]:
			sb.WriteString("  " + al[i] + "\n")
			i, j = i+1, j+1
		case j < len(bl) && (i == len(al) || lcs[i][j+1] >= lcs[i+1][j]):
			sb.WriteString("+ " + bl[j] + "\n")
			j++
		default:
			sb.WriteString("- " + al[i] + "\n")
			i++
		}
	}
	return sb.String()
}

// TestCorpusSettings applies every settings/<id>/istio.yaml data.mesh over
// Default() and requires the MeshConfig Istio used (mesh-effective.yaml). It
// also checks that applying defaults again to mesh-effective.yaml is stable.
func TestCorpusSettings(t *testing.T) {
	dir := corpusDir(t)
	entries, err := os.ReadDir(filepath.Join(dir, "settings"))
	if err != nil {
		t.Fatal(err)
	}
	total, equal := 0, 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		total++
		sdir := filepath.Join(dir, "settings", e.Name())
		ok := t.Run(e.Name(), func(t *testing.T) {
			effText, err := os.ReadFile(filepath.Join(sdir, "mesh-effective.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			want := parseEffective(t, string(effText))

			got, err := Apply(configMapMesh(t, filepath.Join(sdir, "istio.yaml")), Default())
			if err != nil {
				t.Fatalf("Apply(data.mesh, Default()): %v", err)
			}
			requireEqual(t, "Apply(data.mesh, Default())", want, got)

			again, err := Apply(string(effText), Default())
			if err != nil {
				t.Fatalf("Apply(mesh-effective, Default()): %v", err)
			}
			requireEqual(t, "Apply(mesh-effective, Default())", want, again)

			fromEmpty, err := Apply(string(effText), &meshv1.MeshConfig{})
			if err != nil {
				t.Fatalf("Apply(mesh-effective, empty): %v", err)
			}
			requireEqual(t, "Apply(mesh-effective, empty)", want, fromEmpty)
		})
		if ok {
			equal++
		}
	}
	if total == 0 {
		t.Fatalf("no settings directories in %s", dir)
	}
	t.Logf("%d/%d settings produce Istio's effective mesh config", equal, total)
}

// TestDefaultIsValid checks that Default() passes Istio's validation and is a
// fixed point of Apply with an empty text.
func TestDefaultIsValid(t *testing.T) {
	if err := validateMeshConfig(Default()); err != nil {
		t.Fatalf("Default() does not validate: %v", err)
	}
	got, err := Apply("", Default())
	if err != nil {
		t.Fatal(err)
	}
	requireEqual(t, "Apply(\"\", Default())", Default(), got)
	if !proto.Equal(Default().DefaultConfig, DefaultProxyConfig()) {
		t.Error("Default().DefaultConfig differs from DefaultProxyConfig()")
	}
}
