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
	os.Exit(krm.Main(setters.Run, usage))
}

const usage = `apply-setters: a KRM function that applies kpt setters: fields commented
"# kpt-set: ${name}" take the values of the config's data, as the kpt functions catalog's
apply-setters v0.2 does, for pipelines that run functions as executables.

It reads a ResourceList on standard input and writes one on standard output.

Config: a ConfigMap whose data holds the setter values.

Examples:
  kpt fn eval --exec apply-setters . -- revision=asm-1-28
  kpt fn render --allow-exec .   # with "exec: apply-setters" and a configMap in the Kptfile

Documentation: functions/apply-setters/README.md
`
