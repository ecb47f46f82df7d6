package e2e

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
	"golang.org/x/tools/txtar"
)

// copyTree copies the files under src into dst (created), skipping nothing. Executable
// files (the fleet's scripts) stay executable.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if info.Mode()&0o100 != 0 {
			mode = 0o755
		}
		return os.WriteFile(target, b, mode)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
}

// snapshot reads every file under dir, by slash path relative to dir. A symlink is
// recorded as "symlink -> TARGET", not followed.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(path)
			rel, _ := filepath.Rel(dir, path)
			files[filepath.ToSlash(rel)] = "symlink -> " + target
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	return files
}

// diffTrees describes how two snapshots differ, or returns "" when they are equal.
func diffTrees(want, got map[string]string) string {
	var sb strings.Builder
	names := map[string]bool{}
	for n := range want {
		names[n] = true
	}
	for n := range got {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		w, inWant := want[n]
		g, inGot := got[n]
		switch {
		case !inGot:
			sb.WriteString("missing file " + n + "\n")
		case !inWant:
			sb.WriteString("unexpected file " + n + "\n")
		case w != g:
			sb.WriteString("file " + n + " differs:\n" + krmtest.Diff(w, g))
		}
	}
	return sb.String()
}

// compareTreeGolden compares the files under dir with a golden txtar archive (one file
// holding a whole package, so that golden packages do not become kpt subpackages of the
// repository), or rewrites the archive under UPDATE_GOLDEN.
func compareTreeGolden(t testing.TB, golden, dir string) {
	t.Helper()
	got := snapshot(t, dir)
	if krmtest.Update() {
		ar := &txtar.Archive{Comment: []byte("Expected package after the test's kpt runs (UPDATE_GOLDEN=1 rewrites it).\n")}
		names := make([]string, 0, len(got))
		for n := range got {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			ar.Files = append(ar.Files, txtar.File{Name: n, Data: []byte(got[n])})
		}
		if err := os.WriteFile(golden, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	ar, err := txtar.ParseFile(golden)
	if err != nil {
		t.Fatalf("reading golden archive (UPDATE_GOLDEN=1 creates it): %v", err)
	}
	want := map[string]string{}
	for _, f := range ar.Files {
		want[f.Name] = string(f.Data)
	}
	if d := diffTrees(want, got); d != "" {
		t.Errorf("package differs from %s (UPDATE_GOLDEN=1 rewrites it):\n%s", golden, d)
	}
}

// run runs a tool in dir and returns its combined output and whether it succeeded.
func run(t testing.TB, dir string, name string, args ...string) (string, bool) {
	t.Helper()
	return runEnv(t, dir, toolEnv(t), name, args...)
}

// runEnv is run with the environment env (after the test's own, so it wins).
func runEnv(t testing.TB, dir string, env []string, name string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err == nil
}

// edit replaces old with new in a file, failing when old is not there.
func edit(t testing.TB, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, bytes.ReplaceAll(b, []byte(old), []byte(new)), 0o644); err != nil {
		t.Fatal(err)
	}
}
