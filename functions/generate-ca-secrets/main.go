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
	os.Exit(krm.Main(casecrets.Run, usage))
}

const usage = `generate-ca-secrets: a KRM function that turns the CABundle resources of an
offline CA (written by hsm-tool bundle export) into the Secrets istiod reads, after checking
them as istiod does: Secret istio-ca-cert (flow hsm-plugin), or Secret cacerts and an
ExternalSecret that adds the CA key from the operator's store (flow plugged-in).

It reads a ResourceList on standard input and writes one on standard output. It runs as
the image ghcr.io/meshfn/generate-ca-secrets:v0.1.0 or as this executable (make build puts
it in bin/); both do the same.

Config: CASecrets (fn.meshfn.dev/v1alpha1), or a ConfigMap with the same keys:
  renewBefore (720h), bundles (default: every CABundle in the package),
  trustDomain (cluster.local: the mesh's SPIFFE trust domain workload certificates are judged in).

Examples:
  kpt fn eval --image ghcr.io/meshfn/generate-ca-secrets:v0.1.0 --fn-config casecrets.yaml .
  kpt fn eval --exec generate-ca-secrets --fn-config casecrets.yaml .
  kpt fn render .              # with "image: ghcr.io/meshfn/generate-ca-secrets:v0.1.0" in the Kptfile
  kpt fn render --allow-exec . # with "exec: generate-ca-secrets" in the Kptfile

Documentation: functions/generate-ca-secrets/README.md
`
