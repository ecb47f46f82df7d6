package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// revisionStep is one control-plane revision of the upgrade: its name and proxy tag.
type revisionStep struct{ name, tag string }

var (
	stableRevision = revisionStep{"asm-1-29", "1.29.6"}
	canaryRevision = revisionStep{"asm-1-30", "1.30.3"}
	nextRevision   = revisionStep{"asm-1-31", "1.31.0"}
)

// addRevision instantiates the control-plane blueprint again for a revision, as the README
// says: copy it, drop what it generated, set the revision and tag setters.
func addRevision(t *testing.T, root string, r revisionStep) string {
	t.Helper()
	dir := filepath.Join(root, "blueprints", "control-plane-revision-"+r.name)
	copyTree(t, filepath.Join(repoRoot(t), "blueprints", "control-plane-revision"), dir)
	if err := os.RemoveAll(filepath.Join(dir, "generated")); err != nil {
		t.Fatal(err)
	}
	edit(t, filepath.Join(dir, "Kptfile"), "revision: "+stableRevision.name, "revision: "+r.name)
	edit(t, filepath.Join(dir, "Kptfile"), "tag: "+stableRevision.tag, "tag: "+r.tag)
	return dir
}

// TestCanaryUpgradeAndRollback is the day of an upgrade, as the commits a platform team
// would review, on the repository's root package (every blueprint, on revision asm-1-29
// with proxy 1.29.6):
//
//  1. add revision asm-1-30 (proxy 1.30.3) beside asm-1-29: a second control-plane package;
//  2. move the shop namespace (the sample app) to asm-1-30: its workloads get the new proxy;
//  3. a second canary: add asm-1-31 (proxy 1.31.0) and move the shop on to it;
//  4. roll back step by step: the shop to asm-1-30, to asm-1-29, then remove both revisions.
//
// Every step changes only what it must, and each rollback step restores the bytes of the
// state before the step it undoes. Each revision injects as its own Istio release: a
// workload of the shop whose injection differs between 1.30 and 1.31 (releaseProbe) shows
// it when the shop moves on to asm-1-31.
func TestCanaryUpgradeAndRollback(t *testing.T) {
	dir := rootPackage(t)
	probe := filepath.Join(dir, "blueprints", "sample-app", "release-probe.yaml")
	if err := os.WriteFile(probe, []byte(releaseProbe), 0o644); err != nil {
		t.Fatal(err)
	}
	render(t, dir)
	start := snapshot(t, dir)
	shopKptfile := filepath.Join(dir, "blueprints", "sample-app", "Kptfile")

	// 1. A new control-plane revision, rendered from the blueprint with its setters changed.
	canary := addRevision(t, dir, canaryRevision)
	render(t, dir)
	added := snapshot(t, dir)
	if d := changedOutside(start, added, "blueprints/control-plane-revision-"+canaryRevision.name+"/"); d != "" {
		t.Errorf("adding revision %s changed other files:\n%s", canaryRevision.name, d)
	}
	for _, f := range []string{
		"mutatingwebhookconfiguration_istio-sidecar-injector-" + canaryRevision.name + ".yaml",
		"service_istiod-" + canaryRevision.name + ".yaml",
		"validatingwebhookconfiguration_istio-validator-" + canaryRevision.name + "-istio-system.yaml",
		"revisioninjector_" + canaryRevision.name + ".yaml",
	} {
		got := readFile(t, filepath.Join(canary, "generated"), f)
		if !strings.Contains(got, canaryRevision.name) || strings.Contains(got, stableRevision.name) {
			t.Errorf("generated/%s is not revision %s's:\n%s", f, canaryRevision.name, got)
		}
	}
	if got := readFile(t, filepath.Join(canary, "generated"), "revisioninjector_"+canaryRevision.name+".yaml"); !strings.Contains(got, "tag: "+canaryRevision.tag) {
		t.Errorf("the RevisionInjector does not declare the canary's proxy:\n%s", got)
	}

	// 2. The shop namespace moves to the canary: the diff shows the new proxy image.
	edit(t, shopKptfile, "revision: "+stableRevision.name, "revision: "+canaryRevision.name)
	out := render(t, dir)
	moved := snapshot(t, dir)
	checkShopOn(t, dir, out, canaryRevision, stableRevision)
	checkProbeBefore131(t, readFile(t, filepath.Join(dir, "blueprints", "sample-app"), "release-probe.yaml"))
	if d := diffTrees(added, moved); !strings.Contains(d, "-          image: docker.io/istio/proxyv2:"+stableRevision.tag+"\n") ||
		!strings.Contains(d, "+          image: docker.io/istio/proxyv2:"+canaryRevision.tag+"\n") {
		t.Errorf("the diff of the move does not show the proxy image change:\n%s", d)
	}
	if d := changedOutside(added, moved, "blueprints/sample-app/"); d != "" {
		t.Errorf("moving the shop changed files outside its package:\n%s", d)
	}

	// 3. A second canary: asm-1-31, and the shop moves on to it; bookinfo stays on asm-1-29.
	next := addRevision(t, dir, nextRevision)
	render(t, dir)
	edit(t, shopKptfile, "revision: "+canaryRevision.name, "revision: "+nextRevision.name)
	out = render(t, dir)
	checkShopOn(t, dir, out, nextRevision, canaryRevision)
	checkProbeAs131(t, readFile(t, filepath.Join(dir, "blueprints", "sample-app"), "release-probe.yaml"))
	if details := readFile(t, filepath.Join(dir, "blueprints", "mesh-namespace"), "details.yaml"); !strings.Contains(details, "proxyv2:"+stableRevision.tag) {
		t.Errorf("the bookinfo namespace's workload is no longer on %s:\n%s", stableRevision.name, details)
	}

	// 4. Roll back, one step at a time.
	edit(t, shopKptfile, "revision: "+nextRevision.name, "revision: "+canaryRevision.name)
	render(t, dir)
	if err := os.RemoveAll(next); err != nil {
		t.Fatal(err)
	}
	render(t, dir)
	if d := diffTrees(moved, snapshot(t, dir)); d != "" {
		t.Errorf("rolling back the second canary did not restore the state before it:\n%s", d)
	}
	edit(t, shopKptfile, "revision: "+canaryRevision.name, "revision: "+stableRevision.name)
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

// releaseProbe is a workload of the shop that Istio 1.30 and 1.31 inject differently:
// 1.31 trims the canonical name of "_" and "." at both ends, and moves
// prometheus.istio.io/scrape-targets into the agent's scrape settings.
const releaseProbe = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-probe
  namespace: shop
spec:
  selector:
    matchLabels:
      app: release-probe
  template:
    metadata:
      labels:
        app: release-probe
        app.kubernetes.io/name: _probe.
      annotations:
        prometheus.istio.io/scrape-targets: "8080,9100:/custom"
    spec:
      containers:
      - name: probe
        image: example.com/probe:1
`

// checkProbeBefore131 checks the probe as Istio 1.28 to 1.30 inject it.
func checkProbeBefore131(t *testing.T, got string) {
	t.Helper()
	for _, want := range []string{"service.istio.io/canonical-name: _probe.", `prometheus.istio.io/scrape-targets: "8080,9100:/custom"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the probe is not injected as Istio 1.30 injects it: %q missing:\n%s", want, got)
		}
	}
	if strings.Contains(got, `"targets":[`) {
		t.Errorf("the probe has 1.31's scrape targets before 1.31:\n%s", got)
	}
}

// checkProbeAs131 checks the probe as Istio 1.31 injects it (the pod, not the revert
// record, which keeps the annotation as it was written).
func checkProbeAs131(t *testing.T, got string) {
	t.Helper()
	var pod []string
	for _, line := range strings.Split(got, "\n") {
		if !strings.Contains(line, "meshfn.dev/uninject-patch:") {
			pod = append(pod, line)
		}
	}
	got = strings.Join(pod, "\n")
	for _, want := range []string{"service.istio.io/canonical-name: probe\n",
		`'{"scrape":"","path":"/metrics","port":"8080","targets":[{"port":"8080","path":"/metrics"},{"port":"9100","path":"/custom"}]}'`} {
		if !strings.Contains(got, want) {
			t.Errorf("the probe is not injected as Istio 1.31 injects it: %q missing:\n%s", want, got)
		}
	}
	if strings.Contains(got, "prometheus.istio.io/scrape-targets: ") {
		t.Errorf("Istio 1.31 moves the scrape targets into the agent's settings; the annotation stayed:\n%s", got)
	}
}

// checkShopOn checks that every workload of the shop carries revision r's sidecar and
// proxy image, and nothing of revision old.
func checkShopOn(t *testing.T, dir, kptOut string, r, old revisionStep) {
	t.Helper()
	shop := filepath.Join(dir, "blueprints", "sample-app")
	if ns := readFile(t, shop, "namespace.yaml"); !strings.Contains(ns, "istio.io/rev: "+r.name) {
		t.Errorf("the shop namespace is not labelled for %s:\n%s", r.name, ns)
	}
	workloads := map[string]string{ // file: workload
		"frontend.yaml": "Deployment/shop/frontend", "catalog.yaml": "Deployment/shop/catalog",
		"cart.yaml": "StatefulSet/shop/cart", "nightly-report.yaml": "CronJob/shop/nightly-report",
	}
	for file, workload := range workloads {
		got := readFile(t, shop, file)
		for _, want := range []string{`"revision":"` + r.name + `"`, "istiod-" + r.name + ".istio-system.svc:15012",
			"istio.io/rev: " + r.name, "image: docker.io/istio/proxyv2:" + r.tag} {
			if !strings.Contains(got, want) {
				t.Errorf("%s was not re-injected for %s: %q missing", file, r.name, want)
			}
		}
		if strings.Contains(got, old.name) || strings.Contains(got, "proxyv2:"+old.tag) {
			t.Errorf("%s still refers to revision %s", file, old.name)
		}
		if want := workload + ": injected by revision " + r.name; !strings.Contains(kptOut, want) {
			t.Errorf("kpt output lacks %q:\n%s", want, kptOut)
		}
	}
}

// changedOutside describes the files that differ between two snapshots outside the folder
// prefix, or returns "".
func changedOutside(before, after map[string]string, prefix string) string {
	outside := func(files map[string]string) map[string]string {
		out := map[string]string{}
		for name, content := range files {
			if !strings.HasPrefix(name, prefix) {
				out[name] = content
			}
		}
		return out
	}
	return diffTrees(outside(before), outside(after))
}
