package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/kptexec"
	"github.com/meshfn/meshfn/internal/missing"
)

// version is the release the images are tagged with, from the repository's VERSION file.
func version(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// containerRuntime returns the runtime `make test` built the images with
// (MESHFN_CONTAINER_RUNTIME), or skips: container mode runs wherever podman or docker can
// run containers. Under MESHFN_REQUIRE_TOOLS (`make test`) no runtime fails the test,
// unless container mode was turned off (`make test SKIP_CONTAINERS=1` sets
// MESHFN_SKIP_CONTAINERS).
func containerRuntime(t *testing.T) string {
	t.Helper()
	runtime := os.Getenv("MESHFN_CONTAINER_RUNTIME")
	if runtime == "" {
		skipContainers(t, "no container runtime for container mode: MESHFN_CONTAINER_RUNTIME is not set; `make test` sets it and builds the images (make images) where podman or docker can run containers")
	}
	for _, f := range functions {
		image := kptexec.ImagePrefix + f + ":" + version(t)
		if out, err := exec.Command(runtime, "image", "inspect", image).CombinedOutput(); err != nil {
			t.Fatalf("image %s is not built (make images): %v\n%s", image, err, out)
		}
	}
	return runtime
}

// renderContainers renders the package in dir with the function images, as users do.
func renderContainers(t *testing.T, runtime, dir string) string {
	t.Helper()
	cmd := exec.Command(kptPath(t), "fn", "render", "--image-pull-policy", "never", "--truncate-output=false", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KPT_FN_RUNTIME="+runtime)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("kpt fn render with %s failed in %s: %v\n%s", runtime, dir, err, out.String())
	}
	return out.String()
}

// packagesToRender are the root package and every blueprint, each copied by its function.
func packagesToRender(t *testing.T) map[string]func(*testing.T) string {
	pkgs := map[string]func(*testing.T) string{"root": rootPackage}
	entries, err := os.ReadDir(filepath.Join(repoRoot(t), "blueprints"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		pkgs["blueprints/"+name] = func(t *testing.T) string { return blueprint(t, name) }
	}
	return pkgs
}

// skipContainers skips a test that needs a container runtime where there is none: always
// when container mode was turned off (MESHFN_SKIP_CONTAINERS), else as a missing tool
// (a failure under MESHFN_REQUIRE_TOOLS).
func skipContainers(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("MESHFN_SKIP_CONTAINERS") != "" {
		t.Skip(why + " (MESHFN_SKIP_CONTAINERS is set: `make test SKIP_CONTAINERS=1`)")
	}
	missing.Tool(t, "%s", why)
}

// podmanPath returns podman's path where podman is installed and answers; elsewhere it
// skips, and fails under MESHFN_REQUIRE_TOOLS unless container mode was turned off or
// runs with another runtime (docker), where a podman-only test has nothing to check.
func podmanPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("podman")
	why := "podman is not installed"
	if err == nil {
		if err = exec.Command(path, "info").Run(); err == nil {
			return path
		}
		why = "podman does not answer here (podman info: " + err.Error() + ")"
	}
	if runtime := os.Getenv("MESHFN_CONTAINER_RUNTIME"); runtime != "" && runtime != "podman" {
		t.Skip(why + "; container mode runs with " + runtime + " here")
	}
	skipContainers(t, why)
	return ""
}

// TestContainerModeMatchesExecMode renders every blueprint and the root package twice,
// once with the images through the container runtime and once with the binaries (exec
// mode), and requires the same files. Each package is rendered as committed, and changed:
// every revision setter moved to another revision and everything generated removed, so
// that each function really has work to do.
func TestContainerModeMatchesExecMode(t *testing.T) {
	runtime := containerRuntime(t)
	variants := map[string]func(t *testing.T, dir string){
		"committed": func(*testing.T, string) {},
		"changed":   moveRevisionsAndRemoveGenerated,
	}
	for name, copyPkg := range packagesToRender(t) {
		for variant, change := range variants {
			t.Run(name+"/"+variant, func(t *testing.T) {
				inContainers, withExec := copyPkg(t), copyPkg(t)
				committed := snapshot(t, inContainers)
				change(t, inContainers)
				change(t, withExec)
				before := snapshot(t, inContainers)
				if variant == "changed" && diffTrees(committed, before) == "" {
					t.Skip("the package has no revision setter and nothing generated: nothing to change")
				}
				out := renderContainers(t, runtime, inContainers)
				if !strings.Contains(out, `[RUNNING] "ghcr.io/meshfn/`) {
					t.Errorf("kpt did not run the images:\n%s", out)
				}
				render(t, withExec)
				got := snapshot(t, inContainers)
				if d := diffTrees(snapshot(t, withExec), got); d != "" {
					t.Fatalf("container mode and exec mode rendered different files:\n%s", d)
				}
				if variant == "changed" && diffTrees(before, got) == "" {
					t.Errorf("the changed package rendered to itself: the test exercised nothing")
				}
			})
		}
	}
}

// moveRevisionsAndRemoveGenerated points every Kptfile's revision setter at asm-1-30 and
// removes every generated/ folder.
func moveRevisionsAndRemoveGenerated(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "generated" {
			if err := os.RemoveAll(path); err != nil {
				return err
			}
			return filepath.SkipDir
		}
		if d.Name() == "Kptfile" {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(path, bytes.ReplaceAll(b, []byte("revision: asm-1-29"), []byte("revision: asm-1-30")), 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMetadataPointsAtThisRepository checks each function's metadata.yaml against the
// tree: its sourceURL is the function's folder, and every examplePackageURL it lists is a
// folder of this repository that runs the function by its image: a package whose pipelines
// (its own or its subpackages') do, or an eval example whose .expected/config.yaml does
// (examples/FUNCTION/CASE), so the catalog entry cannot drift from what is here.
func TestMetadataPointsAtThisRepository(t *testing.T) {
	root := repoRoot(t)
	const tree = "https://github.com/meshfn/meshfn/tree/main/"
	example := regexp.MustCompile(`(?m)^  - (\S+)$`)
	for _, f := range functions {
		meta := readFile(t, filepath.Join(root, "functions", f), "metadata.yaml")
		if !strings.Contains(meta, "\nsourceURL: "+tree+"functions/"+f+"\n") {
			t.Errorf("functions/%s/metadata.yaml: sourceURL is not %sfunctions/%s", f, tree, f)
		}
		_, examples, ok := strings.Cut(meta, "\nexamplePackageURLs:\n")
		if !ok {
			t.Errorf("functions/%s/metadata.yaml lists no examplePackageURLs (its examples are in examples/%s/)", f, f)
			continue
		}
		examples, _, _ = strings.Cut(examples, "\nemails:")
		for _, m := range example.FindAllStringSubmatch(examples, -1) {
			rel, found := strings.CutPrefix(m[1], tree)
			if !found {
				t.Errorf("functions/%s/metadata.yaml: %s is not in %s", f, m[1], tree)
				continue
			}
			runs := false
			err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(rel)), func(path string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				evalConfig := d.Name() == "config.yaml" && filepath.Dir(path) == filepath.Join(root, filepath.FromSlash(rel), ".expected")
				if d.Name() == "Kptfile" || evalConfig {
					b, err := os.ReadFile(path)
					if err != nil {
						return err
					}
					step := "\n    - image: "
					if evalConfig {
						step = "\nimage: "
					}
					runs = runs || strings.Contains("\n"+string(b), step+kptexec.ImagePrefix+f+":")
				}
				return nil
			})
			if err != nil {
				t.Errorf("functions/%s/metadata.yaml: example %s: %v", f, rel, err)
			} else if !runs {
				t.Errorf("functions/%s/metadata.yaml: example %s has no pipeline and no .expected/config.yaml that runs %s", f, rel, f)
			}
		}
	}
}

// TestBlueprintsNameReleasedImages checks that every pipeline in the blueprints and the
// root package names one of meshfn's functions by its image, tagged with VERSION, and
// that each function's metadata.yaml names the same image.
func TestBlueprintsNameReleasedImages(t *testing.T) {
	root := repoRoot(t)
	want := version(t)
	known := map[string]bool{}
	for _, f := range functions {
		known[f] = true
		meta := readFile(t, filepath.Join(root, "functions", f), "metadata.yaml")
		if !strings.Contains(meta, "image: "+kptexec.ImagePrefix+f+"\n") {
			t.Errorf("functions/%s/metadata.yaml does not name the image %s%s", f, kptexec.ImagePrefix, f)
		}
	}
	entry := regexp.MustCompile(`(?m)^\s*- (image|exec): (\S+)`)
	kptfiles, _ := filepath.Glob(filepath.Join(root, "blueprints", "*", "Kptfile"))
	kptfiles = append(kptfiles, filepath.Join(root, "Kptfile"))
	steps := 0
	for _, kf := range kptfiles {
		b, err := os.ReadFile(kf)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range entry.FindAllStringSubmatch(string(b), -1) {
			steps++
			ref, ok := strings.CutPrefix(m[2], kptexec.ImagePrefix)
			name, tag, _ := strings.Cut(ref, ":")
			if m[1] != "image" || !ok || !known[name] || tag != want {
				t.Errorf("%s: pipeline step %q: want image %sNAME:%s for one of %v", kf, m[2], kptexec.ImagePrefix, want, functions)
			}
		}
	}
	if steps == 0 {
		t.Fatal("found no pipeline steps in the blueprints")
	}

	// The docs, help texts and examples name the same release.
	docs, _ := filepath.Glob(filepath.Join(root, "functions", "*", "*"))
	docs = append(docs, filepath.Join(root, "README.md"))
	err := filepath.WalkDir(filepath.Join(root, "examples"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			docs = append(docs, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(regexp.QuoteMeta(kptexec.ImagePrefix) + `([a-z0-9-]+):([A-Za-z0-9._-]+)`)
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			continue // a folder
		}
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			if known[m[1]] && m[2] != want {
				t.Errorf("%s names %s; the release is %s (VERSION)", doc, m[0], want)
			}
		}
	}
}
