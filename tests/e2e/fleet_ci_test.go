package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// ciFleet is a mesh repository made from blueprints/fleet (its scripts and CI definitions
// included), a control-plane revision and the sample shop, rendered and committed.
func ciFleet(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	mesh := filepath.Join(t.TempDir(), "mesh")
	copyTree(t, filepath.Join(root, "blueprints", "fleet"), mesh)
	copyTree(t, filepath.Join(root, "blueprints", "control-plane-revision"), filepath.Join(mesh, "control-plane-asm-1-29"))
	copyTree(t, filepath.Join(root, "blueprints", "sample-app"), filepath.Join(mesh, "shop"))
	render(t, mesh)
	git(t, mesh, "init", "-q", "-b", "main")
	commit(t, mesh, "a mesh")
	return mesh
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	if out, ok := runEnv(t, dir, shellEnv(t), "git", args...); !ok {
		t.Fatalf("git %v: %s", args, out)
	}
}

func commit(t *testing.T, dir, message string) {
	t.Helper()
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", message)
}

// ciCheck runs the fleet's scripts/ci-check.sh in exec mode, with its results in results.
func ciCheck(t *testing.T, mesh, results string, env ...string) (string, bool) {
	t.Helper()
	env = append(shellEnv(t), append([]string{"MESHFN_RENDER_EXEC=" + filepath.Join(functionBin(t), "render-exec"), "MESH_RESULTS_DIR=" + results}, env...)...)
	return runEnv(t, mesh, env, filepath.Join(mesh, "scripts", "ci-check.sh"))
}

// TestFleetCICheck runs the CI check blueprints/fleet ships on a fleet: it passes; with a
// planted defect (a VirtualService routing to a host that does not exist) its validation
// (validate-mesh on the rendered files) fails naming the finding, keeps every finding in
// the results file outside the checkout and changes no file; the finding suppressed in the root's validate-mesh.yaml, it passes (the check
// uses that config); fixed, it passes. A commit that is not rendered (a proxy tag changed
// without rendering) fails naming the files the render changes, and the check refuses a
// dirty checkout and a results folder inside the checkout.
func TestFleetCICheck(t *testing.T) {
	kptPath(t)
	mesh := ciFleet(t)
	results := t.TempDir()
	if out, ok := ciCheck(t, mesh, results); !ok || !strings.Contains(out, "ci-check: passed") {
		t.Fatalf("the check fails on a rendered fleet:\n%s", out)
	}

	const route = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: cart\n  namespace: shop\n" +
		"spec:\n  hosts: [cart]\n  http:\n    - route:\n        - destination:\n            host: %s\n"
	writeFile(t, filepath.Join(mesh, "shop"), "routes.yaml", strings.ReplaceAll(route, "%s", "cartt"))
	commit(t, mesh, "a route to a host that does not exist")
	committed := snapshot(t, mesh)
	out, ok := ciCheck(t, mesh, results)
	if ok {
		t.Fatalf("the check passed with a route to a missing host:\n%s", out)
	}
	for _, want := range []string{
		`[error] networking.istio.io/v1/VirtualService/shop/cart: [IST0101] Referenced host not found: "cartt"`,
		"ci-check: FAILED: validate-mesh found what fails the mesh",
		"validate-mesh's findings in " + results + "/validate-mesh.yaml",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the check's output lacks %q:\n%s", want, out)
		}
	}
	found := readFile(t, results, "validate-mesh.yaml")
	if !regexp.MustCompile(`name: cart\n\s+namespace: shop\n\s+file:\n\s+path: shop/routes.yaml\n\s+tags:\n\s+code: IST0101\n`).MatchString(found) {
		t.Errorf("results.yaml lacks the finding with its code and file:\n%s", found)
	}
	if d := diffTrees(committed, snapshot(t, mesh)); d != "" {
		t.Errorf("the failing check changed the checkout:\n%s", d)
	}

	edit(t, filepath.Join(mesh, "validate-mesh.yaml"), "suppress: []", `suppress: ["IST0101=VirtualService shop/cart"]`)
	commit(t, mesh, "suppress the finding")
	if out, ok := ciCheck(t, mesh, results); !ok || !strings.Contains(out, "(1 suppressed)") {
		t.Errorf("the check does not use the root's validate-mesh.yaml (its suppress list):\n%s", out)
	}
	edit(t, filepath.Join(mesh, "validate-mesh.yaml"), `suppress: ["IST0101=VirtualService shop/cart"]`, "suppress: []")
	writeFile(t, filepath.Join(mesh, "shop"), "routes.yaml", strings.ReplaceAll(route, "%s", "cart"))
	commit(t, mesh, "fix the route")
	if out, ok := ciCheck(t, mesh, results); !ok || !strings.Contains(out, "validate-mesh: 0 errors") {
		t.Errorf("the check fails on the fixed fleet:\n%s", out)
	}

	edit(t, filepath.Join(mesh, "control-plane-asm-1-29", "Kptfile"), "tag: 1.29.6", "tag: 1.29.7")
	commit(t, mesh, "a new proxy, not rendered")
	out, ok = ciCheck(t, mesh, results)
	if ok {
		t.Fatalf("the check passed on a commit that is not rendered:\n%s", out)
	}
	for _, want := range []string{"ci-check: FAILED: the committed tree is not the rendered result", " M shop/frontend.yaml", "+              image: docker.io/istio/proxyv2:1.29.7"} {
		if !strings.Contains(out, want) {
			t.Errorf("the check's output lacks %q:\n%s", want, out)
		}
	}
	if out, ok := ciCheck(t, mesh, results); ok || !strings.Contains(out, "ci-check: the checkout has uncommitted changes before the render") {
		t.Errorf("the check does not refuse a dirty checkout:\n%s", out)
	}
	git(t, mesh, "checkout", "-q", "--", ".")
	inside := filepath.Join(mesh, "results")
	if out, ok := ciCheck(t, mesh, inside); ok || !strings.Contains(out, "is inside the checkout") {
		t.Errorf("the check takes a results folder inside the checkout:\n%s", out)
	}
	if _, err := os.Stat(inside); !os.IsNotExist(err) {
		t.Errorf("the refused results folder was left in the checkout (err %v)", err)
	}
}

// TestFleetCIDefinitions: the GitHub Actions workflow and the GitLab CI job blueprints/fleet
// ships are YAML that runs the fleet's script, with the kpt version the project pins, and
// the fleet's .krmignore leaves them (and the scripts) out of the package (TestFleetCICheck
// renders a fleet holding them).
func TestFleetCIDefinitions(t *testing.T) {
	root := repoRoot(t)
	fleet := filepath.Join(root, "blueprints", "fleet")
	kpt := regexp.MustCompile(`(?m)^KPT_VERSION := (\S+)$`).FindStringSubmatch(readFile(t, root, "Makefile"))
	if kpt == nil {
		t.Fatal("the Makefile pins no KPT_VERSION")
	}
	var github struct {
		Jobs map[string]struct {
			Env   map[string]string
			Steps []struct{ Run string }
		}
	}
	var gitlab map[string]struct {
		Variables map[string]string
		Script    []string
	}
	for path, into := range map[string]any{".github/workflows/mesh.yaml": &github, ".gitlab-ci.yml": &gitlab} {
		if err := yaml.Unmarshal([]byte(readFile(t, fleet, path)), into); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	job := github.Jobs["check"]
	var runs []string
	for _, s := range job.Steps {
		runs = append(runs, s.Run)
	}
	if job.Env["KPT_VERSION"] != kpt[1] || !strings.Contains(strings.Join(runs, "\n"), "scripts/ci-check.sh") {
		t.Errorf("the GitHub workflow does not run scripts/ci-check.sh with kpt %s: env %v, runs %q", kpt[1], job.Env, runs)
	}
	if mesh := gitlab["mesh"]; mesh.Variables["KPT_VERSION"] != kpt[1] || strings.Join(mesh.Script, "\n") != "scripts/ci-check.sh" {
		t.Errorf("the GitLab job does not run scripts/ci-check.sh with kpt %s: %+v", kpt[1], mesh)
	}
	ignored := readFile(t, fleet, ".krmignore")
	for _, name := range []string{".github", ".gitlab-ci.yml", "scripts"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `$`).MatchString(ignored) {
			t.Errorf("blueprints/fleet/.krmignore does not leave %s out of the package", name)
		}
	}
}

// TestFleetValidateScript: the fleet's scripts/validate.sh, run after a render, passes a
// rendered fleet and fails one with a namespace on a revision no control plane serves,
// naming the finding (MFN0004) and its file; --results writes the findings in kpt's
// results-file format, never inside the package. In container mode it runs the program of the validate-mesh image
// the Kptfile's version names, with the same verdicts; a version that is no release
// (latest) is refused.
func TestFleetValidateScript(t *testing.T) {
	kptPath(t)
	mesh := ciFleet(t)
	script := filepath.Join(mesh, "scripts", "validate.sh")
	exec := append(shellEnv(t), "MESHFN_VALIDATE_MESH="+filepath.Join(functionBin(t), "validate-mesh"))
	out, ok := runEnv(t, mesh, exec, script)
	if !ok || !strings.Contains(out, "validate-mesh: passed") || !validatorSummary.MatchString(out) {
		t.Fatalf("validate.sh fails on a rendered fleet:\n%s", out)
	}
	results := filepath.Join(t.TempDir(), "results.yaml")
	if out, ok := runEnv(t, mesh, exec, script, "--results", results); !ok {
		t.Fatalf("validate.sh --results fails on a rendered fleet:\n%s", out)
	}
	if found := readFile(t, filepath.Dir(results), "results.yaml"); !strings.HasPrefix(found, "apiVersion: kpt.dev/v1\nkind: FunctionResultList\n") ||
		!strings.Contains(found, "exitCode: 0\n") || !validatorSummary.MatchString(found) {
		t.Errorf("the results file is not kpt's format with the summary:\n%s", found)
	}

	edit(t, filepath.Join(mesh, "shop", "Kptfile"), "revision: asm-1-29", "revision: asm-1-31")
	render(t, mesh)
	out, ok = runEnv(t, mesh, exec, script, "--results", results)
	if ok {
		t.Fatalf("validate.sh passed a namespace on a revision nobody serves:\n%s", out)
	}
	for _, want := range []string{"MFN0004", "asm-1-31", "(shop/namespace.yaml)", "validate-mesh: failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("validate.sh's output lacks %q:\n%s", want, out)
		}
	}
	if found := readFile(t, filepath.Dir(results), "results.yaml"); !strings.Contains(found, "code: MFN0004") || !strings.Contains(found, "path: shop/namespace.yaml") {
		t.Errorf("the results file lacks the finding with its file:\n%s", found)
	}
	if out, ok := runEnv(t, mesh, exec, script, "--results", filepath.Join(mesh, "shop", "results.yaml")); ok || !strings.Contains(out, "is inside the package") {
		t.Errorf("validate.sh writes its results inside the package:\n%s", out)
	}
	if out, ok := runEnv(t, mesh, exec, script, "--bogus"); ok || !strings.Contains(out, "usage: scripts/validate.sh") {
		t.Errorf("validate.sh takes an unknown argument:\n%s", out)
	}

	// The image's program runs outside a container, and its version comes from the
	// Kptfile: a tag that is no release version is refused before any runtime runs.
	kptfile := readFile(t, mesh, "Kptfile")
	edit(t, filepath.Join(mesh, "Kptfile"), "inject-sidecar:"+version(t), "inject-sidecar:latest")
	if out, ok := runEnv(t, mesh, append(shellEnv(t), "KPT_FN_RUNTIME=false"), script); ok || !strings.Contains(out, "with a release version") {
		t.Errorf("validate.sh takes the image version from a tag that is no release:\n%s", out)
	}
	if err := os.WriteFile(filepath.Join(mesh, "Kptfile"), []byte(kptfile), 0o644); err != nil {
		t.Fatal(err)
	}

	runtime := containerRuntime(t)
	out, ok = runEnv(t, mesh, append(shellEnv(t), "KPT_FN_RUNTIME="+runtime), script)
	if ok || !strings.Contains(out, "MFN0004") {
		t.Errorf("validate.sh with the image (%s) does not fail the namespace on a revision nobody serves:\n%s", runtime, out)
	}
	edit(t, filepath.Join(mesh, "shop", "Kptfile"), "revision: asm-1-31", "revision: asm-1-29")
	render(t, mesh)
	if out, ok := runEnv(t, mesh, append(shellEnv(t), "KPT_FN_RUNTIME="+runtime), script); !ok || !strings.Contains(out, "validate-mesh: passed") {
		t.Errorf("validate.sh with the image (%s) fails on a rendered fleet:\n%s", runtime, out)
	}
}

// TestPackageModeFindsWhatTheValidatorFinds: validate-mesh --package on a rendered fleet
// reports the same findings, with the same files, as validate-mesh as the root Kptfile's
// validator on the same fleet, defects planted (a route to a missing host, a namespace on
// a revision nobody serves).
func TestPackageModeFindsWhatTheValidatorFinds(t *testing.T) {
	kptPath(t)
	mesh := ciFleet(t)
	const route = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: cart\n  namespace: shop\n" +
		"spec:\n  hosts: [cart]\n  http:\n    - route:\n        - destination:\n            host: cartt\n"
	writeFile(t, filepath.Join(mesh, "shop"), "routes.yaml", route)
	edit(t, filepath.Join(mesh, "shop", "Kptfile"), "revision: asm-1-29", "revision: asm-1-31")
	render(t, mesh)
	out, ok := runEnv(t, mesh, nil, filepath.Join(functionBin(t), "validate-mesh"), "--package", ".", "--config", "validate-mesh.yaml")
	if ok {
		t.Fatalf("validate-mesh --package passed the planted defects:\n%s", out)
	}
	var packageMode []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "[") {
			packageMode = append(packageMode, line)
		}
	}

	addKptfileValidator(t, mesh)
	results := t.TempDir()
	kptOut, ok := runEnv(t, mesh, toolEnv(t), filepath.Join(functionBin(t), "render-exec"), ".", "--", "--results-dir", results)
	if ok {
		t.Fatalf("the render with the validator passed the planted defects:\n%s", kptOut)
	}
	var list struct {
		Items []struct {
			Image   string `json:"image"`
			Exec    string `json:"exec"`
			Results []struct {
				Message     string `json:"message"`
				Severity    string `json:"severity"`
				ResourceRef *struct {
					APIVersion, Kind, Name, Namespace string
				} `json:"resourceRef"`
				File *struct {
					Path string `json:"path"`
				} `json:"file"`
			} `json:"results"`
		} `json:"items"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, results, "results.yaml")), &list); err != nil {
		t.Fatal(err)
	}
	var validator []string
	for _, it := range list.Items {
		if !strings.Contains(it.Image+it.Exec, "validate-mesh") {
			continue
		}
		for _, r := range it.Results {
			line := "[" + r.Severity + "]"
			if ref := r.ResourceRef; ref != nil {
				line += " " + strings.Join(slices.DeleteFunc([]string{ref.APIVersion, ref.Kind, ref.Namespace, ref.Name}, func(s string) bool { return s == "" }), "/")
			}
			line += ": " + r.Message
			if r.File != nil && r.File.Path != "" {
				line += " (" + r.File.Path + ")"
			}
			validator = append(validator, line)
		}
	}
	slices.Sort(packageMode)
	slices.Sort(validator)
	if len(validator) == 0 || !slices.Equal(packageMode, validator) {
		t.Errorf("validate-mesh --package and the Kptfile validator found different things:\n--- package mode\n%s\n--- validator\n%s",
			strings.Join(packageMode, "\n"), strings.Join(validator, "\n"))
	}
	for _, want := range []string{"IST0101", "MFN0004"} {
		if !strings.Contains(strings.Join(validator, "\n"), want) {
			t.Errorf("the planted defect %s was not found:\n%s", want, strings.Join(validator, "\n"))
		}
	}
}

// addKptfileValidator gives the fleet at mesh validate-mesh as its Kptfile's validator, as
// blueprints/fleet's README gives it for a small repository: the render then validates.
func addKptfileValidator(t *testing.T, mesh string) {
	t.Helper()
	snippet := regexp.MustCompile("(?s)```yaml\n(  validators:\n.*?)```").FindStringSubmatch(readFile(t, filepath.Join(repoRoot(t), "blueprints", "fleet"), "README.md"))
	if snippet == nil {
		t.Fatal("blueprints/fleet's README gives no validator snippet")
	}
	text := readFile(t, mesh, "Kptfile")
	if err := os.WriteFile(filepath.Join(mesh, "Kptfile"), []byte(strings.TrimRight(text, "\n")+"\n"+snippet[1]), 0o644); err != nil {
		t.Fatal(err)
	}
}
