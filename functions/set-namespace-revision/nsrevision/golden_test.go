package nsrevision

import (
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
)

// TestGolden runs every case folder under testdata (see internal/krmtest).
func TestGolden(t *testing.T) {
	krmtest.RunGoldenDir(t, "testdata", Run)
}
