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
	os.Exit(krm.Main(controlplane.Run, usage))
}

const usage = `generate-revision: a KRM function that generates the cluster objects of an Istio
control-plane revision, as Istio's istio-discovery chart renders them: Service istiod-REV,
MutatingWebhookConfiguration istio-sidecar-injector-REV, ValidatingWebhookConfiguration
istio-validator-REV-NAMESPACE, and revision tags. Objects it generated before and no longer
generates are pruned.

It reads a ResourceList on standard input and writes one on standard output.

Config: ControlPlaneRevision (fn.meshfn.dev/v1alpha1), or a ConfigMap with the same keys:
  revision (required; "default" is the default revision), namespace (istio-system), tags,
  enableNamespacesByDefault, failurePolicy (Fail), reinvocationPolicy (Never), caBundle,
  injectionURL, injectionPath (/inject), validation (true), validationURL,
  validationFailurePolicy (Ignore).

Examples:
  kpt fn eval --exec generate-revision . -- revision=asm-1-27 tags=prod-stable
  kpt fn render --allow-exec .   # with "exec: generate-revision" in the Kptfile pipeline

Documentation: functions/generate-revision/README.md
`
