package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/kptpackage"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestPackageReadAsKptRendersIt: kptpackage.Resources (validate-mesh --package) reads a
// package tree as the real kpt fn render gives it to the root's validator: the same
// resources in the same order, with the same path, index and package annotations.
// The tree has subpackages (nested, and in a folder that is not one), a .krmignore, a
// multi-document file, JSON, a README and a file in .git.
func TestPackageReadAsKptRendersIt(t *testing.T) {
	kpt := kptPath(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "mesh")
	dump := filepath.Join(dir, "dump.sh")
	input := filepath.Join(dir, "input.yaml")
	writeTestFiles(t, dir, map[string]string{
		"dump.sh": "#!/bin/sh\ncat > " + input + "\ncat " + input + "\n",
	})
	if err := os.Chmod(dump, 0o755); err != nil {
		t.Fatal(err)
	}
	kptfile := func(name string) string {
		return "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: " + name + "\n"
	}
	cm := func(name string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  k: v\n"
	}
	writeTestFiles(t, root, map[string]string{
		"Kptfile":             kptfile("mesh") + "pipeline:\n  validators:\n    - exec: " + dump + "\n",
		".krmignore":          "ignored/\nskip-me.yaml\n",
		"a.yaml":              cm("a") + "---\n" + cm("a2"),
		"z.json":              `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "z"}}`,
		"skip-me.yaml":        cm("skipped"),
		"ignored/x.yaml":      cm("ignored"),
		"README.md":           "not a resource\n",
		"plain/b.yml":         cm("b"),
		"plain/deeper/c.yaml": cm("c"),
		"sub-b/Kptfile":       kptfile("sub-b"),
		"sub-b/d.yaml":        cm("d"),
		"sub-a/Kptfile":       kptfile("sub-a"),
		"sub-a/e.yaml":        cm("e"),
		"sub-a/inner/Kptfile": kptfile("inner"),
		"sub-a/inner/f.yaml":  cm("f"),
		"plain/sub-c/Kptfile": kptfile("sub-c"),
		"plain/sub-c/g.yaml":  cm("g"),
		".git/h.yaml":         cm("h"),
	})
	cmd := exec.Command(kpt, "fn", "render", "--allow-exec", root)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kpt fn render: %v\n%s", err, out)
	}
	b, err := os.ReadFile(input)
	if err != nil {
		t.Fatal(err)
	}
	kptItems, err := (&kio.ByteReader{Reader: strings.NewReader(string(b)), OmitReaderAnnotations: true}).Read()
	if err != nil {
		t.Fatal(err)
	}
	var ours []*yaml.RNode
	for it, err := range kptpackage.Resources(root) {
		if err != nil {
			t.Fatal(err)
		}
		ours = append(ours, it)
	}
	describe := func(items []*yaml.RNode) string {
		var lines []string
		for _, it := range items {
			a := it.GetAnnotations()
			lines = append(lines, fmt.Sprintf("%s %s path=%s index=%s legacy=%s,%s pkg=%s", it.GetKind(), it.GetName(),
				a[kioutil.PathAnnotation], a[kioutil.IndexAnnotation], a[kioutil.LegacyPathAnnotation], a[kioutil.LegacyIndexAnnotation],
				strings.TrimPrefix(a[kptpackage.PackagePathAnnotation], root)))
		}
		return strings.Join(lines, "\n")
	}
	want, got := describe(kptItems), describe(ours)
	if got != want {
		t.Errorf("kptpackage read the tree differently from kpt fn render's validator input:\n--- kpt\n%s\n--- kptpackage\n%s", want, got)
	}
	if !strings.Contains(want, "ConfigMap f ") || strings.Contains(want, "skipped") {
		t.Errorf("the fixture does not test what it should:\n%s", want)
	}
}

// TestPackageReadRefusesSymlinks: a symbolic link where kpt would read a file is refused,
// naming it, not read through.
func TestPackageReadRefusesSymlinks(t *testing.T) {
	dir := t.TempDir()
	writeTestFiles(t, dir, map[string]string{
		"outside.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: secret-stuff\n",
		"mesh/Kptfile":     "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: mesh\n",
		"mesh/sub/Kptfile": "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: sub\n",
	})
	if err := os.Symlink(filepath.Join(dir, "outside.yaml"), filepath.Join(dir, "mesh", "sub", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	for it, err := range kptpackage.Resources(filepath.Join(dir, "mesh")) {
		if err == nil {
			if it.GetName() == "secret-stuff" {
				t.Fatal("read through the symbolic link")
			}
			continue
		}
		if !strings.Contains(err.Error(), filepath.Join("sub", "link.yaml")) || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("error does not name the link: %v", err)
		}
		return
	}
	t.Fatal("no error for a symbolic link")
}
