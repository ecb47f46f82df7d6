package e2e

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readmeShell returns the first ```shell block after the heading "## HEADING" of a README.
func readmeShell(t *testing.T, readme, heading string) string {
	t.Helper()
	text := readFile(t, filepath.Dir(readme), filepath.Base(readme))
	_, section, ok := strings.Cut(text, "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("%s has no section %q", readme, heading)
	}
	_, block, ok := strings.Cut(section, "```shell\n")
	if !ok {
		t.Fatalf("%s: section %q has no shell block", readme, heading)
	}
	block, _, _ = strings.Cut(block, "```")
	return block
}

// replaceEach replaces each key of r with its value in s, failing when one is not there
// (the README changed: the test would no longer follow it).
func replaceEach(t *testing.T, s string, r map[string]string) string {
	t.Helper()
	for old, new := range r {
		if !strings.Contains(s, old) {
			t.Fatalf("the README's steps no longer contain %q:\n%s", old, s)
		}
		s = strings.ReplaceAll(s, old, new)
	}
	return s
}

// shellEnv is the environment the README's steps and the fleet's scripts run in: meshfn's
// binaries (render-exec among them) first on PATH, the pinned kustomize, a Git identity.
func shellEnv(t *testing.T) []string {
	return []string{
		"PATH=" + functionBin(t) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"KUSTOMIZE=" + kustomizePath(t),
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com",
	}
}

// TestBringKustomizeAppIntoFleet follows blueprints/fleet's README word for word, as a
// shell script: a repository from the fleet and a control-plane revision, then Online
// Boutique's kustomize base brought into an app-namespace
// package with scripts/import-app.sh, rendered and committed. Only the blueprints' URL, the
// application's path and the render (exec mode, with the binaries built here) are
// replaced. Every workload gets the revision's proxy, validate-mesh passes with no
// finding, the namespace package holds nothing but the application and its namespace, the
// fleet's CI check passes, and importing again gives the same commit.
func TestBringKustomizeAppIntoFleet(t *testing.T) {
	kptPath(t)
	root := repoRoot(t)
	readme := filepath.Join(root, "blueprints", "fleet", "README.md")
	steps := readmeShell(t, readme, "Start a repository") + readmeShell(t, readme, "Bring an existing application in")
	app := filepath.Join(root, "tests", "testdata", "online-boutique", "kustomize", "base")
	steps = replaceEach(t, steps, map[string]string{
		"https://github.com/meshfn/meshfn.git": blueprintRepo(t),
		"../microservices-demo/kustomize/base": app,
		"kpt fn render .":                      "render-exec . -- --truncate-output=false",
	})
	work := t.TempDir()
	out, ok := runEnv(t, work, append(shellEnv(t), "MESHFN_VALIDATE_MESH="+filepath.Join(functionBin(t), "validate-mesh")), "bash", "-euo", "pipefail", "-c", steps)
	if !ok {
		t.Fatalf("the README's steps failed:\n%s\n%s", steps, out)
	}
	summaries := validatorSummary.FindAllString(out, -1)
	if len(summaries) != 2 || !strings.HasPrefix(summaries[1], "validate-mesh: 0 errors, 0 warnings, 0 infos (0 suppressed) in 39 resources and 12 workloads analysed as pods: passed") {
		t.Errorf("Online Boutique in namespace boutique does not validate clean: %q\n%s", summaries, out)
	}
	mesh := filepath.Join(work, "my-mesh")
	pkg := filepath.Join(mesh, "boutique")
	files := snapshot(t, pkg)
	if names := slices.Sorted(maps.Keys(files)); !slices.Equal(names, []string{"Kptfile", "README.md", "boutique.yaml", "namespace-revision.yaml", "namespace.yaml"}) {
		t.Errorf("the namespace package holds %v, not just the application and its namespace", names)
	}
	checkBoutiqueInjected(t, files["boutique.yaml"])
	for _, want := range []string{"name: boutique # kpt-set: ${namespace}", "istio.io/rev: asm-1-29", "# kpt-merge: /example"} {
		if !strings.Contains(files["namespace.yaml"], want) {
			t.Errorf("namespace.yaml lacks %q:\n%s", want, files["namespace.yaml"])
		}
	}
	for name, text := range snapshot(t, mesh) {
		if !strings.HasSuffix(name, ".md") && strings.Contains(text, "bookinfo") {
			t.Errorf("%s names bookinfo:\n%s", name, text)
		}
	}

	if out, ok := runEnv(t, mesh, append(shellEnv(t), "MESHFN_RENDER_EXEC="+filepath.Join(functionBin(t), "render-exec"), "MESH_RESULTS_DIR="+t.TempDir()),
		"scripts/ci-check.sh"); !ok || !strings.Contains(out, "ci-check: passed") {
		t.Errorf("the fleet's CI check does not pass on the README's repository:\n%s", out)
	}
	again := "scripts/import-app.sh boutique " + app + " boutique/boutique.yaml && render-exec . && git status --porcelain"
	if out, ok := runEnv(t, mesh, shellEnv(t), "bash", "-euo", "pipefail", "-c", again); !ok || strings.Contains(out, "boutique.yaml\n") {
		t.Errorf("importing the application again does not give the committed files:\n%s", out)
	}
}

// checkBoutiqueInjected: each of Online Boutique's 12 Deployments is in namespace
// boutique with the proxy of revision asm-1-29 (its image in istio-init and istio-proxy).
func checkBoutiqueInjected(t *testing.T, app string) {
	t.Helper()
	deployments := regexp.MustCompile(`(?m)^kind: Deployment\nmetadata:\n(?:  .*\n)*?  namespace: boutique\n`).FindAllString(app, -1)
	for what, want := range map[string]int{"Deployments in namespace boutique": 12, "name: istio-proxy": 12,
		"image: docker.io/istio/proxyv2:1.29.6": 24, "value: istiod-asm-1-29.istio-system.svc:15012": 12} {
		n := strings.Count(app, what)
		if what == "Deployments in namespace boutique" {
			n = len(deployments)
		}
		if n != want {
			t.Errorf("boutique.yaml has %d %s, want %d", n, what, want)
		}
	}
	if !strings.HasPrefix(app, "# "+filepath.Join(repoRoot(t), "tests", "testdata", "online-boutique", "kustomize", "base")+", put in namespace boutique by scripts/import-app.sh (kustomize v5.8.2).\n") {
		t.Errorf("boutique.yaml does not say where it came from:\n%.300s", app)
	}
}

// TestImportAppInputs: scripts/import-app.sh puts plain manifests (a folder, or one file)
// in the namespace, whatever namespace they named; and it refuses, with a message naming
// the problem and FILE as it was, an application with its own Namespace, a base that asks
// for a plugin (which it does not run), a base kustomize cannot build, a FILE outside a
// namespace package or reached through a symlink (the file's or any folder's), and a namespace that is no DNS label.
func TestImportAppInputs(t *testing.T) {
	const workload = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n%sspec:\n  selector:\n    matchLabels: {app: %s}\n" +
		"  template:\n    metadata:\n      labels: {app: %s}\n    spec:\n      containers:\n        - name: app\n          image: app:1\n"
	// deployment is a Deployment named name, with more metadata lines meta.
	deployment := func(name, meta string) string {
		return strings.ReplaceAll(strings.Replace(workload, "%s\n", name+"\n"+meta, 1), "%s", name)
	}
	script := filepath.Join(repoRoot(t), "blueprints", "fleet", "scripts", "import-app.sh")
	marker := filepath.Join(t.TempDir(), "plugin-ran")
	tests := []struct {
		name   string
		source map[string]string // files of the application, in folder app/
		arg    string            // SOURCE, relative to the test's folder
		file   string            // FILE, relative to the test's folder
		ns     string
		want   string // in the output; for a success, the namespace every object is in
		ok     bool
	}{
		{"plain manifests", map[string]string{"a.yaml": deployment("a", ""), "b.yml": deployment("b", "  namespace: other\n")}, "app", "pkg/app.yaml", "shop", "shop", true},
		{"one file", map[string]string{"a.yaml": deployment("a", "")}, "app/a.yaml", "pkg/app.yaml", "shop", "shop", true},
		{"own namespace", map[string]string{"a.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n"}, "app", "pkg/app.yaml", "shop", "has a Namespace object", false},
		{"plugin", map[string]string{"kustomization.yaml": "generators: [gen.yaml]\n", "gen.yaml": "apiVersion: x/v1\nkind: Gen\nmetadata:\n  name: g\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: /bin/sh\n        args: [-c, 'touch " + marker + "']\n"}, "app", "pkg/app.yaml", "shop", "external plugins disabled", false},
		{"broken base", map[string]string{"kustomization.yaml": "resources: [missing.yaml]\n"}, "app", "pkg/app.yaml", "shop", "kustomize build of app failed", false},
		{"not a package", map[string]string{"a.yaml": deployment("a", "")}, "app", "app.yaml", "shop", "is not a kpt package (no Kptfile)", false},
		{"symlink", map[string]string{"a.yaml": deployment("a", "")}, "app", "pkg/link.yaml", "shop", "refusing to write through a symlink", false},
		{"symlinked folder", map[string]string{"a.yaml": deployment("a", "")}, "app", "via/pkg/app.yaml", "shop", "refusing to write through a symlink (via)", false},
		{"bad namespace", map[string]string{"a.yaml": deployment("a", "")}, "app", "pkg/app.yaml", "Shop", "is not a DNS label", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, sub := range []string{"app", "pkg"} {
				if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, text := range tc.source {
				writeFile(t, filepath.Join(dir, "app"), name, text)
			}
			writeFile(t, filepath.Join(dir, "pkg"), "Kptfile", "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n")
			writeFile(t, filepath.Join(dir, "pkg"), "app.yaml", "# as it was\n")
			if err := os.Symlink(filepath.Join(dir, "elsewhere.yaml"), filepath.Join(dir, "pkg", "link.yaml")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(".", filepath.Join(dir, "via")); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			out, ok := runEnv(t, dir, shellEnv(t), script, tc.ns, tc.arg, tc.file)
			if ok != tc.ok {
				t.Fatalf("import-app.sh succeeded: %v, want %v:\n%s", ok, tc.ok, out)
			}
			if _, err := os.Stat(marker); !os.IsNotExist(err) {
				t.Fatalf("a program the base names ran (err %v)", err)
			}
			if !tc.ok {
				if !strings.Contains(out, tc.want) {
					t.Errorf("the output lacks %q:\n%s", tc.want, out)
				}
				if d := diffTrees(before, snapshot(t, dir)); d != "" {
					t.Errorf("a refused import changed files:\n%s", d)
				}
				return
			}
			got := readFile(t, filepath.Join(dir, "pkg"), "app.yaml")
			if n, in := strings.Count(got, "\nkind: Deployment\n"), strings.Count(got, "\n  namespace: "+tc.want+"\n"); n != len(tc.source) || in != n {
				t.Errorf("app.yaml has %d Deployments, %d in namespace %s:\n%s", n, in, tc.want, got)
			}
		})
	}
}
