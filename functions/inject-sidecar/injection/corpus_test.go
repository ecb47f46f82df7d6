package injection

import (
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/inject/sidecar"
	"github.com/meshfn/meshfn/internal/istiocorpus"
	"github.com/meshfn/meshfn/internal/krmtest"
)

// TestIstioCorpus runs every case of Istio's injection corpus through the function and
// compares the output with Istio's by the corpus's rule; then runs the output through the
// function again, which must change nothing.
func TestIstioCorpus(t *testing.T) {
	cases := istiocorpus.Cases(t)
	var failed []string
	for _, c := range cases {
		if !t.Run(c.Name, func(t *testing.T) { runCorpusCase(t, c) }) {
			failed = append(failed, c.Name)
		}
	}
	t.Logf("corpus: %d cases, %d failed: %v", len(cases), len(failed), failed)
}

func runCorpusCase(t *testing.T, c istiocorpus.Case) {
	settings := istiocorpus.ReadSettings(t, c.Settings).ConfigMaps(t)
	out, ok := krmtest.Run(t, Run, istiocorpus.FunctionInput(t, c, settings))
	if !checkCorpusOutput(t, c, out, ok, nil) {
		return
	}
	again, ok := krmtest.Run(t, Run, out)
	if !ok {
		t.Fatalf("second run failed:\n%s", istiocorpus.Results(again))
	}
	if a, b := istiocorpus.ItemsYAML(t, out), istiocorpus.ItemsYAML(t, again); a != b {
		t.Errorf("second run changed the output:\n%s", krmtest.Diff(a, b))
	}
}

// checkCorpusOutput checks the function's output for a case: the expected error, or the
// expected output (changed by fix, when not nil) under the corpus's rule. It reports
// whether the case injected.
func checkCorpusOutput(t *testing.T, c istiocorpus.Case, out []byte, ok bool, fix func(any) any) bool {
	t.Helper()
	if c.ExpectedError != "" {
		if ok {
			t.Fatalf("expected an error containing %q, the function succeeded", c.ExpectedError)
		}
		if !strings.Contains(strings.ToLower(string(out)), c.ExpectedError) {
			t.Fatalf("error does not contain %q:\n%s", c.ExpectedError, istiocorpus.Results(out))
		}
		return false
	}
	if !ok {
		t.Fatalf("function failed:\n%s", istiocorpus.Results(out))
	}
	for _, d := range istiocorpus.CompareOutputWith(t, c, istiocorpus.Items(t, out), fix, "meshfn", sidecar.RevertAnnotation) {
		t.Error(d)
	}
	return true
}
