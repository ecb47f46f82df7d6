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

func TestWriteAllChecksFoldersFirst(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "a.pem")
	err := WriteAll([]File{{ok, []byte("a"), Public}, {filepath.Join(dir, "missing", "b.pem"), []byte("b"), Public}})
	if err == nil {
		t.Fatal("no error for a missing folder")
	}
	if _, statErr := os.Stat(ok); !os.IsNotExist(statErr) {
		t.Error("a file was written although another could not be")
	}
}
