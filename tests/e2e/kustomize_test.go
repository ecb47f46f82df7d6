package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
)

// TestKustomizePlugins builds every kustomization under testdata/kustomize with standalone
// kustomize, running the functions as KRM exec plugins (`generators:` / `transformers:`),
// and compares the output with the case's expected.yaml. Each case refers to the
// functions as ./bin/NAME, which the test links to the built binaries.
func TestKustomizePlugins(t *testing.T) {
	cases := filepath.Join(repoRoot(t), "tests", "testdata", "kustomize")
	entries, err := os.ReadDir(cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			kustomize := kustomizePath(t)
			dir := filepath.Join(t.TempDir(), e.Name())
			copyTree(t, filepath.Join(cases, e.Name()), dir)
			if err := os.Symlink(functionBin(t), filepath.Join(dir, "bin")); err != nil {
				t.Fatal(err)
			}
			out, ok := run(t, dir, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", ".")
			if !ok {
				t.Fatalf("kustomize build failed:\n%s", out)
			}
			krmtest.CompareGolden(t, filepath.Join(cases, e.Name(), "expected.yaml"), []byte(out))
		})
	}
}

// TestKustomizeReportsBadConfig checks that a function's error result fails the build
// with the function's message.
func TestKustomizeReportsBadConfig(t *testing.T) {
	kustomize := kustomizePath(t)
	dir := filepath.Join(t.TempDir(), "bad")
	copyTree(t, filepath.Join(repoRoot(t), "tests", "testdata", "kustomize", "typed-configs"), dir)
	if err := os.Symlink(functionBin(t), filepath.Join(dir, "bin")); err != nil {
		t.Fatal(err)
	}
	edit(t, filepath.Join(dir, "control-plane-revision.yaml"), "revision: asm-1-29", "revision: ASM")
	out, ok := run(t, dir, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", ".")
	if ok {
		t.Fatalf("kustomize build succeeded with an invalid revision:\n%s", out)
	}
	if want := `spec.revision: "ASM" is not a valid name`; !strings.Contains(out, want) {
		t.Errorf("kustomize output does not carry the function's message %q:\n%s", want, out)
	}
}
