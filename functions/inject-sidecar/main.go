// Command inject-sidecar is a KRM function that injects the Istio sidecar into the
// workloads of a package at render time, as the cluster's injector would at admission.
package main

import (
	"os"

	"github.com/meshfn/meshfn/functions/inject-sidecar/injection"
	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.Main(injection.Run))
}
