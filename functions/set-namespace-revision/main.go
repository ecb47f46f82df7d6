// Command set-namespace-revision is a KRM function that points the Namespaces of a package
// at an Istio control-plane revision: it sets the istio.io/rev label and removes the legacy
// istio-injection label, the declarative form of
//
//	kubectl label namespace NS istio-injection- istio.io/rev=REV --overwrite
//
// Run it with kpt (exec or image) or as a kustomize KRM exec transformer.
package main

import (
	"os"

	"github.com/meshfn/meshfn/functions/set-namespace-revision/nsrevision"
	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.Main(nsrevision.Run))
}
