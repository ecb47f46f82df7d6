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
	os.Exit(krm.Main(nsrevision.Run, usage))
}

const usage = `set-namespace-revision: a KRM function that labels Namespaces for an Istio
control-plane revision: istio.io/rev=REV, and the legacy istio-injection label removed.

It reads a ResourceList on standard input and writes one on standard output.

Config: NamespaceRevision (fn.meshfn.dev/v1alpha1), or a ConfigMap with the same keys:
  revision (required), namespaces (names), selector (a label selector), controlPlaneNamespace
  (istio-system). System namespaces and the control-plane namespace change only when named.

Examples:
  kpt fn eval --exec set-namespace-revision . -- revision=asm-1-28 namespaces=bookinfo
  kpt fn eval --exec set-namespace-revision . -- revision=asm-1-28 'selector=mesh=on'

Documentation: functions/set-namespace-revision/README.md
`
