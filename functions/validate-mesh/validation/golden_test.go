package validation

import (
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
)

// TestGolden runs every case under testdata: input.yaml is a ResourceList, expected.yaml
// the whole output (the items unchanged, the results). Cases named error-* must fail.
func TestGolden(t *testing.T) {
	krmtest.RunGoldenDir(t, "testdata", Run)
}
