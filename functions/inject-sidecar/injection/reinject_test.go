package injection

import (
	"os"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/controlplane"
	"github.com/meshfn/meshfn/internal/istiocorpus"
	"github.com/meshfn/meshfn/internal/krmtest"
)

// render runs the function and returns the output, failing on an error.
func render(t *testing.T, input []byte) []byte {
	t.Helper()
	out, ok := krmtest.Run(t, Run, input)
	if !ok {
		t.Fatalf("function failed:\n%s", istiocorpus.Results(out))
	}
	return out
}

// deployment returns the YAML of Deployment shop/web in a ResourceList.
func deployment(t *testing.T, rl []byte) string {
	t.Helper()
	parsed, err := fn.ParseResourceList(rl)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range parsed.Items {
		if it.GetKind() == "Deployment" && it.GetName() == "web" {
			return it.String()
		}
	}
	t.Fatal("no Deployment shop/web")
	return ""
}

// withNamespaceLabels replaces the labels of Namespace shop in a ResourceList.
func withNamespaceLabels(t *testing.T, rl []byte, from, to string) []byte {
	t.Helper()
	s := string(rl)
	at := strings.Index(s, "kind: Namespace")
	if at < 0 || !strings.Contains(s[at:], from) {
		t.Fatalf("the Namespace does not carry %q", from)
	}
	return []byte(s[:at] + strings.Replace(s[at:], from, to, 1))
}

func TestRevisionChangeReinjects(t *testing.T) {
	hooks := append(revisionWebhooks(t, controlplane.Spec{Revision: strp("default")}),
		revisionWebhooks(t, controlplane.Spec{Revision: strp("canary")})...)
	original := packageWith(t, hooks, namespace("istio-injection: enabled"), "", "", "", "")
	first := render(t, original)
	moved := render(t, withNamespaceLabels(t, first, "istio-injection: enabled", "istio.io/rev: canary"))
	d := deployment(t, moved)
	for _, want := range []string{"proxyv2:1.29.6", "istiod-canary.istio-system.svc:15012", `\"revision\":\"canary\"`} {
		if !strings.Contains(d, want) && !strings.Contains(d, strings.ReplaceAll(want, `\"`, `"`)) {
			t.Errorf("re-injected Deployment lacks %s:\n%s", want, d)
		}
	}
	if n := strings.Count(d, "name: istio-proxy"); n != 1 {
		t.Errorf("%d istio-proxy containers after re-injection:\n%s", n, d)
	}
	for _, gone := range []string{"proxyv2:1.30.3", "example.com/injected-by", "security.istio.io/tlsMode", "istio-envoy"} {
		if strings.Contains(d, gone) {
			t.Errorf("re-injection kept %q from the default revision's injection:\n%s", gone, d)
		}
	}
	// Moving back restores the first render exactly.
	back := render(t, withNamespaceLabels(t, moved, "istio.io/rev: canary", "istio-injection: enabled"))
	if got, want := deployment(t, back), deployment(t, first); got != want {
		t.Errorf("moving back to the default revision differs from the first injection:\n%s", krmtest.Diff(want, got))
	}
}

func TestOptOutRemovesInjection(t *testing.T) {
	hooks := revisionWebhooks(t, controlplane.Spec{Revision: strp("default")})
	original := packageWith(t, hooks, namespace("istio-injection: enabled"), "", "", "", "")
	first := render(t, original)
	removed := render(t, withNamespaceLabels(t, first, "istio-injection: enabled", "istio-injection: disabled"))
	if got, want := deployment(t, removed), deployment(t, original); got != want {
		t.Errorf("after opting the namespace out, the Deployment is not as written:\n%s", krmtest.Diff(want, got))
	}
}

func TestUninject(t *testing.T) {
	hooks := revisionWebhooks(t, controlplane.Spec{Revision: strp("default")})
	original := packageWith(t, hooks, namespace("istio-injection: enabled"),
		"", "prometheus.io/port: \"9090\"\nprometheus.io/scrape: \"true\"", "", "")
	// Probes are rewritten by injection and must come back too.
	const container = "\n          image: web:1\n"
	if !strings.Contains(string(original), container) {
		t.Fatal("test package layout changed")
	}
	original = []byte(strings.Replace(string(original), container,
		container+"          readinessProbe:\n            httpGet:\n              path: /ready\n              port: 8080\n", 1))
	first := render(t, original)
	if !strings.Contains(deployment(t, first), "/app-health/web/readyz") {
		t.Fatalf("the readiness probe was not rewritten:\n%s", deployment(t, first))
	}
	uninjected := render(t, []byte(strings.Replace(string(first), "    mode: webhook", "    action: uninject", 1)))
	if got, want := deployment(t, uninjected), deployment(t, original); got != want {
		t.Errorf("uninject did not restore the Deployment:\n%s", krmtest.Diff(want, got))
	}
}

func TestWrittenBackToFiles(t *testing.T) {
	in, err := os.ReadFile("testdata/golden/comments-order-unknown-fields/input.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := render(t, in)
	d := deployment(t, out)
	for _, kept := range []string{"name: web # the web tier", "replicas: 2 # scaled by HPA", "# the app container",
		"- image: web:1 # pinned", "futureField: kept", `enabled: "yes"`, `version: "1.10"`} {
		if !strings.Contains(d, kept) {
			t.Errorf("injection lost %q:\n%s", kept, d)
		}
	}
}

// TestUninjectWithoutRecord: a workload injected by something else (it has Istio's status
// annotation but no revert patch) is left alone with a warning, not mangled.
func TestUninjectWithoutRecord(t *testing.T) {
	hooks := revisionWebhooks(t, controlplane.Spec{Revision: strp("default")})
	in := packageWith(t, hooks, namespace("istio-injection: enabled"), "",
		"sidecar.istio.io/status: '{\"containers\":[\"istio-proxy\"]}'", "", "action: uninject")
	out := render(t, in)
	if got, want := deployment(t, out), deployment(t, in); got != want {
		t.Errorf("the workload changed:\n%s", krmtest.Diff(want, got))
	}
	if !strings.Contains(string(out), "cannot be restored exactly") {
		t.Errorf("no warning about the missing revert patch:\n%s", out)
	}
}

// TestAssumedInstallsReportedOnlyWhenInjecting: without webhooks in the package, injecting
// says which Istio installs it assumed; uninjecting assumes nothing and says nothing of it.
func TestAssumedInstallsReportedOnlyWhenInjecting(t *testing.T) {
	const assumed = "the webhooks Istio installs"
	original := packageWith(t, nil, namespace("istio-injection: enabled"), "", "", "", "")
	injected := render(t, original)
	if !strings.Contains(string(injected), assumed) {
		t.Fatalf("injecting without webhooks does not report the assumed installs:\n%s", istiocorpus.Results(injected))
	}
	withoutResults, _, _ := strings.Cut(string(injected), "\nresults:\n") // the first run's, carried over
	uninjected := render(t, []byte(strings.Replace(withoutResults+"\n", "    mode: webhook", "    action: uninject", 1)))
	if strings.Contains(string(uninjected), assumed) {
		t.Errorf("uninject reports assumed installs:\n%s", istiocorpus.Results(uninjected))
	}
	if got, want := deployment(t, uninjected), deployment(t, original); got != want {
		t.Errorf("uninject did not restore the Deployment:\n%s", krmtest.Diff(want, got))
	}
}
