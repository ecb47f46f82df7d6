package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// benchCache is where baselines and other builds go: git ignores .cache.
const benchCache = ".cache/bench"

// buildBaseline builds inject-sidecar from commit, in a git worktree of it that is
// removed afterwards, into .cache/bench/COMMIT/ (kept: the same commit is built once).
// It returns the binary and the commit's short name.
func buildBaseline(commit string) (path, label string, err error) {
	sha, err := output("git", "rev-parse", "--verify", commit+"^{commit}")
	if err != nil {
		return "", "", fmt.Errorf("baseline %s: %w", commit, err)
	}
	label = sha[:12]
	binDir, err := filepath.Abs(filepath.Join(benchCache, sha))
	if err != nil {
		return "", "", err
	}
	path = filepath.Join(binDir, "inject-sidecar")
	if _, err := os.Stat(path); err == nil {
		return path, label, nil
	}
	src, err := filepath.Abs(filepath.Join(benchCache, "src-"+sha))
	if err != nil {
		return "", "", err
	}
	os.RemoveAll(src)
	if _, err := output("git", "worktree", "add", "--detach", src, sha); err != nil {
		return "", "", err
	}
	defer func() {
		if _, rmErr := output("git", "worktree", "remove", "--force", src); rmErr != nil && err == nil {
			err = rmErr
		}
	}()
	build := exec.Command("go", "build", "-o", binDir+string(filepath.Separator), "./functions/inject-sidecar")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("building the baseline: %v\n%s", err, out)
	}
	return path, label, nil
}

// buildKyamlNoop builds tests/bench/kyamlnoop with another kyaml version, through a go.mod
// of its own in .cache/bench/kyaml-VERSION that requires only that (go build -modfile).
func buildKyamlNoop(version string) (string, error) {
	dir, err := filepath.Abs(filepath.Join(benchCache, "kyaml-"+version))
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "kyamlnoop")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	modfile := filepath.Join(dir, "go.mod")
	goVersion, err := output("go", "list", "-m", "-f", "{{.GoVersion}}")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(modfile, []byte("module github.com/meshfn/meshfn\n\ngo "+goVersion+"\n"), 0o644); err != nil {
		return "", err
	}
	if _, err := output("go", "get", "-modfile="+modfile, "sigs.k8s.io/kustomize/kyaml/fn/framework@"+version); err != nil {
		return "", err
	}
	if _, err := output("go", "build", "-modfile="+modfile, "-o", path, "./tests/bench/kyamlnoop"); err != nil {
		return "", err
	}
	return path, nil
}

// moduleKyaml is the kyaml version this module (and so bin/kyamlnoop) uses.
func moduleKyaml() string {
	if v, err := output("go", "list", "-m", "-f", "{{.Version}}", "sigs.k8s.io/kustomize/kyaml"); err == nil {
		return v
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "sigs.k8s.io/kustomize/kyaml" {
				return d.Version
			}
		}
	}
	return "(module)"
}

func output(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}
