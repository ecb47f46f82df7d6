package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// functionOf is the folder under functions/ a package of the module is in ("" for a
// package outside functions/).
func functionOf(pkg string) string {
	rest, ok := strings.CutPrefix(pkg, "github.com/meshfn/meshfn/functions/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// TestFunctionsImportNoOtherFunction: no package of a function (functions/X/...) depends,
// directly or through internal/, on a package of another function (functions/Y/...).
// What functions share (config kinds, labels, file names, the injection engine) lives in
// internal/; a function's package is its own.
func TestFunctionsImportNoOtherFunction(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./functions/...")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./functions/...: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 7 {
		t.Fatalf("go list found %d packages under functions/, expected every function's:\n%s", len(lines), out)
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		pkg, own := fields[0], functionOf(fields[0])
		if own == "" {
			t.Errorf("go list ./functions/... listed %s, which is not under functions/", pkg)
			continue
		}
		for _, dep := range fields[1:] {
			if other := functionOf(dep); other != "" && other != own {
				t.Errorf("%s (function %s) depends on %s (function %s): move what they share to internal/", pkg, own, dep, other)
			}
		}
	}
}
