package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/kptexec"
)

// blueprint copies blueprints/NAME into a fresh folder and returns it.
func blueprint(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	copyTree(t, filepath.Join(repoRoot(t), "blueprints", name), dir)
	return dir
}

// rootPackage copies what the root package is made of: its Kptfile, .krmignore, its own
// resources (the YAML files beside the Kptfile) and the blueprints.
func rootPackage(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	dir := filepath.Join(t.TempDir(), "meshfn")
	copyTree(t, filepath.Join(root, "blueprints"), filepath.Join(dir, "blueprints"))
	own, err := filepath.Glob(filepath.Join(root, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(own, filepath.Join(root, "Kptfile"), filepath.Join(root, ".krmignore")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// render renders the package in dir in exec mode, with the functions built from this
// repository in place of the images its Kptfiles name, as `make render` does.
func render(t *testing.T, dir string) string {
	t.Helper()
	out, ok := tryRender(t, dir)
	if !ok {
		t.Fatalf("kpt fn render failed in %s:\n%s", dir, out)
	}
	return out
}

// tryRender renders like render and returns kpt's output and whether it succeeded.
func tryRender(t *testing.T, dir string) (string, bool) {
	t.Helper()
	kptPath(t)
	var out bytes.Buffer
	err := kptexec.Render(context.Background(), dir, kptexec.Options{
		Args: []string{"--truncate-output=false"}, Env: toolEnv(t), Stdout: &out, Stderr: &out,
	})
	if err != nil {
		fmt.Fprintln(&out, err)
	}
	return out.String(), err == nil
}

// TestCommittedPackagesAreRendered is the check users copy into CI: rendering the
// committed packages changes nothing, and neither does rendering them a second time.
func TestCommittedPackagesAreRendered(t *testing.T) {
	pkgs := packagesToRender(t)
	for name, copyPkg := range pkgs {
		t.Run(name, func(t *testing.T) {
			dir := copyPkg(t)
			committed := snapshot(t, dir)
			for i, pass := range []string{"first", "second"} {
				out := render(t, dir)
				if d := diffTrees(committed, snapshot(t, dir)); d != "" {
					t.Fatalf("%s render changed the committed package (run `make render` and commit):\n%s\nkpt said:\n%s", pass, d, out)
				}
				if i == 0 && !strings.Contains(out, "Successfully executed") {
					t.Errorf("kpt did not report success:\n%s", out)
				}
			}
		})
	}
}

// TestNewRevisionFromScratch renders the control-plane blueprint for another revision
// with nothing generated yet, and compares the whole package with the expected one.
// Renaming the revision of the committed package must give exactly the same files: the
// old revision's objects are pruned, none is left behind.
func TestNewRevisionFromScratch(t *testing.T) {
	scratch := blueprint(t, "control-plane-revision")
	if err := os.RemoveAll(filepath.Join(scratch, "generated")); err != nil {
		t.Fatal(err)
	}
	edit(t, filepath.Join(scratch, "Kptfile"), "revision: asm-1-29", "revision: asm-1-30")
	render(t, scratch)
	compareTreeGolden(t, filepath.Join(repoRoot(t), "tests", "testdata", "render", "control-plane-asm-1-30.txtar"), scratch)

	renamed := blueprint(t, "control-plane-revision")
	edit(t, filepath.Join(renamed, "Kptfile"), "revision: asm-1-29", "revision: asm-1-30")
	out := render(t, renamed)
	if d := diffTrees(snapshot(t, scratch), snapshot(t, renamed)); d != "" {
		t.Errorf("renaming the revision left a different package than rendering it from scratch:\n%s", d)
	}
	if !strings.Contains(out, "pruned") {
		t.Errorf("kpt output does not report the pruned objects:\n%s", out)
	}
}

// TestNamespaceOnUnservedRevision moves the mesh namespace of the root package to a
// revision no control plane in the repository serves: the root's validator refuses it
// (MFN0004) and no file changes. With that finding suppressed (validate-mesh.yaml), as the
// cluster would not inject its pods, its workload is uninjected, and the render warns naming
// the namespace, the revision and the revisions there are. Moving it back restores the
// committed package byte for byte.
func TestNamespaceOnUnservedRevision(t *testing.T) {
	dir := rootPackage(t)
	ns := filepath.Join(dir, "blueprints", "mesh-namespace")
	edit(t, filepath.Join(ns, "Kptfile"), "revision: asm-1-29", "revision: asm-1-30")
	// The root's validator refuses the move: the namespace's pods would not be injected.
	before := snapshot(t, dir)
	out, ok := tryRender(t, dir)
	if want := "[MFN0004] its namespace label istio.io/rev=asm-1-30 selects revision asm-1-30"; ok || !strings.Contains(out, want) {
		t.Errorf("the render did not fail with %q (ok=%v):\n%s", want, ok, out)
	}
	if d := diffTrees(before, snapshot(t, dir)); d != "" {
		t.Errorf("a failing render changed files:\n%s", d)
	}
	// Meant so: the finding is suppressed in the root's validate-mesh.yaml.
	edit(t, filepath.Join(dir, "validate-mesh.yaml"), "suppress: []", "suppress: [MFN0004=Namespace bookinfo]")
	edit(t, filepath.Join(ns, "Kptfile"), "revision: asm-1-30", "revision: asm-1-29")
	committed := snapshot(t, dir)
	edit(t, filepath.Join(ns, "Kptfile"), "revision: asm-1-29", "revision: asm-1-30")
	out = render(t, dir)
	compareTreeGolden(t, filepath.Join(repoRoot(t), "tests", "testdata", "render", "mesh-namespace-asm-1-30.txtar"), ns)
	for _, want := range []string{
		"[warning] v1/Namespace/bookinfo: namespace bookinfo selects revision asm-1-30 (namespace label istio.io/rev=asm-1-30), " +
			"which no control plane in the package serves, so its pods are not injected; the revisions are: asm-1-29",
		"apps/v1/Deployment/bookinfo/details: no longer injected: its namespace label istio.io/rev=asm-1-30 selects revision asm-1-30",
		"validate-mesh: 0 errors, 0 warnings, 0 infos (1 suppressed)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("kpt output lacks %q:\n%s", want, out)
		}
	}
	if d := changedOutside(committed, snapshot(t, dir), "blueprints/mesh-namespace/"); d != "" {
		t.Errorf("the move changed files outside the namespace's package:\n%s", d)
	}
	edit(t, filepath.Join(ns, "Kptfile"), "revision: asm-1-30", "revision: asm-1-29")
	render(t, dir)
	if d := diffTrees(committed, snapshot(t, dir)); d != "" {
		t.Errorf("rolling back did not restore the committed package:\n%s", d)
	}
}

// TestFailingRenderLeavesFilesUntouched breaks the input in several ways: kpt must exit
// non-zero, name the problem, and leave every file as it was.
func TestFailingRenderLeavesFilesUntouched(t *testing.T) {
	cases := []struct {
		name, pkg string
		breakIt   func(t *testing.T, dir string)
		wantInOut string
	}{
		{"invalid revision", "control-plane-revision", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Kptfile"), "revision: asm-1-29", "revision: Asm_1_27")
		}, `spec.revision: "Asm_1_27" is not a valid name`},
		{"wrong field type", "control-plane-revision", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "control-plane-revision.yaml"), "tags: []", "tags: 5")
		}, "spec.tags: expected a list, got number"},
		{"unknown field", "control-plane-revision", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "control-plane-revision.yaml"), "tags: []", "tagz: [prod]")
		}, "unknown field spec.tagz"},
		{"unknown config kind", "mesh-namespace", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "namespace-revision.yaml"), "kind: NamespaceRevision", "kind: NamespaceRevisions")
		}, `unsupported kind "NamespaceRevisions"`},
		{"malformed YAML", "mesh-namespace", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: [\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "broken.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kptPath(t)
			dir := blueprint(t, c.pkg)
			c.breakIt(t, dir)
			before := snapshot(t, dir)
			out, ok := tryRender(t, dir)
			if ok {
				t.Fatalf("render succeeded on broken input:\n%s", out)
			}
			if !strings.Contains(out, c.wantInOut) {
				t.Errorf("kpt output does not name the problem (%q):\n%s", c.wantInOut, out)
			}
			if d := diffTrees(before, snapshot(t, dir)); d != "" {
				t.Errorf("a failing render changed files:\n%s", d)
			}
		})
	}
}

// TestImperativeEval runs the functions with `kpt fn eval --exec` and key=value settings,
// the way a user tries them on a package.
func TestImperativeEval(t *testing.T) {
	kptPath(t)
	dir := blueprint(t, "mesh-namespace")
	out, ok := run(t, dir, "kpt", "fn", "eval", ".", "--truncate-output=false", "--exec", "set-namespace-revision", "--",
		"revision=canary", "namespaces=bookinfo")
	if !ok {
		t.Fatalf("kpt fn eval set-namespace-revision failed:\n%s", out)
	}
	out, ok = run(t, dir, "kpt", "fn", "eval", ".", "--truncate-output=false", "--exec", "generate-revision", "--",
		"revision=canary", "tags=prod")
	if !ok {
		t.Fatalf("kpt fn eval generate-revision failed:\n%s", out)
	}
	compareTreeGolden(t, filepath.Join(repoRoot(t), "tests", "testdata", "eval", "mesh-namespace-canary.txtar"), dir)

	before := snapshot(t, dir)
	out, ok = run(t, dir, "kpt", "fn", "eval", ".", "--exec", "generate-revision", "--", "revision=Canary")
	if ok {
		t.Fatalf("eval with an invalid revision succeeded:\n%s", out)
	}
	if d := diffTrees(before, snapshot(t, dir)); d != "" {
		t.Errorf("a failing eval changed files:\n%s", d)
	}
}
