package annotations

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// corpusDir locates Istio's injection golden corpus: $MESHFN_ISTIO_CORPUS, or
// the shared checkout next to the repository.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MESHFN_ISTIO_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "istio-inject-corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "cases")); err != nil {
		t.Skipf("Istio injection corpus not found at %s (set MESHFN_ISTIO_CORPUS): %v", dir, err)
	}
	return dir
}

func readYAMLFile(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// fullErrorFromNotes extracts the complete upstream message recorded in a
// case's notes ("...; full error: \"failed to run injection template: <msg>\"").
func fullErrorFromNotes(t *testing.T, notes string) string {
	t.Helper()
	const marker = "full error: "
	i := strings.Index(notes, marker)
	if i < 0 {
		return ""
	}
	var msg string
	if err := yaml.Unmarshal([]byte(notes[i+len(marker):]), &msg); err != nil {
		t.Fatalf("notes: %v", err)
	}
	return strings.TrimPrefix(msg, "failed to run injection template: ")
}

// TestCorpusBadTrafficAnnotations runs Validate over the pod template
// annotations of the corpus cases Istio rejects for a bad traffic
// annotation, and checks the expected (lower-cased) substring as well as the
// full message recorded in the case notes.
func TestCorpusBadTrafficAnnotations(t *testing.T) {
	root := corpusDir(t)
	dirs, err := filepath.Glob(filepath.Join(root, "cases", "traffic-annotations-bad-*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		t.Skipf("no traffic-annotations-bad-* cases under %s", root)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var c struct {
				ExpectedError string `json:"expectedError"`
				Notes         string `json:"notes"`
			}
			readYAMLFile(t, filepath.Join(dir, "case.yaml"), &c)
			if c.ExpectedError == "" {
				t.Fatal("case has no expectedError")
			}
			var deployment struct {
				Spec struct {
					Template struct {
						Metadata struct {
							Annotations map[string]string `json:"annotations"`
						} `json:"metadata"`
					} `json:"template"`
				} `json:"spec"`
			}
			readYAMLFile(t, filepath.Join(dir, "input.yaml"), &deployment)
			err := Validate(deployment.Spec.Template.Metadata.Annotations)
			if err == nil {
				t.Fatalf("Validate accepted %v", deployment.Spec.Template.Metadata.Annotations)
			}
			if !strings.Contains(strings.ToLower(err.Error()), c.ExpectedError) {
				t.Errorf("error %q does not contain %q", err, c.ExpectedError)
			}
			if full := fullErrorFromNotes(t, c.Notes); full != "" && err.Error() != full {
				t.Errorf("message differs from upstream:\n got  %q\n want %q", err.Error(), full)
			}
		})
	}
}
