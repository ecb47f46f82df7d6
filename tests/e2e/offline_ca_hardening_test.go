package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// raceHSMTool runs n hsm-tool processes at once with the arguments args(i) and returns
// how many succeeded, with the output of each.
func (c *ceremony) race(n int, args func(i int) []string) (int, []string) {
	c.t.Helper()
	outs := make([]string, n)
	oks := make([]bool, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := 0; i < n; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			outs[i], oks[i] = c.run(args(i)...)
		}()
	}
	start.Done()
	done.Wait()
	won := 0
	for _, ok := range oks {
		if ok {
			won++
		}
	}
	return won, outs
}

// objectLines returns the lines of token info that describe objects labelled label.
func objectLines(info, label string) []string {
	var lines []string
	for _, l := range strings.Split(info, "\n") {
		if strings.Contains(l, fmt.Sprintf("label=%q", label)) {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return lines
}

// TestOfflineCAConcurrentCeremonies runs 8 hsm-tool processes at once against one SoftHSM2
// token, creating the same root and the same KEK: exactly one of each wins, the losers
// fail without touching what the winner made, and the root key still signs. (Before the
// fix two roots "won", and a loser's cleanup deleted every key labelled race-root.)
func TestOfflineCAConcurrentCeremonies(t *testing.T) {
	c := newCeremony(t)
	const n = 8
	won, outs := c.race(n, func(i int) []string {
		return []string{"root", "create", "--label", "race-root", "--key-type", "ecdsa-p256", "-o", fmt.Sprintf("root-%d.pem", i)}
	})
	if won != 1 {
		t.Errorf("%d of %d root create runs succeeded, want exactly 1:\n%s", won, n, strings.Join(outs, "\n"))
	}
	won, outs = c.race(n, func(int) []string { return []string{"kek", "generate", "--kek-id", "race-kek"} })
	if won != 1 {
		t.Errorf("%d of %d kek generate runs succeeded, want exactly 1:\n%s", won, n, strings.Join(outs, "\n"))
	}

	info := c.must("token", "info")
	root := objectLines(info, "race-root")
	for _, class := range []string{"CKO_PRIVATE_KEY", "CKO_PUBLIC_KEY", "CKO_CERTIFICATE"} {
		if got := strings.Count(strings.Join(root, "\n"), class); got != 1 {
			t.Errorf("the token holds %d %s labelled race-root, want 1:\n%s", got, class, strings.Join(root, "\n"))
		}
	}
	if kek := objectLines(info, "race-kek"); len(kek) != 1 {
		t.Errorf("the token holds %d objects labelled race-kek, want 1:\n%s", len(kek), strings.Join(kek, "\n"))
	}
	written := 0
	for i := 0; i < n; i++ {
		if _, err := os.Stat(filepath.Join(c.dir, fmt.Sprintf("root-%d.pem", i))); err == nil {
			written++
		}
	}
	if written != 1 {
		t.Errorf("%d root certificates were written, want 1", written)
	}
	// The surviving key is the certificate's: it signs an intermediate that verifies.
	c.istiodCSR("istiod.csr", 0)
	if err := os.Mkdir(filepath.Join(c.dir, "c1"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.must("csr", "sign", "--csr", "istiod.csr", "--cluster", "c1", "--root-label", "race-root", "--out-dir", "c1")
	c.must("verify", "--chain", "c1/cert-chain.pem", "--root-label", "race-root")
}

// auditRecords returns the records of the audit log, one map per line.
func auditRecords(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// TestOfflineCAAuditBeforeActing: an audit log that cannot be written stops the command
// before it touches the token or writes a file; failures before and inside the token
// (a wrong PIN, a missing PIN file, Vault out of reach) leave a started and a finished
// record. (Before the fix kek generate created the KEK and then failed to log, and
// those failures left no record.)
func TestOfflineCAAuditBeforeActing(t *testing.T) {
	c := newCeremony(t)
	c.must("root", "create", "--label", "mesh-root", "--key-type", "ecdsa-p256", "-o", "root-cert.pem")
	c.istiodCSR("istiod.csr", 0)
	if err := os.Mkdir(filepath.Join(c.dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(functionBin(t), "hsm-tool")
	missing := filepath.Join(c.dir, "no-such-folder", "audit.log")
	for _, args := range [][]string{
		{"kek", "generate", "--kek-id", "unlogged-kek"},
		{"csr", "sign", "--csr", "istiod.csr", "--cluster", "c1", "--root-label", "mesh-root", "--out-dir", "out"},
	} {
		before := snapshot(t, c.dir)
		out, ok := run(t, c.dir, bin, append([]string{"--audit-log", missing}, args...)...)
		if ok || !strings.Contains(out, "audit log") {
			t.Errorf("hsm-tool %s with an unwritable audit log: ok=%v\n%s", strings.Join(args, " "), ok, out)
		}
		if d := diffTrees(before, snapshot(t, c.dir)); d != "" {
			t.Errorf("hsm-tool %s changed files without an audit log:\n%s", strings.Join(args, " "), d)
		}
	}
	if info := c.must("token", "info"); strings.Contains(info, "unlogged-kek") {
		t.Errorf("the KEK was created without an audit record:\n%s", info)
	}

	failures := []struct {
		name string
		env  map[string]string
	}{
		{"wrong PIN", map[string]string{"P11_PIN_FILE": writeSecret(t, c.dir, "bad-pin", "0000")}},
		{"missing PIN file", map[string]string{"P11_PIN_FILE": filepath.Join(c.dir, "no-pin")}},
		{"Vault out of reach", map[string]string{"P11_PIN_FILE": "", "HSM_SECRET_PATH": "asm-c1/hsm",
			"VAULT_ADDR": "http://127.0.0.1:1", "VAULT_TOKEN": "hvs.e2e-token"}},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			for k, v := range f.env {
				t.Setenv(k, v)
			}
			log := filepath.Join(t.TempDir(), "audit.log")
			out, ok := run(t, c.dir, bin, "--audit-log", log, "kek", "generate", "--kek-id", "kek-"+strings.ReplaceAll(f.name, " ", "-"))
			if ok {
				t.Fatalf("succeeded:\n%s", out)
			}
			recs := auditRecords(t, log)
			if len(recs) != 2 || recs[0]["event"] != "started" || recs[1]["event"] != "finished" || recs[1]["outcome"] != "error" {
				t.Fatalf("audit records %v, want started then finished with an error", recs)
			}
			if recs[0]["operation"] != recs[1]["operation"] || recs[1]["command"] != "kek generate" {
				t.Errorf("audit records %v do not pair", recs)
			}
			for _, secret := range []string{testPIN, "hvs.e2e-token"} {
				if strings.Contains(readFile(t, filepath.Dir(log), "audit.log")+out, secret) {
					t.Errorf("a secret appears in the audit log or output")
				}
			}
		})
	}
}
