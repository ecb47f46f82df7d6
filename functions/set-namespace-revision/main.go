// Command set-namespace-revision is a KRM function that points the Namespaces of a package
// at an Istio control-plane revision: it sets the istio.io/rev label and removes the legacy
// istio-injection label, the declarative form of
//
//	kubectl label namespace NS istio-injection- istio.io/rev=REV --overwrite
//
// or, in the ambient data-plane mode, sets istio.io/dataplane-mode=ambient and
// istio-injection=disabled beside istio.io/rev.
//
// It runs as the image ghcr.io/meshfn/set-namespace-revision or as this executable, with
// kpt or as a kustomize KRM transformer.
package main

import (
	"os"

	"github.com/meshfn/meshfn/functions/set-namespace-revision/nsrevision"
	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.Main(nsrevision.Run, usage))
}

const usage = `set-namespace-revision: a KRM function that labels Namespaces for an Istio
control-plane revision and data-plane mode. Every mode sets istio.io/rev=REV; then
  sidecar (default)  istio-injection and istio.io/dataplane-mode removed
  ambient            istio-injection=disabled, istio.io/dataplane-mode=ambient
  none               istio-injection=disabled, istio.io/dataplane-mode=none
Moving a namespace to another mode and back restores its labels exactly.

It reads a ResourceList on standard input and writes one on standard output. It runs as
the image ghcr.io/meshfn/set-namespace-revision:v0.1.0 or as this executable (make build
puts it in bin/); both do the same.

Config: NamespaceRevision (fn.meshfn.dev/v1alpha1), or a ConfigMap with the same keys:
  revision (required), namespaces (names, comma-separated in a ConfigMap), selector (a
  label selector; a string such as 'env=prod' in a ConfigMap), controlPlaneNamespace
  (istio-system), dataplaneMode (sidecar, ambient or none; default sidecar). System
  namespaces and the control-plane namespace change only when named.

Examples:
  kpt fn eval --image ghcr.io/meshfn/set-namespace-revision:v0.1.0 . -- revision=asm-1-30 namespaces=bookinfo
  kpt fn eval --exec set-namespace-revision . -- revision=asm-1-30 'selector=mesh=on'
  kpt fn eval --exec set-namespace-revision . -- revision=asm-1-30 namespaces=shop dataplaneMode=ambient
  kpt fn render .              # with "image: ghcr.io/meshfn/set-namespace-revision:v0.1.0" in the Kptfile
  kpt fn render --allow-exec . # with "exec: set-namespace-revision" in the Kptfile

Documentation: functions/set-namespace-revision/README.md
`
