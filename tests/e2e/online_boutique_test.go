package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
)

// onlineBoutique builds a mesh repository as a user would for Google's Online Boutique
// (tests/testdata/online-boutique: its kustomize base with the service-mesh-istio
// component, built with standalone kustomize): blueprints/fleet at the root, a
// control-plane revision, and the application in a namespace package on that revision.
func onlineBoutique(t *testing.T) string {
	t.Helper()
	return onlineBoutiqueIn(t, "")
}

// onlineBoutiqueIn is onlineBoutique with the application in namespace ns, set by
// kustomize's namespace field as a user would; "" leaves it in "default", as its docs do.
func onlineBoutiqueIn(t *testing.T, ns string) string {
	t.Helper()
	kptPath(t)
	root := repoRoot(t)
	built, ok := runEnv(t, filepath.Join(root, "tests", "testdata", "online-boutique", "kustomize", "meshfn"), nil, kustomizePath(t), "build", ".")
	if !ok {
		t.Fatalf("kustomize build of Online Boutique: %s", built)
	}
	if ns != "" {
		overlay := t.TempDir()
		writeFile(t, overlay, "boutique.yaml", built)
		writeFile(t, overlay, "kustomization.yaml", "namespace: "+ns+"\nresources:\n- boutique.yaml\n")
		if built, ok = runEnv(t, overlay, nil, kustomizePath(t), "build", "."); !ok {
			t.Fatalf("kustomize build of Online Boutique in namespace %s: %s", ns, built)
		}
	} else {
		ns = "default"
	}
	mesh := filepath.Join(t.TempDir(), "mesh")
	copyTree(t, filepath.Join(root, "blueprints", "fleet"), mesh)
	addKptfileValidator(t, mesh) // a small repository: the render validates
	copyTree(t, filepath.Join(root, "blueprints", "control-plane-revision"), filepath.Join(mesh, "control-plane"))
	app := filepath.Join(mesh, "boutique")
	copyTree(t, filepath.Join(root, "blueprints", "mesh-namespace"), app)
	if err := os.Remove(filepath.Join(app, "details.yaml")); err != nil {
		t.Fatal(err)
	}
	edit(t, filepath.Join(app, "Kptfile"), "namespace: bookinfo", "namespace: "+ns)
	writeFile(t, app, "boutique.yaml", built)
	return mesh
}

var validatorSummary = regexp.MustCompile(`validate-mesh: \d+ errors?, \d+ warnings?, \d+ infos? \(\d+ suppressed\)[^\n]*`)

// TestOnlineBoutique: a real application no one here wrote, rendered with meshfn, validates
// with no finding at all; then defects are added and found, with no file changed.
func TestOnlineBoutique(t *testing.T) {
	mesh := onlineBoutique(t)
	out := render(t, mesh)
	summary := validatorSummary.FindString(out)
	t.Logf("validate-mesh on Online Boutique: %s", summary)
	if !strings.HasPrefix(summary, "validate-mesh: 0 errors, 0 warnings, 0 infos (0 suppressed) in 43 resources and 12 workloads analysed as pods: passed") {
		t.Errorf("Online Boutique does not validate clean:\n%s", out)
	}
	for _, f := range []string{"frontend", "cartservice", "redis-cart"} {
		if !strings.Contains(out, "apps/v1/Deployment/"+f+": injected by revision asm-1-29") {
			t.Errorf("%s was not injected:\n%s", f, out)
		}
	}

	// Defects: a VirtualService to a misspelled host, a DestinationRule subset that selects
	// no pod, a Sidecar selecting pods no workload has; and, fine, a Sidecar and a subset
	// that select the frontend's pods (they are found only because workloads are analysed
	// as pods).
	writeFile(t, filepath.Join(mesh, "boutique"), "defects.yaml", readFile(t, filepath.Join(repoRoot(t), "tests", "testdata", "online-boutique-defects"), "defects.yaml"))
	before := snapshot(t, mesh)
	out, ok := tryRender(t, mesh)
	if ok {
		t.Fatalf("the render passed with defects:\n%s", out)
	}
	for _, want := range []string{
		`[error] networking.istio.io/v1/VirtualService/cartservice: [IST0101] Referenced host not found: "cartservic"`,
		`[error] networking.istio.io/v1/DestinationRule/frontend: [IST0173] The Subset v2 defined in the DestinationRule does not select any pods`,
		`[error] networking.istio.io/v1/Sidecar/checkoutservice: [IST0101] Referenced selector not found: "app=checkoutservic"`,
		"validate-mesh: 3 errors, 0 warnings, 0 infos (0 suppressed)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("kpt output lacks %q:\n%s", want, out)
		}
	}
	if d := diffTrees(before, snapshot(t, mesh)); d != "" {
		t.Errorf("a failing render changed files:\n%s", d)
	}
}

// TestOnlineBoutiqueInItsOwnNamespace: Online Boutique rendered into a namespace of its
// own keeps its VirtualService's host frontend.default.svc.cluster.local, which names no
// Service there; Istio's analyzers pass it, validate-mesh's MFN0020 fails the render and
// names the Service that is there. With the host fixed the render is clean.
func TestOnlineBoutiqueInItsOwnNamespace(t *testing.T) {
	mesh := onlineBoutiqueIn(t, "onlineboutique")
	before := snapshot(t, mesh)
	out, ok := tryRender(t, mesh)
	if ok {
		t.Fatalf("the render passed with a VirtualService host naming no Service:\n%s", out)
	}
	for _, want := range []string{
		"[error] networking.istio.io/v1alpha3/VirtualService/onlineboutique/frontend: [MFN0020] host frontend.default.svc.cluster.local " +
			"names Service default/frontend, which the package does not hold",
		"the package holds Service frontend in namespace onlineboutique (frontend.onlineboutique.svc.cluster.local)",
		"validate-mesh: 1 error, 0 warnings, 0 infos (0 suppressed)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("kpt output lacks %q:\n%s", want, out)
		}
	}
	if d := diffTrees(before, snapshot(t, mesh)); d != "" {
		t.Errorf("a failing render changed files:\n%s", d)
	}

	edit(t, filepath.Join(mesh, "boutique", "boutique.yaml"), "- frontend.default.svc.cluster.local", "- frontend")
	out = render(t, mesh)
	if summary := validatorSummary.FindString(out); !strings.HasPrefix(summary, "validate-mesh: 0 errors, 0 warnings, 0 infos (0 suppressed)") {
		t.Errorf("with the host fixed, Online Boutique does not validate clean: %s\n%s", summary, out)
	}
}

// TestOnlineBoutiqueToAmbientAndBack moves Online Boutique's namespace to ambient mode and
// back, as the README's migration does, each a render at the root. In ambient mode every
// workload is uninjected to exactly what the render writes for a namespace that was never
// injected (the kustomize output, in kpt's formatting: as written); back on sidecars,
// every file is byte for byte as it was injected. Before, the rollback left a diff in
// loadgenerator (its own init container's keys in another order) and in every grpc probe.
func TestOnlineBoutiqueToAmbientAndBack(t *testing.T) {
	const sidecars, ambient = "  namespaces:\n", "  dataplaneMode: ambient\n  namespaces:\n"
	mesh := onlineBoutique(t)
	render(t, mesh)
	injected := snapshot(t, mesh)
	if !strings.Contains(injected["boutique/boutique.yaml"], "name: istio-proxy") {
		t.Fatalf("Online Boutique was not injected:\n%s", injected["boutique/boutique.yaml"])
	}

	// The same package with its namespace in ambient mode from the start: never injected.
	never := onlineBoutique(t)
	edit(t, filepath.Join(never, "boutique", "namespace-revision.yaml"), sidecars, ambient)
	render(t, never)
	asWritten := snapshot(t, never)["boutique/boutique.yaml"]
	if strings.Contains(asWritten, "istio-proxy") {
		t.Fatalf("a namespace in ambient mode was injected:\n%s", asWritten)
	}

	edit(t, filepath.Join(mesh, "boutique", "namespace-revision.yaml"), sidecars, ambient)
	render(t, mesh)
	if got := readFile(t, filepath.Join(mesh, "boutique"), "boutique.yaml"); got != asWritten {
		t.Errorf("in ambient mode, Online Boutique is not as written:\n%s", krmtest.Diff(asWritten, got))
	}

	edit(t, filepath.Join(mesh, "boutique", "namespace-revision.yaml"), ambient, sidecars)
	render(t, mesh)
	if d := diffTrees(injected, snapshot(t, mesh)); d != "" {
		t.Errorf("back on sidecars, Online Boutique is not as it was injected:\n%s", d)
	}
}
