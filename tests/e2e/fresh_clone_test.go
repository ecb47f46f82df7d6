package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImageModeOnAFreshClone: image mode works in a fresh clone of the repository, with
// nothing beside it and no container settings in the environment, as the README shows it:
// `eval "$(hack/container-runtime --env)"` finds the runtime with only what the clone
// carries (podman's defaults, or its own hack/podman/containers.conf, saying so), and kpt
// renders a blueprint with the images `make images` built, back to the committed files.
func TestImageModeOnAFreshClone(t *testing.T) {
	want := containerRuntime(t)
	git := requireTool(t, "git", "git")
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("the repository is not a git checkout here: nothing to clone")
	}
	clone := filepath.Join(t.TempDir(), "meshfn")
	if out, ok := runEnv(t, root, nil, git, "clone", "--quiet", "--depth", "1", "file://"+root, clone); !ok {
		t.Fatalf("git clone failed:\n%s", out)
	}
	env := environWithout("CONTAINERS_CONF", "KPT_FN_RUNTIME")

	// The README's line, in the clone.
	cmd := exec.Command("bash", "-c", `eval "$(hack/container-runtime --env)" && echo "${KPT_FN_RUNTIME-}" && echo "${CONTAINERS_CONF-}"`)
	cmd.Dir, cmd.Env = clone, env
	var said strings.Builder
	cmd.Stderr = &said
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hack/container-runtime --env failed in the clone: %v\n%s", err, said.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 2 || lines[0] != want {
		t.Fatalf("in the clone, hack/container-runtime --env set KPT_FN_RUNTIME and CONTAINERS_CONF to %q, want runtime %s (as make test found):\n%s", lines, want, said.String())
	}
	runtime, conf := lines[0], lines[1]
	if conf != "" {
		if own := filepath.Join(clone, "hack", "podman", "containers.conf"); conf != own {
			t.Fatalf("in the clone, podman runs with CONTAINERS_CONF=%s, want the clone's own %s", conf, own)
		}
		if !strings.Contains(said.String(), "podman's defaults cannot start a container here") {
			t.Errorf("hack/container-runtime used the repository's settings without saying so:\n%s", said.String())
		}
		env = append(env, "CONTAINERS_CONF="+conf)
	}

	// Render a blueprint whose generated files are removed: the images write them back.
	pkg := filepath.Join(clone, "blueprints", "control-plane-revision")
	committed := snapshot(t, pkg)
	if err := os.RemoveAll(filepath.Join(pkg, "generated")); err != nil {
		t.Fatal(err)
	}
	if diffTrees(committed, snapshot(t, pkg)) == "" {
		t.Fatal("removing generated/ changed nothing: the test would exercise nothing")
	}
	rendered, ok := runEnv(t, pkg, append(env, "KPT_FN_RUNTIME="+runtime),
		kptPath(t), "fn", "render", "--image-pull-policy", "never", "--truncate-output=false", ".")
	if !ok {
		t.Fatalf("kpt fn render with %s failed in the clone:\n%s", runtime, rendered)
	}
	if !strings.Contains(rendered, `[RUNNING] "ghcr.io/meshfn/generate-revision:`+version(t)+`"`) {
		t.Errorf("kpt did not run the generate-revision image:\n%s", rendered)
	}
	if d := diffTrees(committed, snapshot(t, pkg)); d != "" {
		t.Errorf("image mode in the clone did not render the committed files:\n%s", d)
	}
}

// environWithout is the test's environment without the variables named.
func environWithout(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			keep = keep && name != n
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}
