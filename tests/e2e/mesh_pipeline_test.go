package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSameInjectionInOwnPackageAndAtRoot renders one package that holds a control-plane
// revision and an application, with injection in its own pipeline: generate-revision writes
// the revision's webhooks and RevisionInjector, set-namespace-revision labels the namespace,
// and inject-sidecar decides with what was just generated (nothing assumed). Its workloads
// must come out byte for byte as the repository's root package injects them, where the
// control plane is another subpackage. Rendering again changes nothing.
func TestSameInjectionInOwnPackageAndAtRoot(t *testing.T) {
	kptPath(t)
	dir := filepath.Join(t.TempDir(), "mesh")
	copyTree(t, filepath.Join(repoRoot(t), "blueprints", "sample-app"), dir)
	for _, f := range []struct{ from, name string }{
		{"blueprints/control-plane-revision/control-plane-revision.yaml", "control-plane-revision.yaml"},
		{"blueprints/fleet/inject-sidecar.yaml", "inject-sidecar.yaml"},
	} {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), f.from))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, f.name, string(b))
	}
	v := version(t)
	edit(t, filepath.Join(dir, "Kptfile"), "        revision: asm-1-29\n", "        revision: asm-1-29\n        tag: 1.29.6\n")
	edit(t, filepath.Join(dir, "Kptfile"), "    - image: ghcr.io/meshfn/set-namespace-revision:"+v+"\n      configPath: namespace-revision.yaml\n",
		"    - image: ghcr.io/meshfn/generate-revision:"+v+"\n      configPath: control-plane-revision.yaml\n"+
			"    - image: ghcr.io/meshfn/set-namespace-revision:"+v+"\n      configPath: namespace-revision.yaml\n"+
			"    - image: ghcr.io/meshfn/inject-sidecar:"+v+"\n      configPath: inject-sidecar.yaml\n")
	// The workloads as committed were injected at the root: start from them uninjected.
	if out, ok := run(t, dir, "kpt", "fn", "eval", ".", "--exec", "inject-sidecar", "--", "action=uninject"); !ok {
		t.Fatalf("uninject failed:\n%s", out)
	}
	if f := readFile(t, dir, "frontend.yaml"); strings.Contains(f, "istio-proxy") {
		t.Fatalf("uninject left the sidecar:\n%s", f)
	}
	out := render(t, dir)
	if strings.Contains(out, "assum") {
		t.Errorf("inject-sidecar assumed something instead of using the generated revision:\n%s", out)
	}
	if !strings.Contains(out, "injected by revision asm-1-29") {
		t.Errorf("workloads were not injected by the revision:\n%s", out)
	}
	for _, f := range []string{"generated/mutatingwebhookconfiguration_istio-sidecar-injector-asm-1-29.yaml",
		"generated/service_istiod-asm-1-29.yaml", "generated/revisioninjector_asm-1-29.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the revision's %s was not generated: %v", f, err)
		}
	}
	atRoot := filepath.Join(repoRoot(t), "blueprints", "sample-app")
	for _, f := range []string{"frontend.yaml", "catalog.yaml", "cart.yaml", "nightly-report.yaml"} {
		own, root := map[string]string{f: readFile(t, dir, f)}, map[string]string{f: readFile(t, atRoot, f)}
		if d := diffTrees(root, own); d != "" {
			t.Errorf("injected in its own package, %s differs from the root's injection:\n%s", f, d)
		}
	}
	first := snapshot(t, dir)
	render(t, dir)
	if d := diffTrees(first, snapshot(t, dir)); d != "" {
		t.Errorf("a second render changed the package:\n%s", d)
	}
}
