package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/kptexec"
)

// TestMisspeltSetterWarns: a canary whose setter name is misspelt in the Kptfile
// (revison) sets nothing; the render says so with a warning that names the setter, the
// Kptfile it is given in and the setter it was likely meant to be, and changes no file.
func TestMisspeltSetterWarns(t *testing.T) {
	dir := blueprint(t, "mesh-namespace")
	edit(t, filepath.Join(dir, "Kptfile"), "revision: asm-1-29", "revison: istio-1-30")
	before := snapshot(t, dir)
	out := render(t, dir)
	want := `[warning]: setter revison (in Kptfile) is not used: no field of the package has a "# kpt-set:" comment ` +
		`that references ${revison}, so its value "istio-1-30" sets nothing (did you mean revision?)`
	if strings.Count(out, want) != 1 {
		t.Errorf("kpt output does not warn once with %q:\n%s", want, out)
	}
	if strings.Contains(out, "setter namespace") {
		t.Errorf("kpt output warns about a setter that is used:\n%s", out)
	}
	if d := diffTrees(before, snapshot(t, dir)); d != "" {
		t.Errorf("the render changed files:\n%s", d)
	}
}

// TestFindingNamesWhereTheValueComesFrom renders the root package with the mesh namespace
// moved to a revision nobody serves. The finding (MFN0004) is printed once (kpt prints
// the results; the function writes them to standard error only under kustomize, and
// under kpt only the file they are in, which kpt's printout leaves out), says
// that the label comes from set-namespace-revision's config and the revision setter of
// the namespace's Kptfile, and names every file from the root of the render, in the
// message and in the results file.
func TestFindingNamesWhereTheValueComesFrom(t *testing.T) {
	dir := rootPackage(t)
	edit(t, filepath.Join(dir, "blueprints", "mesh-namespace", "Kptfile"), "revision: asm-1-29", "revision: asm-1-99")
	results := t.TempDir()
	kptPath(t)
	var out bytes.Buffer
	err := kptexec.Render(context.Background(), dir, kptexec.Options{
		Args: []string{"--truncate-output=false", "--results-dir", results}, Env: toolEnv(t), Stdout: &out, Stderr: &out,
	})
	if err == nil {
		t.Fatalf("the render passed:\n%s", out.String())
	}
	want := "[error] v1/Namespace/bookinfo: [MFN0004] its namespace label istio.io/rev=asm-1-99 selects revision asm-1-99, " +
		"which no control plane in the package serves (the revisions are: asm-1-29): its pods would not be injected. " +
		"The label is written by set-namespace-revision from spec.revision in blueprints/mesh-namespace/namespace-revision.yaml, " +
		"whose value is the setter revision of blueprints/mesh-namespace/Kptfile: " +
		"set it to a revision that exists, or add that revision's control plane\n"
	if n := strings.Count(out.String(), "[MFN0004]"); n != 1 || !strings.Contains(out.String(), want) {
		t.Errorf("kpt output does not hold the finding once (%d times) as %q:\n%s", n, want, out.String())
	}
	// kpt prints the results without their files: standard error names them, once.
	stderr := "Stderr:\n    \"validate-mesh: the errors are in blueprints/mesh-namespace/namespace.yaml (the results above; with --results-dir, each with its file)\""
	if !strings.Contains(out.String(), stderr) {
		t.Errorf("kpt output does not name the file with the error as %q:\n%s", stderr, out.String())
	}
	b, err := os.ReadFile(filepath.Join(results, "results.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"file:\n          path: blueprints/mesh-namespace/namespace.yaml\n        tags:\n          code: MFN0004",
		"path: blueprints/mesh-namespace/details.yaml",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the results file lacks %q:\n%s", want, b)
		}
	}
}
