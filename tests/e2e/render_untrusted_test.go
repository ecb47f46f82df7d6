package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
