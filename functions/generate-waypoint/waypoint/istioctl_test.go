package waypoint

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/krmtest"
	sigsyaml "sigs.k8s.io/yaml"
)

// istioctlCases are the reference waypoints in testdata/istioctl: what
// `istioctl waypoint generate` printed for these flags (see testdata/istioctl/README.md),
// and the Waypoint spec that says the same.
var istioctlCases = []struct {
	file  string
	flags []string
	spec  Spec
}{
	{"namespace.yaml", []string{"--namespace", "shop"},
		Spec{Namespace: "shop"}},
	{"revision.yaml", []string{"--namespace", "shop", "--revision", "asm-1-29"},
		Spec{Namespace: "shop", Revision: "asm-1-29"}},
	{"revision-for-service.yaml", []string{"--namespace", "shop", "--revision", "asm-1-29", "--for", "service"},
		Spec{Namespace: "shop", Revision: "asm-1-29", For: ForService}},
	{"name-for-workload.yaml", []string{"--namespace", "shop", "--name", "cart-waypoint", "--for", "workload"},
		Spec{Namespace: "shop", Name: "cart-waypoint", For: ForWorkload}},
	{"tag-for-all.yaml", []string{"--namespace", "bookinfo", "--name", "reviews", "--revision", "prod-stable", "--for", "all"},
		Spec{Namespace: "bookinfo", Name: "reviews", Revision: "prod-stable", For: ForAll}},
	{"for-none.yaml", []string{"--namespace", "shop", "--for", "none"},
		Spec{Namespace: "shop", For: ForNone}},
}

// TestSameAsIstioctl runs the function for each reference's settings and compares the
// Gateway it generates, field by field, with what istioctl generated, once meshfn's own
// marks (the generated-by label, the generator-config annotation, the file annotations)
// are taken off.
func TestSameAsIstioctl(t *testing.T) {
	for _, c := range istioctlCases {
		t.Run(c.file, func(t *testing.T) {
			ref, err := os.ReadFile(filepath.Join("testdata", "istioctl", c.file))
			if err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := sigsyaml.Unmarshal(ref, &want); err != nil {
				t.Fatalf("reading the reference: %v", err)
			}
			got := withoutMarks(t, generated(t, c.spec))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("generated waypoint differs from istioctl's:\n%s", krmtest.Diff(toYAML(t, want), toYAML(t, got)))
			}
		})
	}
}

// generated runs the function with spec over an empty package and returns the one item
// it generates.
func generated(t *testing.T, spec Spec) *fn.KubeObject {
	t.Helper()
	cfg, err := sigsyaml.Marshal(map[string]any{"apiVersion": fnconfig.APIVersion, "kind": Kind,
		"metadata": map[string]any{"name": "reference"}, "spec": spec})
	if err != nil {
		t.Fatal(err)
	}
	in := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  " +
		strings.ReplaceAll(strings.TrimSpace(string(cfg)), "\n", "\n  ") + "\n"
	out, ok := krmtest.Run(t, Run, []byte(in))
	if !ok {
		t.Fatalf("the function failed:\n%s", out)
	}
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rl.Items) != 1 {
		t.Fatalf("the function generated %d objects, want 1:\n%s", len(rl.Items), out)
	}
	return rl.Items[0]
}

// withoutMarks is obj as a generic value without meshfn's labels and annotations, nor
// the file annotations of the orchestrator; a map they leave empty goes too.
func withoutMarks(t *testing.T, obj *fn.KubeObject) map[string]any {
	t.Helper()
	var v map[string]any
	if err := sigsyaml.Unmarshal([]byte(obj.String()), &v); err != nil {
		t.Fatal(err)
	}
	meta, _ := v["metadata"].(map[string]any)
	for _, field := range []string{"labels", "annotations"} {
		m, _ := meta[field].(map[string]any)
		for k := range m {
			if strings.HasPrefix(k, "meshfn.dev/") || strings.Contains(k, "config.kubernetes.io/") {
				delete(m, k)
			}
		}
		if len(m) == 0 {
			delete(meta, field)
		}
	}
	return v
}

// TestIstioctlReference checks the reference files against istioctl itself, when
// MESHFN_ISTIOCTL names an istioctl binary (testdata/istioctl/README.md says how to build
// the one they came from); UPDATE_GOLDEN=1 rewrites them from its output.
func TestIstioctlReference(t *testing.T) {
	istioctl := os.Getenv("MESHFN_ISTIOCTL")
	if istioctl == "" {
		t.Skip("MESHFN_ISTIOCTL is not set: the reference files are not checked against istioctl (see testdata/istioctl/README.md)")
	}
	for _, c := range istioctlCases {
		cmd := exec.Command(istioctl, append([]string{"waypoint", "generate"}, c.flags...)...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(t.TempDir(), "none"))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("istioctl waypoint generate %s: %v", strings.Join(c.flags, " "), err)
		}
		krmtest.CompareGolden(t, filepath.Join("testdata", "istioctl", c.file), out)
	}
}

func toYAML(t *testing.T, v any) string {
	t.Helper()
	b, err := sigsyaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
