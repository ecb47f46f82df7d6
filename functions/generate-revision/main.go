// Command generate-revision is a KRM function that generates the cluster objects of an
// Istio control-plane revision: the istiod Service, the sidecar injector's and the
// validator's webhook configurations, and revision tags.
package main

import (
	"os"

	"github.com/meshfn/meshfn/internal/controlplane"
	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.Main(controlplane.Run))
}
