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
a package at render time, deciding per workload as the cluster's injector would: which
revision's webhook selects the pod (namespace and pod labels), then that revision's policy.
It reads every control plane of the package at once (webhook configurations, the
RevisionInjectors generate-revision writes, injector ConfigMaps), so each workload gets its
own revision's proxy image and values; a namespace on a revision nobody serves is not
injected, with a warning. Pods in ambient mode (istio.io/dataplane-mode=ambient on the pod
or its namespace) follow Istio's pod selection rules: not injected (uninjected if they
were) unless an injector selects them, in which case the sidecar takes precedence.
Run it at the root of the repository, over every subpackage.
Re-rendering changes nothing; a changed revision re-injects; action=uninject restores the
workloads.

It reads a ResourceList on standard input and writes one on standard output. It runs as
the image ghcr.io/meshfn/inject-sidecar:v0.1.0 or as this executable (make build puts it in
bin/); both do the same.

Config: SidecarInjection (fn.meshfn.dev/v1alpha1), or a ConfigMap with the same keys:
  mode (webhook | always), action (inject | uninject), revision (the revision assumed when
  the package holds no control plane; the injecting one in mode always), namespaces
  ([{name, labels, annotations}], YAML in a ConfigMap), defaultNamespace (default),
  nativeSidecars (auto | true | false), kubernetesVersion, hub (docker.io/istio) and tag
  (the release's version) for revisions that declare no proxy image, istioVersion (1.29 or
  1.29.6; default 1.30.3) for revisions that name no Istio release, compliancePolicy,
  cluster, network, platform (openshift).

Istio releases: each revision injects as its own release (templates, values and engine
rules of that release's istiod): its proxy tag when that is a version, else its
istioVersion, else what its injector ConfigMaps say (chart labels), else this config's tag
or istioVersion. Built in: 1.28, 1.29, 1.30 and 1.31 (from 1.31.0-rc.0). Another release is
an error unless the package holds its injector ConfigMaps (istio-sidecar-injector-REV and
istio-REV), whose templates are then used.

Examples:
  kpt fn eval --image ghcr.io/meshfn/inject-sidecar:v0.1.0 . -- kubernetesVersion=1.33
  kpt fn eval --exec inject-sidecar . -- revision=asm-1-29   # an app package alone
  kpt fn eval --exec inject-sidecar . -- mode=always revision=asm-1-29
  kpt fn eval --exec inject-sidecar . -- mode=always tag=1.29.6   # as Istio 1.29.6 injects
  kpt fn eval --exec inject-sidecar . -- action=uninject
  kpt fn render --allow-exec .   # with "exec: inject-sidecar" in the Kptfile instead of its image

Documentation: functions/inject-sidecar/README.md
`
