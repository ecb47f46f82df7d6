// Package missing decides what a test does when something it needs from outside the
// repository is not there: on a developer's machine it skips, saying what is missing; in a
// run that promises to have it, it fails, so that a run never reports as passed what it
// did not run.
//
//   - Tools (kpt, kustomize, SoftHSM2, openssl, cgo for PKCS#11, a container runtime):
//     `make test` installs them and sets MESHFN_REQUIRE_TOOLS=1.
//   - Istio's test corpora (../shared/istio-*): no make target can fetch them, so `make
//     test` only says which are missing; .ci/run sets MESHFN_REQUIRE_CORPORA=1.
//
// It is test support: only _test.go files and test helper packages import it.
package missing

import (
	"fmt"
	"os"
	"testing"
)

// Environment variables under which a missing tool or corpus fails the test.
const (
	ToolsEnvVar   = "MESHFN_REQUIRE_TOOLS"
	CorporaEnvVar = "MESHFN_REQUIRE_CORPORA"
)

// Tool skips t, saying why, or fails it under MESHFN_REQUIRE_TOOLS.
func Tool(t testing.TB, format string, args ...any) {
	t.Helper()
	stop(t, ToolsEnvVar, format, args...)
}

// Corpus skips t, saying why, or fails it under MESHFN_REQUIRE_CORPORA.
func Corpus(t testing.TB, format string, args ...any) {
	t.Helper()
	stop(t, CorporaEnvVar, format, args...)
}

func stop(t testing.TB, envVar, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(envVar) != "" {
		t.Fatalf("%s (%s is set: a missing one fails the run)", msg, envVar)
	}
	t.Skip(msg)
}
