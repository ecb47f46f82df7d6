package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRootRenderFailsOnABrokenMesh: the root package runs validate-mesh as a validator, so
// a render of the whole repository fails on a broken mesh, names the problem and its file,
// and leaves every file as it was.
func TestRootRenderFailsOnABrokenMesh(t *testing.T) {
	cases := []struct {
		name      string
		file      string // added to blueprints/sample-app, or edited there when edit is set
		content   string
		edit      [2]string // old, new
		wantInOut []string
	}{
		{"broken VirtualService host", "virtualservice.yaml", `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: frontend
  namespace: shop
spec:
  hosts:
  - frontend
  http:
  - route:
    - destination:
        host: frontnd # a typo
`, [2]string{}, []string{`[IST0101] Referenced host not found: "frontnd"`, "virtualservice.yaml"}},
		{"two Sidecars without a selector in one namespace", "sidecars.yaml", `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: shop
spec:
  egress:
  - hosts: ["./*"]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: egress
  namespace: shop
spec:
  egress:
  - hosts: ["istio-system/*"]
`, [2]string{}, []string{"[IST0111]", `The Sidecars [default egress] in namespace "shop" have no workload selector`, "sidecars.yaml"}},
		{"a namespace on a revision no control plane serves", "Kptfile", "", [2]string{"revision: asm-1-29", "revision: asm-1-99"},
			[]string{"[MFN0004] its namespace label istio.io/rev=asm-1-99 selects revision asm-1-99, which no control plane in the package serves", "namespace.yaml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := rootPackage(t)
			path := filepath.Join(dir, "blueprints", "sample-app", c.file)
			if c.edit[0] != "" {
				edit(t, path, c.edit[0], c.edit[1])
			} else if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			out, ok := tryRender(t, dir)
			if ok {
				t.Fatalf("render succeeded on a broken mesh:\n%s", out)
			}
			for _, want := range c.wantInOut {
				if !strings.Contains(out, want) {
					t.Errorf("kpt output does not say %q:\n%s", want, out)
				}
			}
			if d := diffTrees(before, snapshot(t, dir)); d != "" {
				t.Errorf("a failing render changed files:\n%s", d)
			}
		})
	}
}

// TestKustomizeBuildFailsOnABrokenMesh: in the kustomize example, validate-mesh runs last
// (as a transformer that changes nothing: kustomize 5.8 refuses any KRM function under
// validators:, see TestKustomizeRefusesKRMValidators); a broken VirtualService fails the
// build, and kustomize prints the finding.
func TestKustomizeBuildFailsOnABrokenMesh(t *testing.T) {
	kustomize := kustomizePath(t)
	dir := copyExample(t, filepath.Join(repoRoot(t), "examples", "kustomize"), "exec")
	if err := os.Symlink(functionBin(t), filepath.Join(dir, "bin")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "..", "base"), "virtualservice.yaml", "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"+
		"metadata:\n  name: frontend\n  namespace: shop\nspec:\n  hosts: [frontend]\n  http:\n  - route:\n    - destination:\n        host: frontnd\n")
	edit(t, filepath.Join(dir, "..", "base", "kustomization.yaml"), "resources:\n", "resources:\n  - virtualservice.yaml\n")
	out, ok := runEnv(t, dir, nil, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", ".")
	if ok {
		t.Fatalf("kustomize build passed with a broken VirtualService:\n%s", out)
	}
	if want := `[IST0101] Referenced host not found: "frontnd"`; !strings.Contains(out, want) {
		t.Errorf("kustomize's output lacks %q:\n%s", want, out)
	}
}

// TestKustomizeRefusesKRMValidators pins down why the kustomize example runs validate-mesh
// under transformers: kustomize 5.8 compares a validator's output with resources that
// lack the path annotations it added for the function itself, so even a function that
// echoes its input unchanged fails. Should kustomize fix this, the test fails and the
// example can move validate-mesh under validators:.
func TestKustomizeRefusesKRMValidators(t *testing.T) {
	kustomize := kustomizePath(t)
	dir := t.TempDir()
	writeMode(t, dir, "echo.sh", "#!/bin/sh\ncat\n", 0o755)
	writeFile(t, dir, "kustomization.yaml", "resources:\n- cm.yaml\nvalidators:\n- echo.yaml\n")
	writeFile(t, dir, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n")
	writeFile(t, dir, "echo.yaml", "apiVersion: example.com/v1\nkind: Echo\nmetadata:\n  name: echo\n  annotations:\n"+
		"    config.kubernetes.io/function: |\n      exec:\n        path: ./echo.sh\n")
	out, ok := runEnv(t, dir, nil, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", ".")
	if ok || !strings.Contains(out, "validator shouldn't modify the resource map") {
		t.Errorf("kustomize now accepts a KRM validator that echoes its input (ok=%v): move validate-mesh under validators: in examples/kustomize\n%s", ok, out)
	}
}

// TestOnlyValidateMeshLinksIstio: Istio's library makes a binary of about 100 MB; every
// other program of the repository stays without it.
func TestOnlyValidateMeshLinksIstio(t *testing.T) {
	for _, b := range binaries {
		if b[0] == "validate-mesh" {
			continue
		}
		cmd := exec.Command("go", "list", "-deps", b[1])
		cmd.Dir = repoRoot(t)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", b[1], err)
		}
		for _, pkg := range strings.Fields(string(out)) {
			if strings.HasPrefix(pkg, "istio.io/istio/") {
				t.Errorf("%s links %s (and so Istio's library)", b[0], pkg)
				break
			}
		}
	}
}
