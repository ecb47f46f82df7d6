package waypoint

import (
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
)

// TestGolden runs every case folder under testdata/golden (see internal/krmtest).
func TestGolden(t *testing.T) {
	krmtest.RunGoldenDir(t, "testdata/golden", Run)
}
