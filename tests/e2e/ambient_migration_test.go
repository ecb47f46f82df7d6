package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// catalogRules are the rules of the shop's layer-7 policy: only the frontend may call the
// catalog, and only its gRPC API.
const catalogRules = `  action: ALLOW
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/shop/sa/frontend"]
      to:
        - operation:
            methods: ["POST"]
            paths: ["/shop.catalog.v1.Catalog/*"]
`

// The files a migration of the shop to ambient mode writes, as the README shows them.
const (
	// shopSidecarPolicy is the shop's layer-7 policy as a sidecar mesh has it: a workload
	// selector, enforced by the catalog's sidecar.
	shopSidecarPolicy = `# Only the frontend may call the catalog, and only its gRPC API.
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: catalog
  namespace: shop # kpt-set: ${namespace}
spec:
  selector:
    matchLabels:
      app: catalog
` + catalogRules
	// shopWaypointPolicy is the same policy for the waypoint: it targets the catalog's
	// Service, whose traffic goes through the namespace's waypoint.
	shopWaypointPolicy = `# Only the frontend may call the catalog, and only its gRPC API: enforced by the
# waypoint in front of the catalog Service.
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: catalog-waypoint
  namespace: shop # kpt-set: ${namespace}
spec:
  targetRefs:
    - kind: Service
      group: ""
      name: catalog
` + catalogRules
	shopWaypointConfig = `# The shop's waypoint: it applies the shop's layer-7 policies once the shop runs in
# ambient mode.
apiVersion: fn.meshfn.dev/v1alpha1
kind: Waypoint
metadata:
  name: shop
  annotations:
    config.kubernetes.io/local-config: "true"
spec:
  namespace: shop # kpt-set: ${namespace}
  revision: asm-1-29 # kpt-set: ${revision}
  enrollNamespace: true
`
	setNamespaceRevisionStep = "      configPath: namespace-revision.yaml\n"
	generateWaypointStep     = "    - image: ghcr.io/meshfn/generate-waypoint:v0.1.0\n      configPath: waypoint.yaml\n"
)

// shopWorkloads are the files of the sample app that hold a workload.
var shopWorkloads = []string{"frontend.yaml", "catalog.yaml", "cart.yaml", "nightly-report.yaml"}

// TestMigrationToAmbientAndRollback moves the shop (the sample app, on sidecars of
// asm-1-29) to ambient mode as the commits a platform team would review, each rendered
// at the repository's root with the real kpt and re-rendering unchanged, in the order of
// Istio's migration guide:
//
//  0. the shop's layer-7 AuthorizationPolicy, as a sidecar mesh has it (workload selector);
//  1. a waypoint for the shop, the namespace enrolled in it;
//  2. the policy for the waypoint (targetRefs: the catalog Service), beside the sidecar's;
//  3. the namespace to ambient mode: its workloads uninjected, the sidecar policy removed
//     (ztunnel would turn a selector policy with HTTP rules into a deny-all, and
//     validate-mesh, the root's validator, fails the render while it remains: MFN0015);
//
// then rolls back each step and checks that the tree is byte for byte as before it.
func TestMigrationToAmbientAndRollback(t *testing.T) {
	dir := rootPackage(t)
	shop := filepath.Join(dir, "blueprints", "sample-app")
	step := func(name string) map[string]string {
		t.Helper()
		render(t, dir)
		s := snapshot(t, dir)
		renderedUnchanged(t, dir, s, name)
		return s
	}

	writeFile(t, shop, "authorization.yaml", shopSidecarPolicy)
	before := step("the sidecar policy")

	// 1. The waypoint.
	edit(t, filepath.Join(shop, "Kptfile"), setNamespaceRevisionStep, setNamespaceRevisionStep+generateWaypointStep)
	writeFile(t, shop, "waypoint.yaml", shopWaypointConfig)
	withWaypoint := step("the waypoint")
	checkWaypointAdded(t, before, withWaypoint)

	// 2. The policy for the waypoint.
	writeFile(t, shop, "authorization-waypoint.yaml", shopWaypointPolicy)
	withPolicies := step("the waypoint's policy")
	if d := changedOutside(withWaypoint, withPolicies, "blueprints/sample-app/authorization-waypoint.yaml"); d != "" {
		t.Errorf("adding the waypoint's policy changed other files:\n%s", d)
	}

	// 3. Ambient mode. With the sidecar policy still there, validate-mesh fails the render
	// (MFN0015) and no file changes; without it, the render goes through.
	edit(t, filepath.Join(shop, "namespace-revision.yaml"), "    - shop # kpt-set: ${namespace}\n",
		"    - shop # kpt-set: ${namespace}\n  dataplaneMode: ambient\n")
	edited := snapshot(t, dir)
	if out, ok := tryRender(t, dir); ok || !strings.Contains(out, "MFN0015") || !strings.Contains(out, "AuthorizationPolicy/shop/catalog: [MFN0015]") {
		t.Errorf("ambient mode with the sidecar's layer-7 policy rendered (ok=%v) or failed without MFN0015 on it:\n%s", ok, out)
	}
	if d := diffTrees(edited, snapshot(t, dir)); d != "" {
		t.Errorf("the failed render changed files:\n%s", d)
	}
	remove(t, shop, "authorization.yaml")
	out := render(t, dir)
	ambient := snapshot(t, dir)
	renderedUnchanged(t, dir, ambient, "ambient mode")
	checkShopAmbient(t, shop, out)
	if d := changedOutside(withPolicies, ambient, "blueprints/sample-app/"); d != "" {
		t.Errorf("moving the shop to ambient mode changed files outside its package:\n%s", d)
	}

	// Roll back, one step at a time.
	edit(t, filepath.Join(shop, "namespace-revision.yaml"), "  dataplaneMode: ambient\n", "")
	writeFile(t, shop, "authorization.yaml", withPolicies["blueprints/sample-app/authorization.yaml"])
	render(t, dir)
	if d := diffTrees(withPolicies, snapshot(t, dir)); d != "" {
		t.Errorf("moving the shop back to sidecars did not restore the state before ambient mode:\n%s", d)
	}
	remove(t, shop, "authorization-waypoint.yaml")
	render(t, dir)
	if d := diffTrees(withWaypoint, snapshot(t, dir)); d != "" {
		t.Errorf("removing the waypoint's policy did not restore the state before it:\n%s", d)
	}
	// The namespace leaves the waypoint (Istio's first rollback step), then the waypoint goes.
	edit(t, filepath.Join(shop, "waypoint.yaml"), "enrollNamespace: true", "enrollNamespace: false")
	render(t, dir)
	if ns := readFile(t, shop, "namespace.yaml"); strings.Contains(ns, "istio.io/use-waypoint") {
		t.Errorf("the namespace still uses the waypoint:\n%s", ns)
	}
	edit(t, filepath.Join(shop, "Kptfile"), generateWaypointStep, "")
	remove(t, shop, "waypoint.yaml")
	remove(t, shop, "generated")
	render(t, dir)
	if d := diffTrees(before, snapshot(t, dir)); d != "" {
		t.Errorf("the rollback is not the starting point byte for byte:\n%s", d)
	}
}

// renderedUnchanged renders dir again and fails when anything changed.
func renderedUnchanged(t *testing.T, dir string, want map[string]string, state string) {
	t.Helper()
	render(t, dir)
	if d := diffTrees(want, snapshot(t, dir)); d != "" {
		t.Errorf("rendering %s again changed files:\n%s", state, d)
	}
}

// checkWaypointAdded checks that adding the waypoint generated it as istioctl would, with
// the shop's revision, enrolled the namespace, and changed nothing else.
func checkWaypointAdded(t *testing.T, before, after map[string]string) {
	t.Helper()
	gw := after["blueprints/sample-app/generated/gateway_waypoint.yaml"]
	for _, want := range []string{"kind: Gateway", "name: waypoint", "namespace: shop", "istio.io/rev: asm-1-29",
		"gatewayClassName: istio-waypoint", "port: 15008", "protocol: HBONE"} {
		if !strings.Contains(gw, want) {
			t.Errorf("the generated waypoint lacks %q:\n%s", want, gw)
		}
	}
	if ns := after["blueprints/sample-app/namespace.yaml"]; !strings.Contains(ns, "istio.io/use-waypoint: waypoint") {
		t.Errorf("the namespace was not enrolled in the waypoint:\n%s", ns)
	}
	for name := range after {
		switch name {
		case "blueprints/sample-app/Kptfile", "blueprints/sample-app/waypoint.yaml",
			"blueprints/sample-app/generated/gateway_waypoint.yaml", "blueprints/sample-app/namespace.yaml":
			continue
		}
		if before[name] != after[name] {
			t.Errorf("adding the waypoint changed %s", name)
		}
	}
}

// checkShopAmbient checks that the shop's namespace is labelled for ambient mode and that
// its workloads lost their sidecars, each with the rule that decided.
func checkShopAmbient(t *testing.T, shop, kptOut string) {
	t.Helper()
	ns := readFile(t, shop, "namespace.yaml")
	for _, want := range []string{"istio.io/rev: asm-1-29", "istio-injection: disabled", "istio.io/dataplane-mode: ambient",
		"istio.io/use-waypoint: waypoint"} {
		if !strings.Contains(ns, want) {
			t.Errorf("the shop namespace lacks %q:\n%s", want, ns)
		}
	}
	for _, f := range shopWorkloads {
		got := readFile(t, shop, f)
		for _, gone := range []string{"istio-proxy", "sidecar.istio.io/status", "meshfn.dev/uninject-patch", "proxyv2"} {
			if strings.Contains(got, gone) {
				t.Errorf("%s still holds %q after the move to ambient mode", f, gone)
			}
		}
	}
	for _, w := range []string{"Deployment/shop/frontend", "Deployment/shop/catalog", "StatefulSet/shop/cart", "CronJob/shop/nightly-report"} {
		if want := w + ": no longer injected: ambient mode (namespace label istio.io/dataplane-mode=ambient)"; !strings.Contains(kptOut, want) {
			t.Errorf("kpt output lacks %q:\n%s", want, kptOut)
		}
	}
}

func remove(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}
