package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArchitectureNamesEveryPackage: the README's Architecture section names every package
// under internal/ (as `internal/NAME`), under internal/inject (as `internal/inject/NAME` or
// `NAME`) and every function (as `NAME`), code-quoted, so that a short name such as istio
// or krm is not found in passing prose, and the picture contributors read keeps up with
// the tree.
func TestArchitectureNamesEveryPackage(t *testing.T) {
	root := repoRoot(t)
	readme := readFile(t, root, "README.md")
	_, section, ok := strings.Cut(readme, "\n## Architecture\n")
	if !ok {
		t.Fatal("README.md has no Architecture section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	dirs := func(dir string) []string {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			if e.IsDir() && e.Name() != "testdata" {
				names = append(names, e.Name())
			}
		}
		return names
	}
	check := func(dir string, forms ...string) {
		for _, name := range dirs(dir) {
			found := false
			for _, form := range forms {
				found = found || strings.Contains(section, strings.ReplaceAll(form, "NAME", name))
			}
			if !found {
				t.Errorf("the README's Architecture section does not name %s/%s (as %s)", dir, name, strings.Join(forms, " or "))
			}
		}
	}
	check("internal", "`internal/NAME`")
	check(filepath.Join("internal", "inject"), "`internal/inject/NAME`", "`NAME`")
	check("functions", "`NAME`")
}
