package meshconfig

import (
	"github.com/meshfn/meshfn/internal/krmtest"
	"testing"

	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
	"github.com/meshfn/meshfn/internal/istiocorpus"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"

	meshv1 "istio.io/api/mesh/v1alpha1"
)

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
	t.Errorf("%s: not equal (- want, + got):\n%s", what, krmtest.Diff(string(w), string(g)))
	return false
}

// TestCorpusSettings applies every settings/<id>/istio.yaml data.mesh over
// Default() and requires the MeshConfig Istio used (mesh-effective.yaml). It
// also checks that applying defaults again to mesh-effective.yaml is stable.
func TestCorpusSettings(t *testing.T) {
	all := istiocorpus.AllSettings(t)
	equal := 0
	for _, s := range all {
		ok := t.Run(s.ID, func(t *testing.T) {
			want := parseEffective(t, s.MeshEffective)

			got, err := Apply(s.Mesh, Default())
			if err != nil {
				t.Fatalf("Apply(data.mesh, Default()): %v", err)
			}
			requireEqual(t, "Apply(data.mesh, Default())", want, got)

			again, err := Apply(s.MeshEffective, Default())
			if err != nil {
				t.Fatalf("Apply(mesh-effective, Default()): %v", err)
			}
			requireEqual(t, "Apply(mesh-effective, Default())", want, again)

			fromEmpty, err := Apply(s.MeshEffective, &meshv1.MeshConfig{})
			if err != nil {
				t.Fatalf("Apply(mesh-effective, empty): %v", err)
			}
			requireEqual(t, "Apply(mesh-effective, empty)", want, fromEmpty)
		})
		if ok {
			equal++
		}
	}
	if len(all) == 0 {
		t.Fatalf("no settings directories in %s", istiocorpus.Dir(t))
	}
	t.Logf("%d/%d settings produce Istio's effective mesh config", equal, len(all))
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
	if !proto.Equal(Default().DefaultConfig, proxyconfig.Default()) {
		t.Error("Default().DefaultConfig differs from proxyconfig.Default()")
	}
}
