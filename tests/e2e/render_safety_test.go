package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderRefusesSymlinks puts a symlink into a package where the render writes (a
// generated file, the folder of the generated files) or reads (an input file): the
// render must fail naming the link, leave the package as it was and write nothing
// outside it, whether the link points outside the package or inside it.
func TestRenderRefusesSymlinks(t *testing.T) {
	const service = "generated/service_istiod-asm-1-29.yaml"
	cases := []struct {
		name string
		link string // the symlink, relative to the package
		// target is where it points: relative to the folder outside the package, or
		// (with inside) a path inside the package.
		target string
		inside bool
	}{
		{name: "generated file to a file outside", link: service, target: "victim.yaml"},
		{name: "generated folder to a folder outside", link: "generated", target: "victims"},
		{name: "generated file to the package's config", link: service, target: "../control-plane-revision.yaml", inside: true},
		{name: "input file to a file outside", link: "namespace.yaml", target: "victim.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kptPath(t)
			outside := t.TempDir()
			if err := os.WriteFile(filepath.Join(outside, "victim.yaml"), []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: victim\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(outside, "victims"), 0o755); err != nil {
				t.Fatal(err)
			}
			dir := blueprint(t, "control-plane-revision")
			if err := os.RemoveAll(filepath.Join(dir, "generated")); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, c.link)
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(outside, c.target)
			if c.inside {
				target = c.target
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			before, outsideBefore := snapshot(t, dir), snapshot(t, outside)

			out, ok := tryRender(t, dir)
			if ok {
				t.Errorf("render succeeded with symlink %s -> %s in the package:\n%s", c.link, target, out)
			}
			if !strings.Contains(out, c.link) || !strings.Contains(out, "symlink") {
				t.Errorf("the error does not name the symlink %s:\n%s", c.link, out)
			}
			if d := diffTrees(outsideBefore, snapshot(t, outside)); d != "" {
				t.Errorf("the render wrote outside the package:\n%s", d)
			}
			if d := diffTrees(before, snapshot(t, dir)); d != "" {
				t.Errorf("a refused render changed the package:\n%s", d)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the symlink %s is gone or replaced (%v)", c.link, err)
			}
		})
	}
}

// TestRenderExecFindsItsFunctions runs render-exec from a folder outside the repository,
// with no -bin flag and the function binaries not on PATH: it must take them from its
// own folder.
func TestRenderExecFindsItsFunctions(t *testing.T) {
	kpt := kptPath(t)
	bin := functionBin(t)
	dir := blueprint(t, "mesh-namespace")
	edit(t, filepath.Join(dir, "Kptfile"), "revision: asm-1-29", "revision: asm-1-30")
	elsewhere := t.TempDir()
	out, ok := runEnv(t, elsewhere, []string{"PATH=" + filepath.Dir(kpt) + ":/usr/bin:/bin"},
		filepath.Join(bin, "render-exec"), dir)
	if !ok {
		t.Fatalf("render-exec from %s failed:\n%s", elsewhere, out)
	}
	same := blueprint(t, "mesh-namespace")
	edit(t, filepath.Join(same, "Kptfile"), "revision: asm-1-29", "revision: asm-1-30")
	render(t, same)
	if d := diffTrees(snapshot(t, same), snapshot(t, dir)); d != "" {
		t.Errorf("render-exec from elsewhere rendered another package than from here:\n%s", d)
	}
	if ns := readFile(t, dir, "namespace.yaml"); !strings.Contains(ns, "istio.io/rev: asm-1-30") {
		t.Errorf("the namespace was not moved to asm-1-30:\n%s", ns)
	}
}

// TestRenderKeepsUserFiles puts files of the user's named like render-exec's temporary
// files into a package (one alone in its folder, one with the exact form of a temporary
// name), and an empty folder: a render, successful or failing, must leave them all.
func TestRenderKeepsUserFiles(t *testing.T) {
	user := map[string]string{
		".meshfn-render-notes.txt":                            "my notes\n",
		"docs/.meshfn-render-namespace.yaml-0011223344556677": "kept\n",
	}
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("failing %v", fail), func(t *testing.T) {
			kptPath(t)
			dir := blueprint(t, "mesh-namespace")
			edit(t, filepath.Join(dir, "Kptfile"), "revision: asm-1-29", "revision: asm-1-30")
			if fail {
				edit(t, filepath.Join(dir, "Kptfile"), "revision: asm-1-30", "revision: Asm_1_28")
			}
			for name, data := range user {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
				t.Fatal(err)
			}
			out, ok := tryRender(t, dir)
			if ok == fail {
				t.Fatalf("render succeeded: %v, want %v:\n%s", ok, !fail, out)
			}
			after := snapshot(t, dir)
			for name, data := range user {
				if after[name] != data {
					t.Errorf("the user's file %s is gone or changed (%q)", name, after[name])
				}
			}
			if fi, err := os.Stat(filepath.Join(dir, "empty")); err != nil || !fi.IsDir() {
				t.Errorf("the user's empty folder is gone: %v", err)
			}
		})
	}
}
