package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
)

// waypointKustomization is a namespace in ambient mode with two Services, and
// generate-waypoint as a transformer (run by the function annotation runWith).
func waypointKustomization(t *testing.T, runWith string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "kustomization.yaml", "resources: [namespace.yaml, services.yaml]\ntransformers: [waypoint.yaml]\n")
	writeFile(t, dir, "namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n"+
		"    istio.io/rev: prod-stable\n    istio-injection: disabled\n    istio.io/dataplane-mode: ambient\n")
	writeFile(t, dir, "services.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n  namespace: shop\n"+
		"spec:\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: catalog\n  namespace: shop\n"+
		"spec:\n  ports:\n  - port: 80\n")
	writeFile(t, dir, "waypoint.yaml", "apiVersion: fn.meshfn.dev/v1alpha1\nkind: Waypoint\nmetadata:\n  name: cart\n"+
		"  annotations:\n    config.kubernetes.io/function: |\n"+runWith+
		"spec:\n  name: cart-waypoint\n  namespace: shop\n  revision: prod-stable\n  enrollServices: [cart]\n")
	return dir
}

// TestGenerateWaypointAsKustomizePlugin runs generate-waypoint as a kustomize transformer,
// as an exec plugin and from its image: the build holds the waypoint and the enrolled
// Service's label, and both forms build the same bytes.
func TestGenerateWaypointAsKustomizePlugin(t *testing.T) {
	kustomize := kustomizePath(t)
	dir := waypointKustomization(t, "      exec:\n        path: ./bin/generate-waypoint\n")
	if err := os.Symlink(functionBin(t), filepath.Join(dir, "bin")); err != nil {
		t.Fatal(err)
	}
	exec := kustomizeBuild(t, kustomize, dir, toolEnv(t), "--enable-exec")
	for _, want := range []string{
		"kind: Gateway\n",
		"    istio.io/rev: prod-stable\n    meshfn.dev/generated-by: generate-waypoint\n  name: cart-waypoint\n  namespace: shop\nspec:\n  gatewayClassName: istio-waypoint\n  listeners:\n  - name: mesh\n    port: 15008\n    protocol: HBONE\n",
		"    istio.io/use-waypoint: cart-waypoint\n  name: cart\n",
	} {
		if !strings.Contains(string(exec), want) {
			t.Errorf("the exec build lacks %q:\n%s", want, exec)
		}
	}
	if strings.Count(string(exec), "istio.io/use-waypoint") != 1 {
		t.Errorf("the build labels other objects than Service cart:\n%s", exec)
	}

	t.Run("container", func(t *testing.T) {
		runtime := containerRuntime(t)
		dir := waypointKustomization(t, "      container:\n        image: ghcr.io/meshfn/generate-waypoint:"+version(t)+"\n")
		if out := kustomizeBuild(t, kustomize, dir, dockerEnv(t, runtime)); !bytes.Equal(out, exec) {
			t.Errorf("the image built other objects than the exec plugin:\n%s", krmtest.Diff(string(exec), string(out)))
		}
	})
}
