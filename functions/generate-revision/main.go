// Command generate-revision is a KRM function that generates the cluster objects of an
// Istio control-plane revision: the istiod Service, the sidecar injector's and the
// validator's webhook configurations, and revision tags.
package main

import (
	"os"

	"github.com/meshfn/meshfn/functions/generate-revision/revision"
	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.Main(revision.Run, usage))
}

const usage = `generate-revision: a KRM function that generates the cluster objects of an Istio
control-plane revision, as Istio's istio-discovery chart renders them: Service istiod-REV,
MutatingWebhookConfiguration istio-sidecar-injector-REV, ValidatingWebhookConfiguration
istio-validator-REV-NAMESPACE, revision tags, and a RevisionInjector (local configuration)
that tells inject-sidecar and validate-mesh the proxy image and values the revision
injects. Objects it generated before and no longer generates are pruned.

It reads a ResourceList on standard input and writes one on standard output. It runs as
the image ghcr.io/meshfn/generate-revision:v0.1.0 or as this executable (make build puts
it in bin/); both do the same.

Config: ControlPlaneRevision (fn.meshfn.dev/v1alpha1), or a ConfigMap with the same keys:
  revision (required; "default" is the default revision), namespace (istio-system), tags,
  enableNamespacesByDefault (false), failurePolicy (Fail), reinvocationPolicy (Never),
  caBundle, injectionURL, injectionPath (/inject), validation (true; false with
  injectionURL), validationURL, validationFailurePolicy (Ignore; Fail with caBundle),
  hub and tag (the proxy image HUB/proxyv2:TAG; default: the injecting function's),
  istioVersion (the Istio release, 1.29 or 1.29.6, when the tag is not a version),
  values (Istio injector values the revision changes; YAML in a ConfigMap).

Examples:
  kpt fn eval --image ghcr.io/meshfn/generate-revision:v0.1.0 . -- revision=asm-1-29 tags=prod-stable
  kpt fn eval --exec generate-revision . -- revision=asm-1-30 tag=1.30.3
  kpt fn eval --exec generate-revision --fn-config control-plane-revision.yaml .
  kpt fn render .              # with "image: ghcr.io/meshfn/generate-revision:v0.1.0" in the Kptfile
  kpt fn render --allow-exec . # with "exec: generate-revision" in the Kptfile

Documentation: functions/generate-revision/README.md
`
