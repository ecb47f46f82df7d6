package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/kptexec"
)

// renderAllowingExec renders like tryRender, with the package's own programs allowed
// and env added to their environment.
func renderAllowingExec(t *testing.T, dir string, env ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := kptexec.Render(context.Background(), dir, kptexec.Options{
		Env: append(toolEnv(t), env...), Stdout: &out, Stderr: &out, AllowPackageExec: true,
	})
	return out.String(), err
}

// emptyOutput is a function that reads its input and answers an empty ResourceList.
const emptyOutput = "#!/bin/sh\ncat >/dev/null\nprintf 'apiVersion: config.kubernetes.io/v1\\nkind: ResourceList\\nitems: []\\n'\n"

// untrustedPackage is the mesh-namespace blueprint with the control-plane-revision
// blueprint as its subpackage cp/: a package as a pull request or `kpt pkg get` brings it.
func untrustedPackage(t *testing.T) string {
	t.Helper()
	dir := blueprint(t, "mesh-namespace")
	copyTree(t, filepath.Join(repoRoot(t), "blueprints", "control-plane-revision"), filepath.Join(dir, "cp"))
	return dir
}

// TestRenderRunsOnlyMeshfnFunctions gives a package's Kptfiles programs of their own to
// run (exec entries, in every form kpt reads, in the package and in a subpackage) or an
// image under ghcr.io/meshfn/ that is no function: render-exec must refuse before kpt
// starts, naming the Kptfile, and nothing may run (the program, outside the package,
// would leave a mark there and answer an empty list, which deleted the package).
func TestRenderRunsOnlyMeshfnFunctions(t *testing.T) {
	const setters = "    - image: ghcr.io/meshfn/apply-setters:v0.1.0\n"
	cases := []struct {
		name, kptfile, old, new, want string
	}{
		{"exec entry", "Kptfile", setters, "    - exec: OUT/evil.sh\n" + setters, "-allow-package-exec"},
		{"exec with arguments", "Kptfile", setters, "    - exec: sh OUT/evil.sh\n" + setters, "-allow-package-exec"},
		{"exec in a subpackage", "cp/Kptfile", setters, setters + "    - exec: OUT/evil.sh\n", "-allow-package-exec"},
		{"flow-style entry", "Kptfile", setters, "    - {exec: OUT/evil.sh}\n" + setters, "-allow-package-exec"},
		{"quoted key", "Kptfile", setters, "    - \"exec\": OUT/evil.sh\n" + setters, "-allow-package-exec"},
		{"exec among validators", "Kptfile", "  mutators:\n", "  validators:\n    - exec: OUT/evil.sh\n  mutators:\n", "-allow-package-exec"},
		{"entry by alias", "Kptfile", setters, "    - &evil {exec: OUT/evil.sh}\n    - *evil\n" + setters, "-allow-package-exec"},
		{"image of hsm-tool", "Kptfile", setters, "    - image: ghcr.io/meshfn/hsm-tool:v0.1.0\n" + setters, "names no function of meshfn"},
		{"image named like a shell", "cp/Kptfile", setters, "    - image: ghcr.io/meshfn/sh:v0.1.0\n" + setters, "names no function of meshfn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kptPath(t)
			outside := t.TempDir()
			mark := filepath.Join(outside, "ran")
			script := "#!/bin/sh\ntouch " + mark + "\n" + strings.TrimPrefix(emptyOutput, "#!/bin/sh\n")
			if err := os.WriteFile(filepath.Join(outside, "evil.sh"), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			dir := untrustedPackage(t)
			edit(t, filepath.Join(dir, c.kptfile), c.old, strings.ReplaceAll(c.new, "OUT", outside))
			before := snapshot(t, dir)

			out, ok := tryRender(t, dir)
			if ok {
				t.Errorf("the render succeeded:\n%s", out)
			}
			if !strings.Contains(out, filepath.Join(dir, c.kptfile)) || !strings.Contains(out, c.want) {
				t.Errorf("the error does not name %s and %q:\n%s", c.kptfile, c.want, out)
			}
			if _, err := os.Stat(mark); err == nil {
				t.Errorf("the package's program ran")
			}
			if d := diffTrees(before, snapshot(t, dir)); d != "" {
				t.Errorf("a refused render changed the package:\n%s", d)
			}
		})
	}
}

// kptfileOnly is a function that answers only the Kptfiles among its input: every other
// resource left out.
const kptfileOnly = `#!/bin/sh
awk '
function flush() { if (item ~ /\n  kind: Kptfile\n/) printf "%s", item; item = "" }
/^items:/ { print; in_items = 1; next }
in_items && /^- / { flush(); item = $0 "\n"; next }
in_items && /^[^ ]/ { flush(); in_items = 0; print; next }
in_items { item = item $0 "\n"; next }
{ print }
END { flush() }'
`

// TestRenderNeverDeletesThePackage runs, with the package's own programs allowed, a
// function whose output leaves out every resource (an empty list, or only the Kptfile),
// in the package or in a subpackage. kpt then removes the files of what was left out;
// render-exec must refuse to write that back, naming what would go, and change nothing.
func TestRenderNeverDeletesThePackage(t *testing.T) {
	const setters = "    - image: ghcr.io/meshfn/apply-setters:v0.1.0\n"
	cases := []struct {
		name, kptfile, script, want string
	}{
		{"empty output", "Kptfile", emptyOutput, "would remove PKG/Kptfile"},
		{"empty output in a subpackage", "cp/Kptfile", emptyOutput, "would remove PKG/cp/Kptfile"},
		{"only the Kptfile", "Kptfile", kptfileOnly, "would remove every resource file of the package PKG"},
		// the generated files come back (generate-revision runs after it); its config does not
		{"only the Kptfile in a subpackage", "cp/Kptfile", kptfileOnly, "would remove PKG/cp/control-plane-revision.yaml, the function config"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kptPath(t)
			dir := untrustedPackage(t)
			if err := os.WriteFile(filepath.Join(dir, "drop.sh"), []byte(c.script), 0o755); err != nil {
				t.Fatal(err)
			}
			edit(t, filepath.Join(dir, c.kptfile), setters, "    - exec: ./drop.sh\n"+setters)
			before := snapshot(t, dir)

			out, err := renderAllowingExec(t, dir)
			if want := strings.ReplaceAll(c.want, "PKG", dir); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got error %v, want one with %q; kpt said:\n%s", err, want, out)
			}
			if d := diffTrees(before, snapshot(t, dir)); d != "" {
				t.Errorf("the render changed the package:\n%s", d)
			}
		})
	}
}

// addResourceAt is a function that passes its input through and adds a ConfigMap whose
// output path is its first argument.
const addResourceAt = `#!/bin/sh
sed "/^items:/a\\
- apiVersion: v1\\
  kind: ConfigMap\\
  metadata:\\
    name: added\\
    annotations:\\
      config.kubernetes.io/path: '$1'"
`

// TestRenderWritesOnlyResourceFiles runs, with the package's own programs allowed, a
// function that adds a resource whose output path names a file kpt does not read as
// resources (a script, the Makefile, .krmignore): render-exec must refuse to write it
// back, as YAML over that file, and change nothing. A resource file is written.
func TestRenderWritesOnlyResourceFiles(t *testing.T) {
	for _, path := range []string{"run.sh", "Makefile", ".krmignore", "cp/README.md", "added.yaml"} {
		t.Run(path, func(t *testing.T) {
			kptPath(t)
			dir := untrustedPackage(t)
			writeTestFiles(t, dir, map[string]string{"run.sh": "#!/bin/sh\necho hello\n", "Makefile": "all:\n", ".krmignore": "docs\n"})
			if err := os.WriteFile(filepath.Join(dir, "add.sh"), []byte(addResourceAt), 0o755); err != nil {
				t.Fatal(err)
			}
			edit(t, filepath.Join(dir, "Kptfile"), "  mutators:\n", "  mutators:\n    - exec: ./add.sh "+path+"\n")
			before := snapshot(t, dir)

			out, err := renderAllowingExec(t, dir)
			if path == "added.yaml" {
				if err != nil || !strings.Contains(readFile(t, dir, path), "name: added") {
					t.Errorf("the added resource file was not written: %v\n%s", err, out)
				}
				return
			}
			if want := "would write " + filepath.Join(dir, path); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got error %v, want one with %q; kpt said:\n%s", err, want, out)
			}
			if d := diffTrees(before, snapshot(t, dir)); d != "" {
				t.Errorf("the render changed the package:\n%s", d)
			}
		})
	}
}

func writeTestFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
