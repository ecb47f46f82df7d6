// Command generate-waypoint is a KRM function that generates an Istio ambient-mode
// waypoint (a Gateway API Gateway of class istio-waypoint, as `istioctl waypoint generate`
// writes it) and labels the Namespace or the Services that use it istio.io/use-waypoint.
// It runs as the image ghcr.io/meshfn/generate-waypoint or as this executable, with kpt or
// as a kustomize KRM transformer.
package main

import (
	"os"

	"github.com/meshfn/meshfn/functions/generate-waypoint/waypoint"
	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.Main(waypoint.Run, usage))
}

const usage = `generate-waypoint: a KRM function that generates an Istio ambient-mode waypoint as
istioctl waypoint generate writes it (Gateway API Gateway, class istio-waypoint, one HBONE
listener on port 15008, labels istio.io/rev and istio.io/waypoint-for when set), into
generated/gateway_NAME.yaml, and labels the Namespace or Services that use it
istio.io/use-waypoint=NAME. A waypoint it generated before and no longer generates is
pruned, with the labels that pointed at it.

It reads a ResourceList on standard input and writes one on standard output. It runs as
the image ghcr.io/meshfn/generate-waypoint:v0.1.0 or as this executable (make build puts
it in bin/); both do the same.

Config: Waypoint (fn.meshfn.dev/v1alpha1), or a ConfigMap with the same keys:
  namespace (required), name (waypoint), revision (the istio.io/rev label; none when left
  out), for (service, workload, all or none: the istio.io/waypoint-for label; none when
  left out, which Istio reads as service), enrollNamespace (false), enrollServices
  (Service names, comma-separated in a ConfigMap).

Examples:
  kpt fn eval --image ghcr.io/meshfn/generate-waypoint:v0.1.0 . -- namespace=shop revision=asm-1-29 enrollNamespace=true
  kpt fn eval --exec generate-waypoint . -- namespace=shop name=cart-waypoint enrollServices=cart
  kpt fn render .              # with "image: ghcr.io/meshfn/generate-waypoint:v0.1.0" in the Kptfile
  kpt fn render --allow-exec . # with "exec: generate-waypoint" in the Kptfile

Documentation: functions/generate-waypoint/README.md
`
