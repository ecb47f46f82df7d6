// Package baseline builds the project's commands as they were at another commit, for
// benchmarks that compare a change with what came before, in the same run.
package baseline

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Cache is where baselines go: git ignores .cache.
const Cache = ".cache/bench"

// Build builds the packages (e.g. ./functions/inject-sidecar) from commit, in a git
// worktree of it that is removed afterwards, into .cache/bench/COMMIT/ (kept: the same
// commit and packages are built once). It returns that folder and the commit's short name.
// It runs in the repository's root.
func Build(commit string, packages ...string) (dir, label string, err error) {
	sha, err := Output("git", "rev-parse", "--verify", commit+"^{commit}")
	if err != nil {
		return "", "", fmt.Errorf("baseline %s: %w", commit, err)
	}
	label = sha[:12]
	dir, err = filepath.Abs(filepath.Join(Cache, sha))
	if err != nil {
		return "", "", err
	}
	missing := false
	for _, p := range packages {
		if _, err := os.Stat(filepath.Join(dir, filepath.Base(p))); err != nil {
			missing = true
		}
	}
	if !missing {
		return dir, label, nil
	}
	src, err := filepath.Abs(filepath.Join(Cache, "src-"+sha))
	if err != nil {
		return "", "", err
	}
	os.RemoveAll(src)
	if _, err := Output("git", "worktree", "add", "--detach", src, sha); err != nil {
		return "", "", err
	}
	defer func() {
		if _, rmErr := Output("git", "worktree", "remove", "--force", src); rmErr != nil && err == nil {
			err = rmErr
		}
	}()
	build := exec.Command("go", append([]string{"build", "-o", dir + string(filepath.Separator)}, packages...)...)
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("building the baseline: %v\n%s", err, out)
	}
	return dir, label, nil
}

// Output runs a command and returns its output, trimmed; the error carries the output.
func Output(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}
