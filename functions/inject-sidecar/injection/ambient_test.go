package injection

import (
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/krmtest"
)

// The namespace labels set-namespace-revision writes for asm-1-29 in each mode.
const (
	sidecarLabels = "istio.io/rev: asm-1-29\n"
	ambientLabels = "istio.io/rev: asm-1-29\nistio-injection: disabled\nistio.io/dataplane-mode: ambient\n"
)

// oneRevision is a package with revision asm-1-29 and a namespace "shop" with labels whose
// workload "web" has the given extra pod labels.
func oneRevision(t *testing.T, nsLabels, podLabels string) []byte {
	t.Helper()
	m := &mesh{}
	m.generate(t, "revision: asm-1-29\nhub: docker.io/istio\ntag: 1.29.6\n")
	m.namespaceWithApp("shop", nsLabels)
	in := string(m.input(""))
	if podLabels != "" {
		in = strings.Replace(in, "app: web", "app: web\n"+indent(podLabels, 10), 1)
	}
	return []byte(in)
}

// resultsOnWeb returns the messages of the results on the Deployment, by severity.
func resultsOnWeb(t *testing.T, out []byte) map[fn.Severity][]string {
	t.Helper()
	got := map[fn.Severity][]string{}
	for _, r := range results(t, out) {
		if r.ResourceRef != nil && r.ResourceRef.Kind == "Deployment" {
			got[r.Severity] = append(got[r.Severity], r.Message)
		}
	}
	return got
}

// TestAmbientPodSelection follows Istio's pod selection rules for ambient and sidecar
// modes: a workload ambient mode captures is not injected; a sidecar takes precedence
// over ambient mode, silently when the pod asked for it, with a warning and a fix when the
// namespace's labels ask for both.
func TestAmbientPodSelection(t *testing.T) {
	tests := []struct {
		name          string
		nsLabels, pod string
		injected      bool
		info, warning string
	}{
		{name: "ambient namespace", nsLabels: ambientLabels, info: "skipped: ambient mode (namespace label istio.io/dataplane-mode=ambient); " +
			"no injection webhook selects it"},
		{name: "pod opts out of the ambient namespace", nsLabels: ambientLabels, pod: "istio.io/dataplane-mode: none",
			info: "skipped: kept out of ambient mode by its pod label istio.io/dataplane-mode=none; no injection webhook selects it"},
		{name: "pod in ambient mode in a plain namespace", nsLabels: "", pod: "istio.io/dataplane-mode: ambient",
			info: "skipped: ambient mode (pod label istio.io/dataplane-mode=ambient); no injection webhook selects it"},
		{name: "pod opts into a sidecar in an ambient namespace", nsLabels: "istio.io/dataplane-mode: ambient\n", pod: "istio.io/rev: asm-1-29",
			injected: true, info: "injected by revision asm-1-29 (sidecar mode: its pod label istio.io/rev=asm-1-29 asks for a sidecar, " +
				"which takes precedence over its namespace label istio.io/dataplane-mode=ambient)"},
		{name: "namespace asks for both", nsLabels: "istio.io/rev: asm-1-29\nistio.io/dataplane-mode: ambient\n", injected: true,
			warning: "runs with a sidecar, not in ambient mode: its namespace label istio.io/rev=asm-1-29 asks for a sidecar, which takes " +
				"precedence over its namespace label istio.io/dataplane-mode=ambient. To resolve it: for ambient mode, label the namespace " +
				"istio-injection=disabled (set-namespace-revision dataplaneMode: ambient does); for sidecars, remove its istio.io/dataplane-mode label"},
		{name: "pod asks for ambient in a sidecar namespace", nsLabels: sidecarLabels, pod: "istio.io/dataplane-mode: ambient", injected: true,
			warning: "runs with a sidecar, not in ambient mode: its namespace label istio.io/rev=asm-1-29 asks for a sidecar, which takes " +
				"precedence over its pod label istio.io/dataplane-mode=ambient. To resolve it: for ambient mode, label the pod template " +
				`sidecar.istio.io/inject: "false" too; for a sidecar, remove its istio.io/dataplane-mode label`},
		{name: "pod opts out of injection in an ambient namespace asking for both", nsLabels: "istio.io/rev: asm-1-29\nistio.io/dataplane-mode: ambient\n",
			pod:  `sidecar.istio.io/inject: "false"`,
			info: "skipped: ambient mode (namespace label istio.io/dataplane-mode=ambient); no injection webhook selects it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, oneRevision(t, tt.nsLabels, tt.pod))
			if injected := strings.Contains(webIn(t, out, "shop"), "istio-proxy"); injected != tt.injected {
				t.Errorf("injected = %v, want %v", injected, tt.injected)
			}
			got := resultsOnWeb(t, out)
			if tt.info != "" && !containsPrefix(got[fn.Info], tt.info) {
				t.Errorf("no info starting %q; got %q", tt.info, got[fn.Info])
			}
			if tt.warning == "" && len(got[fn.Warning]) > 0 {
				t.Errorf("unexpected warnings: %q", got[fn.Warning])
			}
			if tt.warning != "" && !containsPrefix(got[fn.Warning], tt.warning) {
				t.Errorf("no warning starting %q; got %q", tt.warning, got[fn.Warning])
			}
		})
	}
}

func containsPrefix(msgs []string, prefix string) bool {
	for _, m := range msgs {
		if strings.HasPrefix(m, prefix) {
			return true
		}
	}
	return false
}

// TestMovingANamespaceToAmbientAndBack: a namespace moved to ambient mode has its
// workloads uninjected to the bytes they had before injection, saying which rule decided;
// moved back, they are injected again to the same bytes as before.
func TestMovingANamespaceToAmbientAndBack(t *testing.T) {
	plain := oneRevision(t, sidecarLabels, "")
	injected := render(t, plain)
	if !strings.Contains(webIn(t, injected, "shop"), "istio-proxy") {
		t.Fatal("the namespace on sidecars was not injected")
	}
	inRL := func(labels string) string { return strings.TrimSpace(strings.ReplaceAll(labels, "\n", "\n      ")) }
	ambient := render(t, withNamespace(t, injected, "shop", inRL(sidecarLabels), inRL(ambientLabels)))
	if got, want := webIn(t, ambient, "shop"), webIn(t, plain, "shop"); got != want {
		t.Errorf("moving to ambient mode did not restore the workload:\n%s", krmtest.Diff(want, got))
	}
	if !containsPrefix(resultsOnWeb(t, ambient)[fn.Info], "no longer injected: ambient mode (namespace label istio.io/dataplane-mode=ambient); no injection webhook selects it") {
		t.Errorf("no result says ambient mode uninjected it: %q", resultsOnWeb(t, ambient))
	}
	back := render(t, withNamespace(t, ambient, "shop", inRL(ambientLabels), inRL(sidecarLabels)))
	if got, want := webIn(t, back, "shop"), webIn(t, injected, "shop"); got != want {
		t.Errorf("moving back to sidecars did not restore the injected workload:\n%s", krmtest.Diff(want, got))
	}
}
