package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArchitectureNamesEveryPackage: the README's Architecture section names every package
// under internal/ and every function, so that the picture contributors read keeps up with
// the tree.
func TestArchitectureNamesEveryPackage(t *testing.T) {
	root := repoRoot(t)
	readme := readFile(t, root, "README.md")
	_, section, ok := strings.Cut(readme, "\n## Architecture\n")
	if !ok {
		t.Fatal("README.md has no Architecture section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var names []string
	for _, dir := range []string{"internal", "functions"} {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() && e.Name() != "testdata" {
				names = append(names, e.Name())
			}
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, "internal", "inject"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "testdata" {
			names = append(names, e.Name())
		}
	}
	for _, name := range names {
		if !strings.Contains(section, name) {
			t.Errorf("the README's Architecture section does not name %s", name)
		}
	}
}
