// Command inject-sidecar is a KRM function that injects the Istio sidecar into the
// workloads of a package at render time, as the cluster's injector would at admission.
package main

import (
	"os"

	"github.com/meshfn/meshfn/functions/inject-sidecar/injection"
	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.Main(injection.Run, usage))
}

const usage = `inject-sidecar: a KRM function that injects the Istio sidecar into the workloads of
a package at render time, deciding per workload as the cluster's injector would (namespace and
pod labels, the revisions' webhooks, the injector's policy), with the revision's injector
ConfigMaps from the package or the built-in injector. Re-rendering changes nothing; a changed
revision re-injects; action=uninject restores the workloads.

It reads a ResourceList on standard input and writes one on standard output. It runs as
the image ghcr.io/meshfn/inject-sidecar:v0.1.0 or as this executable (make build puts it in
bin/); both do the same.

Config: SidecarInjection (fn.meshfn.dev/v1alpha1), or a ConfigMap with the same keys:
  mode (webhook | always), action (inject | uninject), revision (the revision whose
  webhooks are assumed when the package has none; the injecting one in mode always),
  namespaces ([{name, labels, annotations}], YAML in a ConfigMap), defaultNamespace
  (default), nativeSidecars (auto | true | false), kubernetesVersion, hub (docker.io/istio),
  tag (1.31.0), compliancePolicy, cluster, network, platform (openshift).

Examples:
  kpt fn eval --image ghcr.io/meshfn/inject-sidecar:v0.1.0 . -- revision=asm-1-27 kubernetesVersion=1.33
  kpt fn eval --exec inject-sidecar . -- mode=always revision=asm-1-27
  kpt fn eval --exec inject-sidecar . -- action=uninject
  kpt fn render --allow-exec .   # with "exec: inject-sidecar" in the Kptfile instead of its image

Documentation: functions/inject-sidecar/README.md
`
