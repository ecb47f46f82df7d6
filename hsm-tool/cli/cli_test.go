package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/hsm/hsmtest"
)

// execute runs hsm-tool in-process and returns its exit code and output.
func execute(args ...string) (int, string) {
	var out bytes.Buffer
	code := Execute(args, &out, &out)
	return code, out.String()
}

// cleanEnv clears the environment hsm-tool reads its defaults from.
func cleanEnv(t *testing.T) {
	for _, k := range []string{"P11_LIB", "P11_TOKEN", "P11_PIN_FILE", "HSM_SECRET_PATH", "HSM_TOOL_AUDIT_LOG",
		"VAULT_ADDR", "VAULT_TOKEN", "VAULT_CACERT", "VAULT_NAMESPACE", "VAULT_ROLE_ID", "VAULT_SECRET_ID_FILE"} {
		t.Setenv(k, "")
	}
}

// TestUsageErrorsNameFlags: command-line mistakes exit 2 and name the flags, never Go
// fields. (Before the fix, --token-label with --slot exited 1 with "both
// Config.TokenLabel ... and Config.Slot".)
func TestUsageErrorsNameFlags(t *testing.T) {
	cleanEnv(t)
	pin := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pin, []byte("1234"), 0o600); err != nil {
		t.Fatal(err)
	}
	token := []string{"--module", hsmtest.Module, "--token-label", "asm", "--pin-file", pin}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"label and slot", []string{"--module", hsmtest.Module, "--token-label", "asm", "--slot", "3", "--pin-file", pin, "token", "info"}, []string{"--token-label", "--slot"}},
		{"slot not a number", []string{"--module", hsmtest.Module, "--slot", "three", "--pin-file", pin, "token", "info"}, []string{"--slot"}},
		{"no module", []string{"--token-label", "asm", "--pin-file", pin, "token", "info"}, []string{"--module"}},
		{"no token", []string{"--module", hsmtest.Module, "--pin-file", pin, "token", "info"}, []string{"--token-label", "--slot"}},
		{"no PIN source", []string{"--module", hsmtest.Module, "--token-label", "asm", "token", "info"}, []string{"--pin-file", "--vault-secret-path"}},
		{"two PIN sources", append(token, "--vault-secret-path", "asm/hsm", "token", "info"), []string{"--pin-file", "--vault-secret-path"}},
		{"Vault auth unknown", []string{"--module", hsmtest.Module, "--token-label", "asm", "--vault-secret-path", "asm/hsm", "--vault-auth", "ldap", "token", "info"}, []string{"--vault-auth"}},
		{"no KEK id", append(token, "kek", "generate"), []string{"--kek-id"}},
		{"bad key type", append(token, "root", "create", "--key-type", "dsa"), []string{"--key-type"}},
		{"negative root validity", append(token, "root", "create", "--validity", "-1h"), []string{"--validity"}},
		{"sign without CSR", append(token, "csr", "sign", "--cluster", "c1"), []string{"--csr", "--out-dir"}},
		{"sign with zero validity", append(token, "csr", "sign", "--csr", "x", "--cluster", "c1", "--out-dir", "o", "--validity", "0s"), []string{"--validity"}},
		{"unknown flow", []string{"bundle", "export", "--cluster", "c1", "--package", "p", "--flow", "vault"}, []string{"--flow"}},
		{"plugged-in without store", []string{"bundle", "export", "--cluster", "c1", "--package", "p", "--flow", "plugged-in"}, []string{"--ca-key-store"}},
		{"unknown flag", []string{"kek", "generate", "--kek", "x"}, []string{"--kek"}},
		{"stray argument", append(token, "verify", "chain.pem"), []string{"chain.pem"}},
		{"group alone", []string{"csr"}, []string{"subcommand"}},
		{"unknown command", []string{"bogus"}, []string{`unknown command "bogus" for "hsm-tool"`}},
		{"unknown command near a known one", []string{"tokn", "info"}, []string{`unknown command "tokn"`, "Did you mean this?", "token"}},
		{"unknown subcommand", []string{"csr", "bogus"}, []string{`unknown command "bogus" for "hsm-tool csr"`}},
		{"unknown command after flags", []string{"--audit-log", "a.log", "bogus"}, []string{`unknown command "bogus"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out := execute(tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d:\n%s", code, exitUsage, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("the message does not name %s:\n%s", w, out)
				}
			}
			if strings.Contains(out, "Config.") {
				t.Errorf("the message names Go fields:\n%s", out)
			}
		})
	}
}

// TestCommandsOnSoftHSM runs commands in-process against a SoftHSM2 token: the CLI maps
// flags onto the ceremony and prints its results.
func TestCommandsOnSoftHSM(t *testing.T) {
	cleanEnv(t)
	module, _ := hsmtest.NewToken(t, "cli", "so-pin-1", "user-pin-1")
	dir := t.TempDir()
	pin := filepath.Join(dir, "pin")
	if err := os.WriteFile(pin, []byte("user-pin-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "audit.log")
	base := []string{"--module", module, "--token-label", "cli", "--pin-file", pin, "--audit-log", log}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"kek", "generate", "--kek-id", "k1"}, exitOK, `generated KEK "k1" on token "cli"`},
		{[]string{"kek", "generate", "--kek-id", "k1"}, exitError, "exists"},
		{[]string{"root", "create", "--label", "r1", "--key-type", "ecdsa-p256", "-o", filepath.Join(dir, "root.pem")}, exitOK, "SHA-256"},
		{[]string{"ca", "import", "-f", filepath.Join(dir, "root.pem"), "--label", "r1-copy"}, exitOK, `stored "r1-copy"`},
		{[]string{"token", "info"}, exitOK, `label="k1"`},
		{[]string{"verify", "--chain", filepath.Join(dir, "root.pem"), "--root-label", "r1"}, exitOK, "verifies"},
	} {
		code, out := execute(append(base, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("hsm-tool %s: exit %d, want %d and %q:\n%s", strings.Join(tc.args, " "), code, tc.code, tc.want, out)
		}
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), `"event":"started"`); n != 6 {
		t.Errorf("%d started records, want 6:\n%s", n, data)
	}
}

// TestPINFileRefusedBeforeLogin: a PIN file readable by group or others, or larger than
// any PIN, is refused before the token is asked (no login try spent on it). (Before the
// fix both were read and sent to C_Login: the 0644 file opened the token.)
func TestPINFileRefusedBeforeLogin(t *testing.T) {
	cleanEnv(t)
	module, _ := hsmtest.NewToken(t, "pins", "so-pin-1", "user-pin-1")
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"readable by others", "user-pin-1\n", 0o644, "readable by group or others"},
		{"readable by group", "user-pin-1\n", 0o640, "readable by group or others"},
		{"huge", strings.Repeat("user-pin-1", 1<<20), 0o600, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pin := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(pin, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(pin, tc.mode); err != nil {
				t.Fatal(err)
			}
			code, out := execute("--module", module, "--token-label", "pins", "--pin-file", pin, "token", "info")
			if code != exitError || !strings.Contains(out, tc.want) || strings.Contains(out, "PIN incorrect") {
				t.Errorf("exit %d, want %d and %q before any login:\n%s", code, exitError, tc.want, out)
			}
		})
	}
}
