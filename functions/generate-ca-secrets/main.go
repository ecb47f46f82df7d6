// Command generate-ca-secrets is a KRM function that renders the CABundles of a package
// (the public half of an Istio CA, exported by hsm-tool) into the Secrets istiod reads its
// CA from: istio-ca-cert for the HSM plugin flow, or cacerts for Istio's plugged-in CA, with
// an ExternalSecret that merges the CA key in from a secret store at deploy time. Private
// keys never go into Git.
package main

import (
	"os"

	"github.com/meshfn/meshfn/functions/generate-ca-secrets/casecrets"
	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.Main(casecrets.Run))
}
