package validation

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshfn/meshfn/internal/krm"
)

// TestStreamAsRun: read item by item (the executable's way), every golden case gives the
// output and results of Run, which reads the whole ResourceList first.
func TestStreamAsRun(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*", "input.yaml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, path := range inputs {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			input, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, wantResults, err := krm.Run(Run, input)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			results, err := krm.RunStreamTo(&got, Stream, input)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) || len(results) != len(wantResults) {
				t.Errorf("streamed output:\n%s\nRun's:\n%s", got.String(), want)
			}
		})
	}
}
