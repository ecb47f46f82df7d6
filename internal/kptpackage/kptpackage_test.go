package kptpackage

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadStaysInTheTree: a file or folder swapped for a symlink (or a pipe) after Files
// listed it is refused when read, never read through: the read happens as the kernel
// resolves the path, inside the tree's root folder.
func TestReadStaysInTheTree(t *testing.T) {
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n"
	for _, tc := range []struct {
		name string
		swap func(t *testing.T, pkg, outside string)
	}{
		{"file swapped for a symlink", func(t *testing.T, pkg, outside string) {
			replace(t, filepath.Join(pkg, "sub", "a.yaml"), func(p string) error { return os.Symlink(filepath.Join(outside, "secret.yaml"), p) })
		}},
		{"folder swapped for a symlink", func(t *testing.T, pkg, outside string) {
			replace(t, filepath.Join(pkg, "sub"), func(p string) error { return os.Symlink(outside, p) })
			if err := os.WriteFile(filepath.Join(outside, "a.yaml"), []byte(strings.ReplaceAll(cm, "%s", "outside")), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"file swapped for a pipe", func(t *testing.T, pkg, outside string) {
			replace(t, filepath.Join(pkg, "sub", "a.yaml"), func(p string) error { return syscall.Mkfifo(p, 0o644) })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			pkg, outside := filepath.Join(dir, "pkg"), filepath.Join(dir, "outside")
			for name, text := range map[string]string{
				"pkg/Kptfile":         "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n",
				"pkg/sub/a.yaml":      strings.ReplaceAll(cm, "%s", "a"),
				"outside/secret.yaml": strings.ReplaceAll(cm, "%s", "secret"),
			} {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			files, err := Files(pkg)
			if err != nil {
				t.Fatal(err)
			}
			tc.swap(t, pkg, outside)
			for _, f := range files {
				nodes, err := f.Read()
				if f.Path != "sub/a.yaml" {
					continue
				}
				if err == nil {
					t.Fatalf("read %s after the swap: %d resources", f.Path, len(nodes))
				}
				if !strings.Contains(err.Error(), filepath.Join("sub", "a.yaml")) {
					t.Errorf("the error does not name the file: %v", err)
				}
				return
			}
			t.Fatal("sub/a.yaml was not listed")
		})
	}
}

func replace(t *testing.T, path string, create func(string) error) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	if err := create(path); err != nil {
		t.Fatal(err)
	}
}
