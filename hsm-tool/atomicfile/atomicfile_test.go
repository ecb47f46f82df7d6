package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplacesWithMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), Private); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(b) != "new" || st.Mode().Perm() != Private {
		t.Errorf("got %q mode %v", b, st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestWriteAllIsAllOrNothing: a target that cannot be replaced (a folder, a symlink)
// fails before any file is replaced, with no temporary file left; missing folders are
// created.
func TestWriteAllIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.pem")
	if err := os.WriteFile(a, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "b.pem"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(dir, "c.pem")); err != nil {
		t.Fatal(err)
	}
	for _, blocked := range []string{"b.pem", "c.pem"} {
		err := WriteAll([]File{{a, []byte("new"), Public}, {filepath.Join(dir, blocked), []byte("b"), Public}})
		if err == nil {
			t.Fatalf("no error for %s", blocked)
		}
		if b, _ := os.ReadFile(a); string(b) != "old" {
			t.Errorf("a.pem was replaced although %s could not be", blocked)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	deep := filepath.Join(dir, "new", "folder", "d.pem")
	if err := WriteAll([]File{{deep, []byte("d"), Public}}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(deep); string(b) != "d" {
		t.Errorf("d.pem = %q", b)
	}
}

// TestWriteAllRefusesSymlinkedFolders: a relative path whose folders include a symlink (a
// repository can hold one: a package folder pointing elsewhere) is refused before anything
// is written, there or at the symlink's target; missing folders below it are not created.
func TestWriteAllRefusesSymlinkedFolders(t *testing.T) {
	repo, elsewhere := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "blueprints"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(repo, "blueprints", "offline-ca")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)
	for _, p := range []string{"blueprints/offline-ca/cabundle-c1.yaml", "blueprints/offline-ca/new/cabundle-c1.yaml"} {
		err := WriteAll([]File{{Path: "ok.yaml", Data: []byte("x"), Mode: Public}, {Path: p, Data: []byte("x"), Mode: Public}})
		if err == nil || !strings.Contains(err.Error(), "blueprints/offline-ca is a symlink") {
			t.Errorf("%s: got %v, want a refusal naming the symlink", p, err)
		}
	}
	for _, dir := range []string{repo, elsewhere} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != "blueprints" {
				t.Errorf("%s: %s written", dir, e.Name())
			}
		}
	}
}

// TestWriteAllResolvesAsTheKernel: "link/../c2/root.pem" goes through link as the kernel
// resolves it (to the parent of link's target), so it is refused, and nothing is written
// at either place. (Before the fix the path was cleaned to "c2/root.pem", which has no
// symlink, and the file was written beside link's target.)
func TestWriteAllResolvesAsTheKernel(t *testing.T) {
	repo, elsewhere := t.TempDir(), t.TempDir()
	for _, d := range []string{filepath.Join(repo, "c2"), filepath.Join(elsewhere, "sub"), filepath.Join(elsewhere, "c2")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(elsewhere, "sub"), filepath.Join(repo, "link")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)
	for _, p := range []string{"link/../c2/root.pem", "./link/../c2/root.pem", "c2/../link/../c2/root.pem", "link/../new/root.pem"} {
		err := Write(p, []byte("x"), Public)
		if err == nil || !strings.Contains(err.Error(), "link is a symlink") {
			t.Errorf("%s: got %v, want a refusal naming link", p, err)
		}
	}
	for _, d := range []string{filepath.Join(repo, "c2"), filepath.Join(elsewhere, "c2"), filepath.Join(elsewhere, "sub")} {
		if entries, _ := os.ReadDir(d); len(entries) != 0 {
			t.Errorf("%s holds %v", d, entries)
		}
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "new")); err == nil {
		t.Error("a folder was created beside link's target")
	}
	// Going up through real folders is what the kernel does too.
	if err := Write("c2/../c2/root.pem", []byte("x"), Public); err != nil {
		t.Errorf("c2/../c2/root.pem: %v", err)
	}
}
