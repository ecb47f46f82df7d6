package injection

import (
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
)

func TestGolden(t *testing.T) {
	krmtest.RunGoldenDir(t, "testdata/golden", Run)
}
