// Command validate-mesh is a KRM validator: it runs every one of Istio's configuration
// analyzers over a rendered package, offline, with each workload analysed as the pod the
// cluster would create, adds meshfn's fleet checks (MFN codes), and reports each finding as
// a result. It never changes the package.
package main

import (
	"os"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation"
	"github.com/meshfn/meshfn/internal/krm"
)

func main() {
	os.Exit(krm.MainStream(validation.Stream, usage))
}

const usage = `validate-mesh: a KRM validator that runs every one of Istio's configuration analyzers
(the IST0xxx messages of istioctl analyze, including those that need Pods, Services,
Namespaces and Secrets) over a package offline, each workload analysed as the pod the
cluster would create, plus meshfn's fleet checks (MFN0xxx): revisions nobody serves,
stale injection (naming both Istio releases), revisions on an Istio release older than
the supported ones meshfn knows (1.28 to 1.31), CA certificates that expire or do not
share a root. It never changes
the package; it fails when a finding at or above failOn remains.

It reads a ResourceList on standard input and writes one on standard output. It runs as
the image ghcr.io/meshfn/validate-mesh:v0.1.0 or as this executable (make build puts it
in bin/); both do the same.

Config (optional): MeshValidation (fn.meshfn.dev/v1alpha1), or a ConfigMap with the same keys:
  failOn         error (default), warning, info or never
  suppress       CODE=RESOURCE entries, comma-separated in a ConfigMap, e.g.
                 IST0102=Namespace default,IST0107=Deployment shop/* ('*' matches any text)
  istioNamespace where the mesh config ConfigMaps istio[-REV] are (istio-system)
  defaultNamespace
                 the namespace of namespaced resources that name none (default: the
                 package's SidecarInjection defaultNamespace; none without one)
  validAt        the time certificates must be valid at (default: the time of the run)
  expiryWarning  how long before expiry a certificate is a warning (720h)
Istio's annotation galley.istio.io/analyze-suppress on a resource suppresses codes too.

Examples:
  kpt fn eval --image ghcr.io/meshfn/validate-mesh:v0.1.0 .
  kpt fn eval --exec validate-mesh . -- failOn=warning suppress='IST0102=Namespace default'
  kpt fn render .              # with "validators: [{image: ghcr.io/meshfn/validate-mesh:v0.1.0}]" in the Kptfile
  kpt fn render --allow-exec . # with "validators: [{exec: validate-mesh}]" in the Kptfile

Exit codes: 0 passed, 1 failed (a finding at or above failOn, or a config error), 2 an
argument other than -h/--help (settings are the config).

Documentation: functions/validate-mesh/README.md
`
