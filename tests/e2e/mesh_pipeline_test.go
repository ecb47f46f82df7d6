package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWholeMeshPipeline renders one package that holds a control-plane revision and an
// application: generate-revision writes the revision's webhooks, set-namespace-revision
// labels the namespace, and inject-sidecar decides with the webhooks just generated (not
// assumed ones). Rendering again changes nothing.
func TestWholeMeshPipeline(t *testing.T) {
	kptPath(t)
	dir := filepath.Join(t.TempDir(), "mesh")
	copyTree(t, filepath.Join(repoRoot(t), "blueprints", "sample-app"), dir)
	cpr, err := os.ReadFile(filepath.Join(repoRoot(t), "blueprints", "control-plane-revision", "control-plane-revision.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "control-plane-revision.yaml", string(cpr))
	edit(t, filepath.Join(dir, "Kptfile"), "    - image: ghcr.io/meshfn/set-namespace-revision:"+version(t)+"\n",
		"    - image: ghcr.io/meshfn/generate-revision:"+version(t)+"\n      configPath: control-plane-revision.yaml\n"+
			"    - image: ghcr.io/meshfn/set-namespace-revision:"+version(t)+"\n")
	out := render(t, dir)
	if strings.Contains(out, "assuming those Istio installs") {
		t.Errorf("inject-sidecar did not use the generated webhooks:\n%s", out)
	}
	if !strings.Contains(out, "injected by revision asm-1-27") && !strings.Contains(out, "already injected by revision asm-1-27") {
		t.Errorf("workloads were not injected by the revision:\n%s", out)
	}
	for _, f := range []string{"generated/mutatingwebhookconfiguration_istio-sidecar-injector-asm-1-27.yaml", "generated/service_istiod-asm-1-27.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the revision's %s was not generated: %v", f, err)
		}
	}
	frontend := readFile(t, dir, "frontend.yaml")
	if !strings.Contains(frontend, "istiod-asm-1-27.istio-system.svc:15012") {
		t.Errorf("the frontend's proxy does not talk to the revision's istiod:\n%s", frontend)
	}
	first := snapshot(t, dir)
	render(t, dir)
	if d := diffTrees(first, snapshot(t, dir)); d != "" {
		t.Errorf("a second render changed the package:\n%s", d)
	}
}
