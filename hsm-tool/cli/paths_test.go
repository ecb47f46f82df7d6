package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/hsm/hsmtest"
)

// TestRefusedOutputLeavesTheTokenUntouched: root create whose -o would be refused (a
// path through a symlink however it is spelled, a folder in the way) fails before it
// touches the SoftHSM2 token and writes nothing anywhere, so the same label is free for
// the retry. (Before the fix "link/../c2/root.pem" was written beside link's target, and
// a refused output left the key pair and certificate on the token: the retry failed with
// "already exists".)
func TestRefusedOutputLeavesTheTokenUntouched(t *testing.T) {
	cleanEnv(t)
	module, _ := hsmtest.NewToken(t, "paths", "so-pin-1", "user-pin-1")
	repo, elsewhere := t.TempDir(), t.TempDir()
	for _, d := range []string{filepath.Join(repo, "c2"), filepath.Join(repo, "taken", "root.pem"), filepath.Join(elsewhere, "sub"), filepath.Join(elsewhere, "c2")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(elsewhere, "sub"), filepath.Join(repo, "link")); err != nil {
		t.Fatal(err)
	}
	pin := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pin, []byte("user-pin-1"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)
	base := []string{"--module", module, "--token-label", "paths", "--pin-file", pin}
	for _, out := range []string{"link/../c2/root.pem", "./link/../c2/root.pem", "link/root.pem", "taken/root.pem", "c2/"} {
		code, msg := execute(append(base, "root", "create", "--label", "mesh-root", "--key-type", "ecdsa-p256", "-o", out)...)
		if code != exitError {
			t.Errorf("-o %s: exit %d, want %d:\n%s", out, code, exitError, msg)
		}
	}
	for _, d := range []string{filepath.Join(repo, "c2"), filepath.Join(elsewhere, "c2"), filepath.Join(elsewhere, "sub")} {
		if entries, _ := os.ReadDir(d); len(entries) != 0 {
			t.Errorf("%s holds %v", d, entries)
		}
	}
	if code, msg := execute(append(base, "token", "info")...); code != exitOK || strings.Contains(msg, "mesh-root") {
		t.Errorf("the token holds objects of the refused runs (exit %d):\n%s", code, msg)
	}
	if code, msg := execute(append(base, "root", "create", "--label", "mesh-root", "--key-type", "ecdsa-p256", "-o", "c2/root.pem")...); code != exitOK {
		t.Errorf("the retry with a good path: exit %d:\n%s", code, msg)
	}
}
