// Command apply-setters is an executable KRM function that sets the fields a kpt package
// parameterizes with "# kpt-set: ${name}" comments, compatible with the kpt functions
// catalog's apply-setters v0.2, for pipelines that run functions as executables.
package main

import (
	"os"

	"github.com/meshfn/meshfn/functions/apply-setters/setters"
	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.Main(setters.Run))
}
