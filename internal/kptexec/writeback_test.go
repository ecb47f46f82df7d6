package kptexec

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteAllRefusesSymlinks: a symlink on the way to a file (the file itself, or a
// folder above it) is refused, wherever it points, and nothing is written: neither
// through the link nor any other file of the batch, and no temporary file stays.
func TestWriteAllRefusesSymlinks(t *testing.T) {
	cases := []struct {
		name   string
		link   string // in the package
		target string // "OUT" is replaced by the folder outside the package
		write  string // the file written through it
	}{
		{"file to outside", "a.yaml", "OUT/victim.yaml", "a.yaml"},
		{"folder to outside", "gen", "OUT", "gen/victim.yaml"},
		{"nested folder to outside", "sub/gen", "OUT", "sub/gen/victim.yaml"},
		{"file inside the package", "a.yaml", "b.yaml", "a.yaml"},
		{"folder inside the package", "gen", "sub", "gen/x.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pkg, out := t.TempDir(), t.TempDir()
			writeFiles(t, out, map[string]string{"victim.yaml": "victim"})
			writeFiles(t, pkg, map[string]string{"b.yaml": "b", "sub/x.yaml": "x"})
			if err := os.MkdirAll(filepath.Dir(filepath.Join(pkg, c.link)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(strings.Replace(c.target, "OUT", out, 1), filepath.Join(pkg, c.link)); err != nil {
				t.Fatal(err)
			}
			w, err := openPackage(pkg)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			err = w.writeAll(map[string]file{c.write: {data: []byte("new"), mode: 0o644}, "b.yaml": {data: []byte("new b"), mode: 0o644}}, noJournal)
			if err == nil || !strings.Contains(err.Error(), "symlink") {
				t.Fatalf("writing %s through symlink %s: got error %v, want a refusal naming the symlink", c.write, c.link, err)
			}
			if got := readFiles(t, out); got["victim.yaml"] != "victim" || len(got) != 1 {
				t.Errorf("the folder outside the package changed: %v", got)
			}
			got := readFiles(t, pkg)
			if got["b.yaml"] != "b" || got["sub/x.yaml"] != "x" {
				t.Errorf("a refused batch changed files: %v", got)
			}
			for name := range got {
				if isTempName(name) {
					t.Errorf("temporary file %s left behind", name)
				}
			}
		})
	}
}

// TestWriteAllReplacesFiles writes new files (creating folders), replaces others with
// their mode, and leaves no temporary file.
func TestWriteAllReplacesFiles(t *testing.T) {
	pkg := t.TempDir()
	writeFiles(t, pkg, map[string]string{"a.yaml": "old a", "keep.yaml": "keep"})
	w, err := openPackage(pkg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var journaled []string
	err = w.writeAll(map[string]file{
		"a.yaml":          {data: []byte("new a"), mode: 0o600},
		"new/deep/b.yaml": {data: []byte("b"), mode: 0o644},
	}, func(temps []string) error { journaled = temps; return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a.yaml": "new a", "keep.yaml": "keep", "new/deep/b.yaml": "b"}
	if got := readFiles(t, pkg); !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if fi, _ := os.Stat(filepath.Join(pkg, "a.yaml")); fi.Mode().Perm() != 0o600 {
		t.Errorf("a.yaml has mode %v, want 0600", fi.Mode().Perm())
	}
	if len(journaled) != 2 || !isTempName(journaled[0]) || filepath.Dir(journaled[1]) != filepath.Join("new", "deep") {
		t.Errorf("the journal named %v, want a temporary name for a.yaml and one in new/deep", journaled)
	}
	if err := w.removeAll([]string{"new/deep/b.yaml"}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(pkg, "new", "deep")); err != nil || !fi.IsDir() {
		t.Errorf("removing the only file of new/deep removed the folder (kpt keeps it): %v", err)
	}
}

// TestWriteAllJournalsFirst: a write-back whose journal cannot be written creates no
// temporary file.
func TestWriteAllJournalsFirst(t *testing.T) {
	pkg := t.TempDir()
	w, err := openPackage(pkg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	err = w.writeAll(map[string]file{"a.yaml": {data: []byte("a"), mode: 0o644}}, func([]string) error { return os.ErrPermission })
	if err == nil {
		t.Fatal("the write-back went on without its journal")
	}
	if got := readFiles(t, pkg); len(got) != 0 {
		t.Errorf("files written without a journal: %v", got)
	}
}

func noJournal([]string) error { return nil }

// TestLockTree: a render locks its package against renders of the same package, of a
// folder above it and of a folder inside it (whichever starts first), but not against a
// render of a package beside it.
func TestLockTree(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a/sub/deep", "b"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		first, second string
		conflict      bool
	}{
		{"a", "a", true},
		{"a", "a/sub", true},
		{"a/sub", "a", true},
		{"a/sub/deep", "a", true},
		{"a", "a/sub/deep", true},
		{"a/sub", "b", false},
		{"a/sub", "a/sub/../../b", false},
		{"a/sub", "a/sub/deep/..", true},
	}
	for _, c := range cases {
		t.Run(c.first+" then "+c.second, func(t *testing.T) {
			unlock, err := lockTree(filepath.Join(root, c.first))
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			unlock2, err := lockTree(filepath.Clean(filepath.Join(root, c.second)))
			if c.conflict && (err == nil || !strings.Contains(err.Error(), "another render-exec")) {
				t.Errorf("second lock: got %v, want a refusal", err)
			}
			if !c.conflict && err != nil {
				t.Errorf("second lock: %v", err)
			}
			if err == nil {
				unlock2()
			}
		})
	}
	unlock, err := lockTree(filepath.Join(root, "a", "sub"))
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock()
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readFiles reads the regular files under dir (symlinks not followed) by slash path.
func readFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
