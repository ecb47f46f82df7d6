// Package e2e runs meshfn's functions the way users do: through the real kpt binary
// (declarative `kpt fn render` and imperative `kpt fn eval`) and through standalone
// kustomize as KRM exec plugins, over the repository's blueprints and test packages.
//
// `make test` provides the tools: MESHFN_BIN (the built functions), MESHFN_KUSTOMIZE and
// MESHFN_REQUIRE_TOOLS=1, under which a missing tool fails the run instead of skipping.
package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/meshfn/meshfn/internal/kptexec"
	"github.com/meshfn/meshfn/internal/missing"
)

// functions built from this repository, by binary name.
var functions = kptexec.Functions()

// binaries are every program the tests run, by name, with their package.
var binaries = append(functionPackages(), [2]string{"hsm-tool", "./hsm-tool"}, [2]string{"render-exec", "./hack/render-exec"})

func functionPackages() [][2]string {
	var out [][2]string
	for _, f := range functions {
		out = append(out, [2]string{f, "./functions/" + f})
	}
	return out
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// repoRoot is the repository's top folder.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// functionBin returns the folder holding the function binaries: MESHFN_BIN, or binaries
// built once for this test run.
func functionBin(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("MESHFN_BIN"); dir != "" {
		for _, b := range binaries {
			if _, err := os.Stat(filepath.Join(dir, b[0])); err != nil {
				t.Fatalf("MESHFN_BIN=%s lacks %s (run make build): %v", dir, b[0], err)
			}
		}
		return dir
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "meshfn-bin-")
		if buildErr != nil {
			return
		}
		args := []string{"build", "-o", binDir + "/"}
		for _, b := range binaries {
			args = append(args, b[1])
		}
		cmd := exec.Command("go", args...)
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = &buildError{out: string(out), err: err}
		}
	})
	if buildErr != nil {
		t.Fatalf("building the functions: %v", buildErr)
	}
	return binDir
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// requireTool finds a tool or skips (fails under MESHFN_REQUIRE_TOOLS) with why.
func requireTool(t testing.TB, path, why string) string {
	t.Helper()
	if path != "" {
		if p, err := exec.LookPath(path); err == nil {
			return p
		}
	}
	missing.Tool(t, "%s not found (%s); `make test` installs it", why, path)
	return ""
}

func kptPath(t testing.TB) string { return requireTool(t, "kpt", "kpt") }

func kustomizePath(t testing.TB) string {
	p := os.Getenv("MESHFN_KUSTOMIZE")
	if p == "" {
		p = filepath.Join(repoRoot(t), ".cache", "tools", "kustomize-v5.8.2", "kustomize")
	}
	return requireTool(t, p, "standalone kustomize v5.8.2")
}

// toolEnv is the environment for kpt and kustomize: the functions first on PATH.
func toolEnv(t testing.TB) []string {
	return append(os.Environ(), "PATH="+functionBin(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
}
