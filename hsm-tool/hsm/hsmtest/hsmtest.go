// Package hsmtest creates throw-away SoftHSM2 tokens for tests.
//
// NewToken writes a softhsm2.conf whose token directory is in t.TempDir(),
// points SOFTHSM2_CONF at it with t.Setenv (so tests using it cannot call
// t.Parallel) and initializes a token with softhsm2-util. Tests skip when
// SoftHSM2 is not installed or the build has no cgo (PKCS#11 needs it), and
// fail instead when MESHFN_REQUIRE_TOOLS is set (as `make test` does).
//
// SoftHSM2 reads SOFTHSM2_CONF when the module is initialized, so open tokens
// only after NewToken, and close them before the test ends: hsm.Token
// finalizes the module when its last token closes, and the next test's
// configuration is read afresh.
package hsmtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/meshfn/meshfn/internal/missing"
)

// Module is the SoftHSM2 PKCS#11 module installed by Debian's softhsm2 package.
const Module = "/usr/lib/softhsm/libsofthsm2.so"

// Util is the SoftHSM2 token utility.
const Util = "softhsm2-util"

// Require skips t when SoftHSM2 is missing or the build has no cgo (fails it
// under MESHFN_REQUIRE_TOOLS) and returns the path of softhsm2-util.
func Require(t testing.TB) string {
	t.Helper()
	if !withCgo {
		missing.Tool(t, "built without cgo (CGO_ENABLED=0, or no C compiler: Go turns cgo off when `go env CC` is not installed), "+
			"and PKCS#11 needs it; install gcc (`make test` does)")
	}
	var absent []string
	if _, err := os.Stat(Module); err != nil {
		absent = append(absent, Module)
	}
	util, err := exec.LookPath(Util)
	if err != nil {
		absent = append(absent, Util)
	}
	if len(absent) == 0 {
		return util
	}
	missing.Tool(t, "SoftHSM2 not installed (missing %v); install the softhsm2 package (`make test` does)", absent)
	return ""
}

// NewToken sets up a fresh SoftHSM2 configuration for t and initializes a
// token labelled label with the given SO and user PINs. It returns the module
// path to open and a cleanup that deletes the token directory (also run
// automatically when t ends; calling it early is allowed).
func NewToken(t testing.TB, label, soPIN, userPIN string) (module string, cleanup func()) {
	t.Helper()
	Require(t)
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatalf("hsmtest: creating the token directory: %v", err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	body := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatalf("hsmtest: writing %s: %v", conf, err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	InitToken(t, label, soPIN, userPIN)
	cleanup = func() { _ = os.RemoveAll(tokens) }
	t.Cleanup(cleanup)
	return Module, cleanup
}

// InitToken initializes one more token in the configuration NewToken set up,
// for tests that need several tokens.
func InitToken(t testing.TB, label, soPIN, userPIN string) {
	t.Helper()
	util := Require(t)
	if os.Getenv("SOFTHSM2_CONF") == "" {
		t.Fatal("hsmtest: InitToken needs SOFTHSM2_CONF; call NewToken first")
	}
	cmd := exec.Command(util, "--init-token", "--free", "--label", label, "--so-pin", soPIN, "--pin", userPIN)
	out, err := cmd.CombinedOutput()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("hsmtest: softhsm2-util --init-token --label %q failed (%v):\n%s", label, err, out)
		}
		t.Fatalf("hsmtest: running softhsm2-util: %v", err)
	}
}
