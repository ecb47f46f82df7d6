// Command validate-mesh is a KRM validator: it runs every one of Istio's configuration
// analyzers over a rendered package, offline, with each workload analysed as the pod the
// cluster would create, adds meshfn's fleet checks (MFN codes), and reports each finding as
// a result. It never changes the package.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func main() {
	if packageMode(os.Args[1:]) {
		os.Exit(checkPackage(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(krm.MainStream(validation.Stream, usage))
}

// packageMode reports whether the arguments ask for the package mode: --package (or
// -package, or either with "=DIR") among them, wherever it stands.
func packageMode(args []string) bool {
	for _, a := range args {
		if name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); strings.HasPrefix(a, "-") && name == "package" {
			return true
		}
	}
	return false
}

// checkPackage is the package mode: validate-mesh --package DIR [--config FILE] checks
// the package tree at DIR read from disk, without kpt.
func checkPackage(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("validate-mesh", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("package", "", "the kpt package to check (its subpackages included), as rendered")
	configFile := flags.String("config", "", "the function config (a MeshValidation or a ConfigMap); none: the defaults")
	resultsFile := flags.String("results", "", "also write the results there as kpt writes its results file (- for standard output; then the findings go to standard error)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *dir == "" || flags.NArg() > 0 {
		fmt.Fprintf(stderr, "usage: validate-mesh --package DIR [--config FILE] (see validate-mesh --help)\n")
		return 2
	}
	var config *yaml.RNode
	if *configFile != "" {
		var err error
		if config, err = krm.ReadConfigFile(*configFile); err != nil {
			fmt.Fprintf(stderr, "validate-mesh: %v\n", err)
			return 1
		}
	}
	results, err := krm.CheckPackage(validation.Stream, *dir, config)
	if err != nil {
		fmt.Fprintf(stderr, "validate-mesh: %v\n", err)
		return 1
	}
	findings := stdout
	if *resultsFile == "-" {
		findings = stderr
	}
	code := krm.PrintResults(findings, "validate-mesh", results)
	if *resultsFile != "" {
		if err := writeResults(*resultsFile, stdout, code, results); err != nil {
			fmt.Fprintf(stderr, "validate-mesh: %v\n", err)
			return 1
		}
	}
	return code
}

// writeResults writes the results file to name ("-": w).
func writeResults(name string, w io.Writer, code int, results fn.Results) error {
	if name == "-" {
		return krm.WriteResultsFile(w, "validate-mesh --package", code, results)
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	if err := krm.WriteResultsFile(f, "validate-mesh --package", code, results); err != nil {
		f.Close()
		return err
	}
	return f.Close()
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

Package mode, without kpt (for a large repository: kpt holds every resource in memory,
several times over while a validator runs; this reads one file at a time):
  validate-mesh --package DIR [--config FILE] [--results FILE]
checks the kpt package at DIR and its subpackages as rendered, reading the files kpt
would (Kptfiles, *.yaml, *.yml, *.json; .krmignore honoured), with the config in FILE (as
a Kptfile's configPath names it), and prints each finding with its file; --results also
writes them as kpt's results file does (- for standard output, the findings then on
standard error). Run it after kpt fn render: blueprints/fleet's scripts/ci-check.sh does.

Exit codes: 0 passed, 1 failed (a finding at or above failOn, or a config error), 2 an
argument other than -h/--help (settings are the config).

Documentation: functions/validate-mesh/README.md
`
