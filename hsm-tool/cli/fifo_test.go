package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/hsm/hsmtest"
)

// mkfifo makes a named pipe at path.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}

// within runs hsm-tool with args and fails t when it has not returned after a few
// seconds: it is then blocked on fifo, which is opened both ways to free it.
func within(t *testing.T, fifo string, args ...string) (int, string) {
	t.Helper()
	type result struct {
		code int
		out  string
	}
	done := make(chan result, 1)
	go func() {
		code, out := execute(args...)
		done <- result{code, out}
	}()
	select {
	case r := <-done:
		return r.code, r.out
	case <-time.After(10 * time.Second):
		t.Errorf("hsm-tool %s is blocked on the named pipe %s", strings.Join(args, " "), fifo)
		if f, err := os.OpenFile(fifo, os.O_RDWR|syscall.O_NONBLOCK, 0); err == nil {
			defer f.Close()
		}
		select {
		case r := <-done:
			return r.code, r.out
		case <-time.After(10 * time.Second):
			t.Fatal("still blocked")
		}
	}
	return 0, ""
}

// TestNamedPipesNeverBlock: a named pipe where hsm-tool expects a file (the token's lock
// file, which any user can plant in /run/lock; the audit log, with or without a reader;
// the PIN file; an input; the PKCS#11 module) is refused at once, naming the file. (Before,
// hsm-tool blocked for ever, after its started audit record for the lock file.)
func TestNamedPipesNeverBlock(t *testing.T) {
	cleanEnv(t)
	module, _ := hsmtest.NewToken(t, "fifo", "so-pin-1", "user-pin-1")
	dir, locks := t.TempDir(), t.TempDir()
	t.Setenv("HSM_TOOL_LOCK_DIR", locks)
	pin := filepath.Join(dir, "pin")
	if err := os.WriteFile(pin, []byte("user-pin-1"), 0o600); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "audit.log")
	base := []string{"--module", module, "--token-label", "fifo", "--pin-file", pin, "--audit-log", log}
	if code, out := execute(append(base, "kek", "generate", "--kek-id", "k1")...); code != exitOK {
		t.Fatalf("kek generate: %s", out)
	}
	lockFiles, err := filepath.Glob(filepath.Join(locks, "*.lock"))
	if err != nil || len(lockFiles) != 1 {
		t.Fatalf("lock files %v, %v", lockFiles, err)
	}
	if err := os.Remove(lockFiles[0]); err != nil {
		t.Fatal(err)
	}
	mkfifo(t, lockFiles[0])
	code, out := within(t, lockFiles[0], append(base, "kek", "generate", "--kek-id", "k2")...)
	if code != exitError || !strings.Contains(out, lockFiles[0]+" is not a regular file (a named pipe)") {
		t.Errorf("a named pipe as the lock file: exit %d:\n%s", code, out)
	}
	if data, _ := os.ReadFile(log); !strings.Contains(string(data), `"outcome":"error","error":"failed to generate KEK \"k2\"`) {
		t.Errorf("the audit log has no finished record for the refused step:\n%s", data)
	}

	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	for name, args := range map[string][]string{
		"audit log":   {"--module", module, "--token-label", "fifo", "--pin-file", pin, "--audit-log", fifo, "token", "info"},
		"PIN file":    {"--module", module, "--token-label", "fifo", "--pin-file", fifo, "token", "info"},
		"CSR":         append(base, "csr", "sign", "--csr", fifo, "--cluster", "c1", "--out-dir", filepath.Join(dir, "out")),
		"chain":       append(base, "verify", "--chain", fifo),
		"module":      {"--module", fifo, "--token-label", "fifo", "--pin-file", pin, "token", "info"},
		"bundle cert": {"bundle", "export", "--cluster", "c1", "--dir", dir, "--ca-cert", fifo, "--package", filepath.Join(dir, "pkg")},
	} {
		t.Run(name, func(t *testing.T) {
			code, out := within(t, fifo, args...)
			if code != exitError || !strings.Contains(out, fifo) || !strings.Contains(out, "not a regular file") {
				t.Errorf("exit %d:\n%s", code, out)
			}
		})
	}
	t.Run("module configuration", func(t *testing.T) {
		t.Setenv("SOFTHSM2_CONF", fifo)
		code, out := within(t, fifo, "--module", module, "--token-label", "fifo", "--pin-file", pin, "token", "info")
		if code != exitError || !strings.Contains(out, "SOFTHSM2_CONF="+fifo+" is not a regular file") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
	t.Run("audit log with a reader", func(t *testing.T) {
		reader, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer reader.Close()
		code, out := within(t, fifo, "--module", module, "--token-label", "fifo", "--pin-file", pin, "--audit-log", fifo, "token", "info")
		if code != exitError || !strings.Contains(out, "not a regular file") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
}
