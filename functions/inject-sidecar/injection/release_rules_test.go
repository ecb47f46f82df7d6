package injection

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/inject/sidecar"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krmtest"
)

// releaseWorkload is a Deployment whose pod has the given labels and annotations (YAML
// lines), injected in mode always by the built-in injector of a release, or by
// injector ConfigMaps of that release's templates.
type releaseWorkload struct {
	labels, annotations string
	revisionValues      string // values of a RevisionInjector of the default revision (YAML, under spec.values)
	compliancePolicy    string
}

func (w releaseWorkload) input(spec string, extra ...string) []byte {
	var sb strings.Builder
	sb.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	fmt.Fprintf(&sb, `- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: shop
  spec:
    template:
      metadata:
        labels:
          app: web
%s        annotations:
          note: kept
%s      spec:
        containers:
        - name: web
          image: web:1
`, indent(w.labels, 10), indent(w.annotations, 10))
	if w.revisionValues != "" {
		fmt.Fprintf(&sb, `- apiVersion: meshfn.dev/v1alpha1
  kind: RevisionInjector
  metadata:
    name: default
    namespace: istio-system
    labels:
      istio.io/rev: default
    annotations:
      config.kubernetes.io/local-config: "true"
  spec:
    values:
%s`, indent(w.revisionValues, 6))
	}
	for _, e := range extra {
		sb.WriteString("- " + strings.ReplaceAll(strings.TrimRight(e, "\n"), "\n", "\n  ") + "\n")
	}
	sb.WriteString("functionConfig:\n  apiVersion: fn.meshfn.dev/v1alpha1\n  kind: SidecarInjection\n  metadata:\n    name: t\n" +
		"  spec:\n    mode: always\n" + indent(spec, 4))
	if w.compliancePolicy != "" {
		fmt.Fprintf(&sb, "    compliancePolicy: %s\n", w.compliancePolicy)
	}
	return []byte(sb.String())
}

// expect is what a release makes of a workload: an error containing err, or an injected
// Deployment holding every string of has and none of hasNot.
type expect struct {
	err         string
	has, hasNot []string
}

func (e expect) check(t *testing.T, what string, out []byte, ok bool) {
	t.Helper()
	if e.err != "" {
		if ok || !strings.Contains(string(out), e.err) {
			t.Errorf("%s: want an error containing %q, got (ok=%t):\n%s", what, e.err, ok, results(t, out))
		}
		return
	}
	if !ok {
		t.Fatalf("%s: the function failed:\n%s", what, results(t, out))
	}
	d := withoutRevertRecord(webIn(t, out, "shop"))
	for _, s := range e.has {
		if !strings.Contains(d, s) {
			t.Errorf("%s: the injected Deployment lacks %q:\n%s", what, s, d)
		}
	}
	for _, s := range e.hasNot {
		if strings.Contains(d, s) {
			t.Errorf("%s: the injected Deployment has %q:\n%s", what, s, d)
		}
	}
}

// withoutRevertRecord drops the line of the revert annotation, which holds what injection
// changed as it was: the checks are about what the pod is now.
func withoutRevertRecord(d string) string {
	var kept []string
	for _, line := range strings.Split(d, "\n") {
		if !strings.Contains(line, sidecar.RevertAnnotation+":") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// engineRuleCases are the engine rules and templates that differ between supported
// releases, each on a workload outside Istio's goldens, with what the releases on either
// side of the change make of it.
var engineRuleCases = []struct {
	name     string
	workload releaseWorkload
	releases map[string]expect
}{
	{
		name:     "an Istio-reserved Prometheus port is refused from 1.31",
		workload: releaseWorkload{annotations: "prometheus.io/scrape: \"true\"\nprometheus.io/port: \"15090\"\n"},
		releases: map[string]expect{
			"1.30.3": {has: []string{`ISTIO_PROMETHEUS_ANNOTATIONS`, `"port":"15090"`, `prometheus.io/port: "15020"`}},
			"1.31.0": {err: "invalid prometheus scrape configuration: port 15090 is reserved for Istio (Envoy Prometheus (already merged))"},
		},
	},
	{
		name:     "prometheus.istio.io/scrape-targets is read from 1.31",
		workload: releaseWorkload{annotations: "prometheus.istio.io/scrape-targets: \"8080,9100:/custom\"\n"},
		releases: map[string]expect{
			"1.30.3": {has: []string{`prometheus.istio.io/scrape-targets: "8080,9100:/custom"`}, hasNot: []string{`"targets":[`}},
			"1.31.0": {has: []string{`"targets":[{"port":"8080","path":"/metrics"},{"port":"9100","path":"/custom"}]`},
				hasNot: []string{`prometheus.istio.io/scrape-targets: `}},
		},
	},
	{
		name: "the secure metrics port becomes an annotation from 1.31",
		workload: releaseWorkload{annotations: "proxy.istio.io/config: |\n  proxyMetadata:\n" +
			"    ENVOY_SECURE_MERGED_METRICS_PORT: \"15091\"\n"},
		releases: map[string]expect{
			"1.30.3": {has: []string{`ENVOY_SECURE_MERGED_METRICS_PORT`}, hasNot: []string{`prometheus.istio.io/secure-port`}},
			"1.31.0": {has: []string{`prometheus.istio.io/secure-port: "15091"`}},
		},
	},
	{
		name:     "interface names are validated from 1.30",
		workload: releaseWorkload{annotations: "traffic.sidecar.istio.io/excludeInterfaces: \"eth0,,1x\"\n"},
		releases: map[string]expect{
			"1.28.10": {has: []string{`- eth0,,1x`}},
			"1.29.6":  {has: []string{`- -c`, `- eth0,,1x`}},
			"1.30.0":  {err: "invalid value 'eth0,,1x' for annotation 'traffic.sidecar.istio.io/excludeInterfaces': empty interface name"},
		},
	},
	{
		name:     "the canonical name is trimmed of -, _ and . at both ends from 1.31",
		workload: releaseWorkload{labels: "app.kubernetes.io/name: _shop.web--\n"},
		releases: map[string]expect{
			"1.30.3": {has: []string{`service.istio.io/canonical-name: _shop.web-`}},
			"1.31.0": {has: []string{`service.istio.io/canonical-name: shop.web`}},
		},
	},
	{
		name:     "resource annotations are validated from 1.28.4",
		workload: releaseWorkload{annotations: "sidecar.istio.io/proxyCPU: \"two\"\n"},
		releases: map[string]expect{
			"1.28.3": {err: "quantities must match the regular expression"},
			"1.28.4": {err: "invalid value 'two' for annotation 'sidecar.istio.io/proxyCPU'"},
		},
	},
	{
		name:     "istio-init has its own image from 1.31",
		workload: releaseWorkload{revisionValues: "global:\n  proxy:\n    image: proxyv2-custom\n"},
		releases: map[string]expect{
			"1.30.3": {has: []string{`image: docker.io/istio/proxyv2-custom:1.30.3`}, hasNot: []string{`proxyv2:1.30.3`}},
			"1.31.0": {has: []string{`image: docker.io/istio/proxyv2-custom:1.31.0`, `image: docker.io/istio/proxyv2:1.31.0`}},
		},
	},
	{
		name:     "FIPS 140-3 restricts Go's crypto from 1.31",
		workload: releaseWorkload{compliancePolicy: "fips-140-3"},
		releases: map[string]expect{
			"1.30.3": {has: []string{`COMPLIANCE_POLICY`}, hasNot: []string{`GODEBUG`}},
			"1.31.0": {has: []string{`fips140=only`}},
		},
	},
	{
		name:     "the proxy config reads statsCompression from 1.29",
		workload: releaseWorkload{annotations: "proxy.istio.io/config: '{\"statsCompression\": true, \"concurrency\": 2}'\n"},
		releases: map[string]expect{
			"1.28.10": {has: []string{`value: "{\"concurrency\":2}\n"`}, hasNot: []string{`\"statsCompression\"`}},
			"1.29.0":  {has: []string{`\"statsCompression\":true`}},
		},
	},
	{
		name:     "connection settings are read and validated from 1.31",
		workload: releaseWorkload{annotations: "proxy.istio.io/config: '{\"connectionSettings\": {\"httpMaxConcurrentStreams\": 0}}'\n"},
		releases: map[string]expect{
			"1.30.3": {has: []string{`name: PROXY_CONFIG`}, hasNot: []string{`\"connectionSettings\"`}},
			"1.31.0": {err: "invalid connection settings"},
		},
	},
	{
		name:     "the CRL ConfigMap is named by the values from 1.29",
		workload: releaseWorkload{revisionValues: "pilot:\n  crlConfigMapName: my-crl\n"},
		releases: map[string]expect{
			"1.28.10": {has: []string{`name: istio-ca-crl`}, hasNot: []string{`my-crl`}},
			"1.29.0":  {has: []string{`name: my-crl`}},
		},
	},
	{
		name: "env vars from resource limits set divisor 1 from 1.29",
		releases: map[string]expect{
			"1.28.10": {has: []string{`name: GOMAXPROCS`}, hasNot: []string{`divisor: "1"`}},
			"1.29.0":  {has: []string{`name: GOMAXPROCS`, `divisor: "1"`}},
		},
	},
}

// TestEngineRulesFollowTheRelease injects each case with the built-in injector of the
// releases on either side of a change (the release is the proxy tag), then with injector
// ConfigMaps holding that same release's templates whose chart labels name the release:
// the rules that are not in the templates still follow the release.
func TestEngineRulesFollowTheRelease(t *testing.T) {
	for _, c := range engineRuleCases {
		t.Run(c.name, func(t *testing.T) {
			for version, want := range c.releases {
				out, ok := krmtest.Run(t, Run, c.workload.input("tag: "+version+"\n"))
				want.check(t, "built-in "+version, out, ok)
				if c.workload.revisionValues != "" {
					continue // values of a RevisionInjector do not reach ConfigMaps
				}
				out, ok = krmtest.Run(t, Run, c.workload.input("", releaseConfigMaps(t, version)...))
				want.check(t, "ConfigMaps of "+version, out, ok)
			}
		})
	}
}

// releaseConfigMaps are the default revision's injector and mesh ConfigMaps with the
// built-in templates of a release, labelled as Istio's chart labels them.
func releaseConfigMaps(t *testing.T, version string) []string {
	t.Helper()
	v, ok := istio.VersionOfTag(version)
	if !ok {
		t.Fatalf("%s is not a release", version)
	}
	src := builtin.MustLookup(v).Sources(builtin.Options{})
	labels := fmt.Sprintf("  labels:\n    app.kubernetes.io/version: %s\n    helm.sh/chart: istiod-%s\n", version, version)
	meta := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: istio-system\n" + labels + "data:\n"
	injector := fmt.Sprintf(meta, "istio-sidecar-injector") + "  config: |\n" + indent(src.Config, 4) + "  values: |\n" + indent(src.Values, 4)
	mesh := fmt.Sprintf(meta, "istio") + "  mesh: \"\"\n"
	return []string{injector, mesh}
}

// TestTemplateFunctionsFollowTheRelease: a template in the package that calls omitNil
// parses from 1.29.1 (and 1.28.6) on; on 1.29.0, as on that istiod, it does not.
func TestTemplateFunctionsFollowTheRelease(t *testing.T) {
	for version, want := range map[string]string{"1.29.0": `function "omitNil" not defined`, "1.28.5": `function "omitNil" not defined`, "1.29.1": "", "1.28.6": ""} {
		cms := releaseConfigMaps(t, version)
		cms[0] = strings.Replace(cms[0], "    templates:\n", "    templates:\n      extra: |\n        {{ $_ := omitNil (dict) }}\n        metadata: {}\n", 1)
		out, ok := krmtest.Run(t, Run, releaseWorkload{}.input("", cms...))
		switch {
		case want == "" && !ok:
			t.Errorf("%s: the function failed:\n%s", version, results(t, out))
		case want != "" && (ok || !strings.Contains(string(out), want)):
			t.Errorf("%s: want an error containing %q, got (ok=%t):\n%s", version, want, ok, results(t, out))
		}
	}
}
