package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageModeArguments: --package takes the package mode wherever it stands (also as
// --package=DIR); a bad or extra argument exits 2 with the usage, a folder that is no kpt
// package exits 1 naming it, and a clean package passes with its findings printed.
func TestPackageModeArguments(t *testing.T) {
	pkg := t.TempDir()
	for name, text := range map[string]string{
		"Kptfile":        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n",
		"namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
		"config.yaml":    "apiVersion: fn.meshfn.dev/v1alpha1\nkind: MeshValidation\nmetadata:\n  name: v\nspec:\n  failOn: never\n",
	} {
		if err := os.WriteFile(filepath.Join(pkg, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--package", pkg}, 0, "validate-mesh: passed"},
		{[]string{"--config", filepath.Join(pkg, "config.yaml"), "--package=" + pkg}, 0, "validate-mesh: passed"},
		{[]string{"-package", pkg, "extra"}, 2, "usage: validate-mesh --package DIR"},
		{[]string{"--package", pkg, "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"--package", t.TempDir()}, 1, "it has no Kptfile"},
		{[]string{"--package", pkg, "--config", filepath.Join(pkg, "missing.yaml")}, 1, "reading the config"},
	} {
		if !packageMode(tc.args) {
			t.Errorf("%q: not taken as the package mode", tc.args)
			continue
		}
		var stdout, stderr bytes.Buffer
		code := checkPackage(tc.args, &stdout, &stderr)
		if out := stdout.String() + stderr.String(); code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("%q: exit %d, want %d with %q:\n%s", tc.args, code, tc.code, tc.want, out)
		}
	}
	if packageMode([]string{"--help"}) || packageMode([]string{"packaged"}) {
		t.Error("the package mode taken without --package")
	}
}
