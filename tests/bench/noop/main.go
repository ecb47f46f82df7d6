// Command noop is a KRM function that changes nothing: it parses the ResourceList and writes
// it back, through the same runtime as meshfn's functions. Benchmarks measure the functions
// against it, the floor any function pays.
package main

import (
	"os"

	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.Main(func(*krm.ResourceList) error { return nil }, "noop: a KRM function that changes nothing (the benchmark floor).\n"))
}
