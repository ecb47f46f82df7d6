package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// blueprintRepo makes a Git repository of this repository's blueprints, for `kpt pkg get`,
// and returns its URL.
func blueprintRepo(t *testing.T) string {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "meshfn")
	copyTree(t, filepath.Join(repoRoot(t), "blueprints"), filepath.Join(repo, "blueprints"))
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"}, {"add", "-A"},
		{"-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "blueprints"},
	} {
		if out, ok := run(t, repo, "git", args...); !ok {
			t.Fatalf("git %v: %s", args, out)
		}
	}
	return "file://" + repo + ".git"
}

// TestFleetFromBlueprints starts a mesh repository as a user does: `kpt pkg get` of
// blueprints/fleet, then of two control-plane revisions with their own proxies and of
// namespaces on each revision, on a revision nobody serves, and on none. One render at the
// root injects each namespace's workloads with its own revision's proxy; the namespace on
// the unserved revision is not injected and a warning names it; nothing is assumed. The
// fleet's scripts/validate.sh passes (the finding suppressed). The
// second revision's package, fetched with the blueprint's asm-1-29 files, prunes them.
// Rendering again changes nothing.
func TestFleetFromBlueprints(t *testing.T) {
	kptPath(t)
	url := blueprintRepo(t)
	mesh := filepath.Join(t.TempDir(), "mesh")
	get := func(blueprint, dir string) string {
		t.Helper()
		target := filepath.Join(mesh, dir)
		if dir == "." {
			target = mesh
		}
		if out, ok := run(t, filepath.Dir(mesh), "kpt", "pkg", "get", url+"/blueprints/"+blueprint+"@main", target); !ok {
			t.Fatalf("kpt pkg get %s: %s", blueprint, out)
		}
		return target
	}
	get("fleet", ".")
	get("control-plane-revision", "control-plane-asm-1-29")
	canary := get("control-plane-revision", "control-plane-asm-1-30")
	edit(t, filepath.Join(canary, "Kptfile"), "revision: asm-1-29", "revision: asm-1-30")
	edit(t, filepath.Join(canary, "Kptfile"), "tag: 1.29.6", "tag: 1.30.3")
	namespaces := map[string]string{"bookinfo": "asm-1-29", "reviews": "asm-1-30", "legacy": "asm-1-99", "plain": ""}
	for ns, rev := range namespaces {
		dir := get("mesh-namespace", ns)
		edit(t, filepath.Join(dir, "Kptfile"), "namespace: bookinfo", "namespace: "+ns)
		if rev == "" {
			edit(t, filepath.Join(dir, "Kptfile"), "    - image: ghcr.io/meshfn/set-namespace-revision:"+version(t)+"\n      configPath: namespace-revision.yaml\n", "")
			edit(t, filepath.Join(dir, "namespace.yaml"), "istio.io/rev: asm-1-29", "team: plain")
			continue
		}
		edit(t, filepath.Join(dir, "Kptfile"), "revision: asm-1-29", "revision: "+rev)
		if rev == "asm-1-99" {
			// On a revision nobody serves on purpose: validate-mesh's finding (an error) is
			// suppressed on this namespace with Istio's annotation.
			edit(t, filepath.Join(dir, "namespace.yaml"), "  labels:\n", "  annotations:\n    galley.istio.io/analyze-suppress: MFN0004\n  labels:\n")
		}
	}

	out := render(t, mesh)
	if _, err := os.Stat(filepath.Join(canary, "generated", "service_istiod-asm-1-29.yaml")); !os.IsNotExist(err) {
		t.Errorf("the canary package kept the blueprint's asm-1-29 Service (err %v)", err)
	}
	for ns, want := range map[string]string{"bookinfo": "docker.io/istio/proxyv2:1.29.6", "reviews": "docker.io/istio/proxyv2:1.30.3"} {
		details := readFile(t, filepath.Join(mesh, ns), "details.yaml")
		rev := namespaces[ns]
		for _, s := range []string{"image: " + want, `"revision":"` + rev + `"`, "istiod-" + rev + ".istio-system.svc:15012"} {
			if !strings.Contains(details, s) {
				t.Errorf("namespace %s: the workload lacks %q:\n%s", ns, s, details)
			}
		}
	}
	for _, ns := range []string{"legacy", "plain"} {
		if details := readFile(t, filepath.Join(mesh, ns), "details.yaml"); strings.Contains(details, "istio-proxy") {
			t.Errorf("namespace %s: the workload is injected:\n%s", ns, details)
		}
	}
	if want := "[warning] v1/Namespace/legacy: namespace legacy selects revision asm-1-99 (namespace label istio.io/rev=asm-1-99), " +
		"which no control plane in the package serves, so its pods are not injected; the revisions are: asm-1-29, asm-1-30"; !strings.Contains(out, want) {
		t.Errorf("kpt output lacks %q:\n%s", want, out)
	}
	validated, ok := runEnv(t, mesh, []string{"MESHFN_VALIDATE_MESH=" + filepath.Join(functionBin(t), "validate-mesh")}, filepath.Join(mesh, "scripts", "validate.sh"))
	if want := "validate-mesh: 0 errors, 0 warnings, 1 info (1 suppressed)"; !ok || !strings.Contains(validated, want) { // IST0102 on plain
		t.Errorf("scripts/validate.sh fails, or its output lacks %q:\n%s", want, validated)
	}
	if strings.Contains(out, "assum") {
		t.Errorf("the render assumed something:\n%s", out)
	}
	first := snapshot(t, mesh)
	render(t, mesh)
	if d := diffTrees(first, snapshot(t, mesh)); d != "" {
		t.Errorf("a second render changed the repository:\n%s", d)
	}
}

// TestRootIsAFleet: the repository's root package runs the pipeline of blueprints/fleet,
// with the same injection settings, so the repository is an example of what users start
// from; it adds validate-mesh as its validator, as the fleet's README says a small
// repository may, with the snippet the README gives.
func TestRootIsAFleet(t *testing.T) {
	root := repoRoot(t)
	fleet := filepath.Join(root, "blueprints", "fleet")
	pipeline := func(kptfile string) string {
		_, p, ok := strings.Cut(kptfile, "\npipeline:\n")
		if !ok {
			t.Fatalf("no pipeline in:\n%s", kptfile)
		}
		return p
	}
	mutators := func(p string) string {
		before, _, _ := strings.Cut(p, "\n  validators:\n")
		return strings.TrimSpace(before)
	}
	rootPipeline, fleetPipeline := pipeline(readFile(t, root, "Kptfile")), pipeline(readFile(t, fleet, "Kptfile"))
	if a, b := mutators(rootPipeline), mutators(fleetPipeline); a != b {
		t.Errorf("the root's mutators differ from blueprints/fleet's:\n%s", diffTrees(map[string]string{"Kptfile": b}, map[string]string{"Kptfile": a}))
	}
	if strings.Contains(fleetPipeline, "validators:") {
		t.Errorf("blueprints/fleet's Kptfile has a validator: it validates after the render (scripts/validate.sh)")
	}
	snippet := regexp.MustCompile("(?s)```yaml\n(  validators:\n.*?)```").FindStringSubmatch(readFile(t, fleet, "README.md"))
	if snippet == nil || !strings.HasSuffix(rootPipeline, snippet[1]) {
		t.Errorf("the root's validator is not the one blueprints/fleet's README gives (%q):\n%s", snippet, rootPipeline)
	}
	if a, b := readFile(t, root, "inject-sidecar.yaml"), readFile(t, filepath.Join(root, "blueprints", "fleet"), "inject-sidecar.yaml"); a != b {
		t.Errorf("the root's inject-sidecar.yaml differs from blueprints/fleet's")
	}
}
