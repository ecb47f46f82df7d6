// Command apply-setters is a KRM function that sets the fields a kpt package
// parameterizes with "# kpt-set: ${name}" comments, compatible with the kpt functions
// catalog's apply-setters v0.2. It runs as the image ghcr.io/meshfn/apply-setters or as
// this executable, for pipelines that run functions with exec.
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
apply-setters v0.2 does.

It reads a ResourceList on standard input and writes one on standard output. It runs as
the image ghcr.io/meshfn/apply-setters:v0.1.0 or as this executable (make build puts it in
bin/); both do the same.

Config: a v1 ConfigMap whose data holds the setter values, one key per setter; a list
setter's value is a YAML list in a string ("[a, b]"). A setter that no field's "kpt-set"
comment references is a warning, with the referenced setter it is a near miss of.

Examples:
  kpt fn eval --image ghcr.io/meshfn/apply-setters:v0.1.0 . -- revision=asm-1-30
  kpt fn eval --exec apply-setters . -- revision=asm-1-30
  kpt fn render .              # with "image: ghcr.io/meshfn/apply-setters:v0.1.0" and a configMap in the Kptfile
  kpt fn render --allow-exec . # with "exec: apply-setters" and a configMap in the Kptfile

Documentation: functions/apply-setters/README.md
`
