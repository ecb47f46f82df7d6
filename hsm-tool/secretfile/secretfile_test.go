package secretfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "  s3cret-value\n", 0o600)
	if got, err := Read(good, "PIN file", 64); err != nil || string(got) != "s3cret-value" {
		t.Errorf("Read = %q, %v", got, err)
	}
	if err := os.Symlink(good, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(filepath.Join(dir, "link"), "PIN file", 64); err != nil || string(got) != "s3cret-value" {
		t.Errorf("Read through a symlink = %q, %v", got, err)
	}
	for _, tc := range []struct{ path, want string }{
		{write("group", "s3cret-value", 0o640), "readable by group or others"},
		{write("others", "s3cret-value", 0o604), "readable by group or others"},
		{write("big", strings.Repeat("s3cret-value", 10), 0o600), "larger than 64 bytes"},
		{write("empty", "\n", 0o600), "empty"},
		{dir, "not a regular file"},
		{filepath.Join(dir, "missing"), "no such file"},
	} {
		_, err := Read(tc.path, "PIN file", 64)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Read(%s) = %v, want an error with %q and no secret", filepath.Base(tc.path), err, tc.want)
		}
	}
}
