// Command kyamlnoop is a KRM function that changes nothing, written with kyaml's function
// framework alone: it reads the ResourceList into nodes and writes it back. Benchmarks
// compare meshfn's functions with it, as with a function written the common way.
package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
)

func main() {
	noop := framework.ResourceListProcessorFunc(func(*framework.ResourceList) error { return nil })
	if err := framework.Execute(noop, &kio.ByteReadWriter{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
