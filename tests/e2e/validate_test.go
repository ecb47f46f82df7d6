package e2e

import (
	"os"
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
		{"a namespace on a revision no control plane serves", "Kptfile", "", [2]string{"revision: asm-1-27", "revision: asm-1-99"},
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
