package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCanaryUpgradeAndRollback is the day of an upgrade, as the commits a platform team
// would review, on the repository's root package (every blueprint, on revision asm-1-27):
//
//  1. add revision asm-1-28 beside asm-1-27: a second control-plane-revision package;
//  2. move the shop namespace (the sample app) to asm-1-28;
//  3. move it back;
//  4. remove revision asm-1-28.
//
// After 2, asm-1-28's webhooks and Service exist beside asm-1-27's, the shop's workloads
// carry asm-1-28's sidecar and every other namespace's workloads are untouched. After 4,
// the package is the starting point byte for byte.
func TestCanaryUpgradeAndRollback(t *testing.T) {
	const from, to = "asm-1-27", "asm-1-28"
	dir := rootPackage(t)
	start := snapshot(t, dir)
	canary := filepath.Join(dir, "blueprints", "control-plane-revision-"+to)
	shop := filepath.Join(dir, "blueprints", "sample-app")

	// 1. A new control-plane revision, rendered from the blueprint with its setter changed.
	copyTree(t, filepath.Join(repoRoot(t), "blueprints", "control-plane-revision"), canary)
	if err := os.RemoveAll(filepath.Join(canary, "generated")); err != nil {
		t.Fatal(err)
	}
	edit(t, filepath.Join(canary, "Kptfile"), "revision: "+from, "revision: "+to)
	render(t, dir)
	added := snapshot(t, dir)
	for name, content := range start {
		if added[name] != content {
			t.Errorf("adding revision %s changed %s:\n%s", to, name, diffTrees(map[string]string{name: content}, map[string]string{name: added[name]}))
		}
	}
	for _, f := range []string{
		"mutatingwebhookconfiguration_istio-sidecar-injector-" + to + ".yaml",
		"service_istiod-" + to + ".yaml",
		"validatingwebhookconfiguration_istio-validator-" + to + "-istio-system.yaml",
	} {
		got := readFile(t, filepath.Join(canary, "generated"), f)
		if !strings.Contains(got, to) || strings.Contains(got, from) {
			t.Errorf("generated/%s is not revision %s's:\n%s", f, to, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "blueprints", "control-plane-revision", "generated", "service_istiod-"+from+".yaml")); err != nil {
		t.Errorf("revision %s's Service is gone: %v", from, err)
	}

	// 2. The shop namespace moves to the new revision.
	edit(t, filepath.Join(shop, "Kptfile"), "revision: "+from, "revision: "+to)
	out := render(t, dir)
	moved := snapshot(t, dir)
	if ns := readFile(t, shop, "namespace.yaml"); !strings.Contains(ns, "istio.io/rev: "+to) {
		t.Errorf("the shop namespace is not labelled for %s:\n%s", to, ns)
	}
	workloads := map[string]string{ // file: workload
		"frontend.yaml": "Deployment/shop/frontend", "catalog.yaml": "Deployment/shop/catalog",
		"cart.yaml": "StatefulSet/shop/cart", "nightly-report.yaml": "CronJob/shop/nightly-report",
	}
	for file, workload := range workloads {
		got := readFile(t, shop, file)
		for _, want := range []string{`"revision":"` + to + `"`, "istiod-" + to + ".istio-system.svc:15012", "istio.io/rev: " + to} {
			if !strings.Contains(got, want) {
				t.Errorf("%s was not re-injected for %s: %q missing", file, to, want)
			}
		}
		if strings.Contains(got, from) {
			t.Errorf("%s still refers to revision %s", file, from)
		}
		if want := workload + ": injected by revision " + to; !strings.Contains(out, want) {
			t.Errorf("kpt output lacks %q:\n%s", want, out)
		}
	}
	for name, content := range added {
		if !strings.HasPrefix(name, "blueprints/sample-app/") && moved[name] != content {
			t.Errorf("moving the shop namespace changed %s outside its package", name)
		}
	}
	if details := moved["blueprints/mesh-namespace/details.yaml"]; !strings.Contains(details, `"revision":"`+from+`"`) {
		t.Errorf("the bookinfo namespace's workload is no longer on %s:\n%s", from, details)
	}

	// 3. and 4. Roll back: the namespace first, then the revision.
	edit(t, filepath.Join(shop, "Kptfile"), "revision: "+to, "revision: "+from)
	render(t, dir)
	if d := diffTrees(added, snapshot(t, dir)); d != "" {
		t.Errorf("moving the shop back did not restore the state before the move:\n%s", d)
	}
	if err := os.RemoveAll(canary); err != nil {
		t.Fatal(err)
	}
	render(t, dir)
	if d := diffTrees(start, snapshot(t, dir)); d != "" {
		t.Errorf("the rollback is not the starting point byte for byte:\n%s", d)
	}
}
