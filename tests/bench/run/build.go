package main

import (
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/meshfn/meshfn/tests/bench/baseline"
)

// benchCache is where baselines and other builds go: git ignores .cache.
const benchCache = baseline.Cache

// buildBaseline builds inject-sidecar from commit (package baseline) and returns the
// binary and the commit's short name.
func buildBaseline(commit string) (path, label string, err error) {
	dir, label, err := baseline.Build(commit, "./functions/inject-sidecar")
	if err != nil {
		return "", "", err
	}
	return filepath.Join(dir, "inject-sidecar"), label, nil
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

func output(name string, args ...string) (string, error) { return baseline.Output(name, args...) }
