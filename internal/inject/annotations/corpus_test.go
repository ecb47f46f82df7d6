package annotations

import (
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/istiocorpus"
	"github.com/meshfn/meshfn/internal/missing"
	"sigs.k8s.io/yaml"
)

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
	var cases []istiocorpus.Case
	for _, c := range istiocorpus.Cases(t) {
		if strings.HasPrefix(c.Name, "traffic-annotations-bad-") {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		missing.Corpus(t, "no traffic-annotations-bad-* cases under %s", istiocorpus.Dir(t))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
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
			istiocorpus.ReadYAML(t, c.InputPath(), &deployment)
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
