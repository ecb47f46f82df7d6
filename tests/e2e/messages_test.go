package e2e

import (
	"path/filepath"
	"strings"
	"testing"
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
