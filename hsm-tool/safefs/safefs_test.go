package safefs

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestSplit(t *testing.T) {
	for path, want := range map[string][2]string{
		"a.pem": {".", "a.pem"}, "d/a.pem": {"d", "a.pem"}, "/a.pem": {"/", "a.pem"}, "link/../c2/a.pem": {"link/../c2", "a.pem"},
		"d//a.pem": {"d", "a.pem"}, "": {}, "d/": {}, "d/..": {}, ".": {},
	} {
		dir, name, err := Split(path)
		if want == [2]string{} {
			if err == nil {
				t.Errorf("Split(%q) = %q, %q, want an error", path, dir, name)
			}
			continue
		}
		if err != nil || dir != want[0] || name != want[1] {
			t.Errorf("Split(%q) = %q, %q, %v, want %q", path, dir, name, err, want)
		}
	}
	if got := Join("link/..", "a.pem"); got != "link/../a.pem" {
		t.Errorf("Join cleaned the path: %s", got)
	}
}

// TestOpenAsTheKernel: a relative folder path is walked as written (a symlink anywhere
// is refused, "link/.." included), CheckDir creates nothing, and only regular files open.
func TestOpenAsTheKernel(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	t.Chdir(root)
	for _, d := range []string{"real", filepath.Join(elsewhere, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(elsewhere, "sub"), "link"); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo("real/pipe", 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"link", "link/..", "real/../link/x", "./link/../real"} {
		if err := CheckDir(dir); err == nil || !strings.Contains(err.Error(), "link is a symlink") {
			t.Errorf("CheckDir(%s) = %v", dir, err)
		}
		if _, err := OpenDir(dir, true); err == nil || !strings.Contains(err.Error(), "link is a symlink") {
			t.Errorf("OpenDir(%s) = %v", dir, err)
		}
	}
	if err := CheckDir("real/new/deeper"); err != nil {
		t.Errorf("CheckDir of missing folders: %v", err)
	}
	if _, err := os.Stat("real/new"); err == nil {
		t.Error("CheckDir created a folder")
	}
	if d, err := OpenDir("real/../real/new", true); err != nil {
		t.Errorf("OpenDir creating real/new: %v", err)
	} else {
		d.Close()
	}
	for path, want := range map[string]string{"real/pipe": "a named pipe", "real": "a folder", "real/": "does not name a file", "real/new": "a folder"} {
		if _, err := OpenFile(path, os.O_RDONLY, 0); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenFile(%s) = %v, want %q", path, err, want)
		}
	}
	for path, want := range map[string]string{"real/pipe": "a named pipe", "real/new": "a folder"} {
		if _, err := OpenRead(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenRead(%s) = %v, want %q", path, err, want)
		}
	}
	if err := os.Symlink("pipe", "real/to-pipe"); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFile("real/to-pipe", os.O_WRONLY|os.O_CREATE, 0o600); err == nil || !strings.Contains(err.Error(), "is a symlink") {
		t.Errorf("OpenFile of a symlink = %v", err)
	}
}

// TestCheckDirNeedsWriting: a folder the user cannot write in is refused by CheckDir, so
// a step checks it before the token (root bypasses the check: it can write anyway).
func TestCheckDirNeedsWriting(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write in any folder")
	}
	t.Chdir(t.TempDir())
	if err := os.Mkdir("locked", 0o555); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"locked", "locked/new", mustAbs(t, "locked/new")} {
		if err := CheckDir(dir); err == nil || !strings.Contains(err.Error(), "cannot write in") {
			t.Errorf("CheckDir(%s) = %v", dir, err)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
