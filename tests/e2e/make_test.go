package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestContainerRuntimeMustRunAContainer: hack/container-runtime names a runtime only when
// it starts a container. Podman configured with a file limit no process may set (above the
// kernel's nr_open) answers `podman info` but cannot start any container, as on hosts where
// runc may not set the default rlimits: it must be passed over, so that `make test` skips
// container mode, saying why, instead of failing.
func TestContainerRuntimeMustRunAContainer(t *testing.T) {
	podmanPath(t)
	conf := filepath.Join(t.TempDir(), "containers.conf")
	if err := os.WriteFile(conf, []byte("[containers]\ndefault_ulimits = [\"nofile=2000000000:2000000000\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, why := runContainerRuntime(t, "CONTAINERS_CONF="+conf)
	if got != "" {
		t.Errorf("container-runtime named %q for a podman that cannot start a container", got)
	}
	if !strings.Contains(why, "podman answers but cannot run a container") {
		t.Errorf("container-runtime did not say why it passed podman over:\n%s", why)
	}
	if os.Getenv("MESHFN_CONTAINER_RUNTIME") == "podman" {
		if got, why := runContainerRuntime(t); got != "podman" {
			t.Errorf("container-runtime named %q where podman runs containers:\n%s", got, why)
		}
	}
}

// runContainerRuntime runs hack/container-runtime with more environment, and returns what
// it printed and what it said on standard error.
func runContainerRuntime(t *testing.T, env ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(repoRoot(t), "hack", "container-runtime"))
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("container-runtime failed: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(stdout.String()), stderr.String()
}

// TestMakeTestSaysWhatItSkips: without Istio's corpora the fidelity tests skip, and
// `make test` says so in a NOTE, as it does for container mode.
func TestMakeTestSaysWhatItSkips(t *testing.T) {
	make := requireTool(t, "make", "GNU make")
	missing := filepath.Join(t.TempDir(), "missing")
	out, ok := runEnv(t, repoRoot(t), []string{"MESHFN_ISTIO_CORPUS=" + missing, "MESHFN_ISTIO_ANALYZE_CORPUS=" + missing,
		"MESHFN_ISTIO_RELEASE_CORPORA=" + missing},
		make, "--no-print-directory", "-s", "corpora")
	if !ok {
		t.Fatalf("make corpora failed:\n%s", out)
	}
	for _, want := range []string{
		"NOTE: Istio's injection corpus is not at " + missing,
		"NOTE: Istio's analyzer corpus is not at " + missing,
		"NOTE: Istio's per-release injection corpora are not at " + missing,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("make corpora does not say %q:\n%s", want, out)
		}
	}
}

// TestMakeTestDoesNotFuzz: `make test` does not mutate fuzz inputs, so that it passes or
// fails alike on every run (a fuzzer's random find, or its deadline missed on a loaded
// host, failed it otherwise); its go test runs every fuzz target's seeds and committed
// testdata/fuzz inputs. `make fuzz` runs hack/fuzz for a time.
func TestMakeTestDoesNotFuzz(t *testing.T) {
	make := requireTool(t, "make", "GNU make")
	for _, tc := range []struct {
		target string
		fuzz   *regexp.Regexp // hack/fuzz's argument; nil: no hack/fuzz and no go test -fuzz
	}{
		{target: "test"},
		{target: "fuzz", fuzz: regexp.MustCompile(`^[0-9]+(ns|us|ms|s|m|h)$`)},
	} {
		out, ok := runEnv(t, repoRoot(t), nil, make, "--no-print-directory", "-n", tc.target)
		if !ok {
			t.Fatalf("make -n %s failed:\n%s", tc.target, out)
		}
		var args []string
		goTests := 0
		for _, line := range strings.Split(out, "\n") {
			line = strings.TrimSpace(line)
			if rest, found := strings.CutPrefix(line, "hack/fuzz"); found {
				args = append(args, strings.TrimSpace(rest))
			}
			if strings.Contains(line, " test ") && strings.Contains(line, "./...") {
				goTests++
				if strings.Contains(line, "-fuzz") || strings.Contains(line, "-run") {
					t.Errorf("make %s runs go test with -fuzz or -run, which leaves out or mutates fuzz inputs: %s", tc.target, line)
				}
			}
		}
		switch {
		case tc.fuzz == nil && len(args) != 0:
			t.Errorf("make %s runs hack/fuzz %q: it fuzzes, so a random find can fail it", tc.target, args)
		case tc.fuzz == nil && goTests != 1:
			t.Errorf("make %s runs go test ./... %d times, want once (it runs the fuzz targets' seeds and testdata inputs):\n%s", tc.target, goTests, out)
		case tc.fuzz != nil && (len(args) != 1 || !tc.fuzz.MatchString(args[0])):
			t.Errorf("make %s runs hack/fuzz with %q, want one run with an argument matching %s", tc.target, args, tc.fuzz)
		}
	}
}

// TestMakeTestFailsWhereContainersCannotRun: where podman is installed but cannot start a
// container (here: with settings that ask for a file limit no process may have), `make
// test` fails at `make images`, saying why and how to run without container mode, instead
// of skipping container mode with a note; SKIP_CONTAINERS=1 skips it, saying so.
func TestMakeTestFailsWhereContainersCannotRun(t *testing.T) {
	podmanPath(t)
	make := requireTool(t, "make", "GNU make")
	conf := filepath.Join(t.TempDir(), "containers.conf")
	if err := os.WriteFile(conf, []byte("[containers]\ndefault_ulimits = [\"nofile=2000000000:2000000000\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"CONTAINERS_CONF=" + conf}
	out, ok := runEnv(t, repoRoot(t), env, make, "--no-print-directory", "-s", "images", "IMAGES_OPTIONAL=1")
	if ok {
		t.Errorf("make images succeeded where podman cannot start a container:\n%s", out)
	}
	for _, want := range []string{"podman answers but cannot run a container", "cannot start a container here", "SKIP_CONTAINERS=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("make images does not say %q:\n%s", want, out)
		}
	}
	out, ok = runEnv(t, repoRoot(t), env, make, "--no-print-directory", "-s", "images", "IMAGES_OPTIONAL=1", "SKIP_CONTAINERS=1")
	if !ok || !strings.Contains(out, "NOTE: SKIP_CONTAINERS is set") {
		t.Errorf("make images with SKIP_CONTAINERS=1 did not skip the images, saying so (ok: %v):\n%s", ok, out)
	}
}

// TestMakeRenderBuildsOnlyWhatItRuns: `make render` builds the functions and render-exec,
// not hsm-tool, which rendering does not run; `make build` builds all three.
func TestMakeRenderBuildsOnlyWhatItRuns(t *testing.T) {
	make := requireTool(t, "make", "GNU make")
	for target, wantHSM := range map[string]bool{"render": false, "build": true} {
		out, ok := runEnv(t, repoRoot(t), nil, make, "--no-print-directory", "-n", target)
		if !ok {
			t.Fatalf("make -n %s failed:\n%s", target, out)
		}
		var build string
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "hack/build ") {
				build = line
			}
		}
		for _, f := range append(functions, "render-exec") {
			if !strings.Contains(build, "/"+f+" ") && !strings.HasSuffix(build, "/"+f) {
				t.Errorf("make %s does not build %s: %q", target, f, build)
			}
		}
		if got := strings.Contains(build, "./hsm-tool"); got != wantHSM {
			t.Errorf("make %s builds hsm-tool: %v, want %v: %q", target, got, wantHSM, build)
		}
	}
}

// TestMakeTestFailsWithoutAContainerRuntime: where neither podman nor docker is installed,
// `make test` fails at `make images`, saying so and how to run without container mode,
// instead of skipping container mode (it sets MESHFN_REQUIRE_TOOLS: a missing tool fails
// the run); `make bench` only says so, and SKIP_CONTAINERS=1 skips container mode, saying
// so. Run with a PATH that holds everything this one does but podman and docker.
func TestMakeTestFailsWithoutAContainerRuntime(t *testing.T) {
	make := requireTool(t, "make", "GNU make")
	env := []string{"PATH=" + pathWithout(t, "podman", "docker")}
	images := func(vars ...string) (string, bool) {
		return runEnv(t, repoRoot(t), env, make, append([]string{"--no-print-directory", "-s", "images"}, vars...)...)
	}

	// What test and bench set (test: IMAGES_OPTIONAL and CONTAINERS_REQUIRED; bench:
	// IMAGES_OPTIONAL), and what `make test` passes on to its own images step.
	out, ok := images("IMAGES_OPTIONAL=1", "CONTAINERS_REQUIRED=1")
	if ok {
		t.Errorf("make images for make test succeeded where neither podman nor docker is installed:\n%s", out)
	}
	for _, want := range []string{"neither podman nor docker is installed", "SKIP_CONTAINERS=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("make images for make test does not say %q:\n%s", want, out)
		}
	}
	out, ok = images("IMAGES_OPTIONAL=1")
	if !ok || !strings.Contains(out, "NOTE: neither podman nor docker is installed") {
		t.Errorf("make images for make bench did not skip the images, saying so (ok: %v):\n%s", ok, out)
	}
	out, ok = images("IMAGES_OPTIONAL=1", "CONTAINERS_REQUIRED=1", "SKIP_CONTAINERS=1")
	if !ok || !strings.Contains(out, "NOTE: SKIP_CONTAINERS is set") {
		t.Errorf("make images with SKIP_CONTAINERS=1 did not skip the images, saying so (ok: %v):\n%s", ok, out)
	}
	out, ok = runEnv(t, repoRoot(t), env, make, "--no-print-directory", "-p", "-n", "test")
	if !ok || !regexp.MustCompile(`(?m)^test: CONTAINERS_REQUIRED := 1$`).MatchString(out) {
		t.Errorf("make test does not set CONTAINERS_REQUIRED for its images step (ok: %v)", ok)
	}
}

// TestContainerModeTestsFailWithoutARuntime: under MESHFN_REQUIRE_TOOLS, as `make test`
// runs them, the container-mode tests fail where no runtime was found instead of skipping;
// MESHFN_SKIP_CONTAINERS (`make test SKIP_CONTAINERS=1`) skips them, as does a run by hand.
func TestContainerModeTestsFailWithoutARuntime(t *testing.T) {
	for _, tt := range []struct {
		name, verdict string
		env           []string
	}{
		{"make test", "--- FAIL", []string{"MESHFN_REQUIRE_TOOLS=1"}},
		{"make test SKIP_CONTAINERS=1", "--- SKIP", []string{"MESHFN_REQUIRE_TOOLS=1", "MESHFN_SKIP_CONTAINERS=1"}},
		{"by hand", "--- SKIP", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestContainerModeMatchesExecMode$", "-test.v", "-test.count=1")
			cmd.Env = append(environWithout("MESHFN_CONTAINER_RUNTIME", "MESHFN_REQUIRE_TOOLS", "MESHFN_SKIP_CONTAINERS"), tt.env...)
			out, _ := cmd.CombinedOutput()
			if !strings.Contains(string(out), tt.verdict+": TestContainerModeMatchesExecMode") ||
				!strings.Contains(string(out), "MESHFN_CONTAINER_RUNTIME is not set") {
				t.Errorf("want %s, saying MESHFN_CONTAINER_RUNTIME is not set:\n%s", tt.verdict, out)
			}
		})
	}
}

// pathWithout is a folder of links to every program on PATH but those named, for a PATH
// on which they are not installed.
func pathWithout(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			link := filepath.Join(dir, e.Name())
			if slices.Contains(names, e.Name()) || e.IsDir() {
				continue
			}
			if _, err := os.Lstat(link); err == nil {
				continue // an earlier folder of PATH has it
			}
			if err := os.Symlink(filepath.Join(d, e.Name()), link); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}
