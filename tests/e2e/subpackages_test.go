package e2e

import (
	"io/fs"
	"os"
	"path"
	"slices"
	"testing"
)

// notWalked are the top-level folders TestRootRendersOnlyTheBlueprints leaves out: Git's,
// and those Git ignores, which make fills with tools (.cache) and builds (bin, out).
var notWalked = []string{".git", ".cache", "bin", "out"}

// TestRootRendersOnlyTheBlueprints promises that plain `kpt fn render` at the repository's
// root (the README's image-mode command, make render-containers, hack/check-rendered.sh
// without arguments, a user's render of a clone) renders the root package and the
// blueprints, and nothing else. kpt takes every folder under the root that holds a Kptfile
// for a subpackage, whatever .krmignore says, and renders it in place: an example or a test
// package holding one would have its input rewritten into its output, and one whose
// pipeline fails would fail the whole render. So the only folders holding a Kptfile are
// the root and blueprints/NAME: the function examples are eval examples without one
// (TestFunctionExamples), golden packages are txtar archives (compareTreeGolden). The
// folders of notWalked are not checked, though kpt walks them too: keep packages out of
// them.
func TestRootRendersOnlyTheBlueprints(t *testing.T) {
	root := repoRoot(t)
	var packages []string // slash paths relative to root
	err := fs.WalkDir(os.DirFS(root), ".", func(rel string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && slices.Contains(notWalked, rel):
			return fs.SkipDir
		case !d.IsDir() && d.Name() == "Kptfile":
			packages = append(packages, path.Dir(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var blueprints int
	for _, dir := range packages {
		if blueprint, _ := path.Match("blueprints/*", dir); blueprint {
			blueprints++
		} else if dir != "." {
			t.Errorf("%s/Kptfile: kpt fn render at the repository's root would render %s in place, as a subpackage; "+
				"only the root and blueprints/NAME may hold a Kptfile (an example of a function is an eval example, "+
				"a golden package a txtar archive)", dir, dir)
		}
	}
	if !slices.Contains(packages, ".") {
		t.Error("the repository's root holds no Kptfile: it is no longer the package that renders the blueprints")
	}
	if blueprints == 0 {
		t.Error("found no blueprints/NAME/Kptfile")
	}
}
