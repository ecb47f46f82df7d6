package atomicfile

import (
	"os"
	"path/filepath"
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
