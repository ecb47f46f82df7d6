package casecrets

import (
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/cabundle"
	ct "github.com/meshfn/meshfn/internal/cabundle/cabundletest"
	"github.com/meshfn/meshfn/internal/krmtest"
)

// TestGolden runs every case folder under testdata at testNow (see internal/krmtest).
func TestGolden(t *testing.T) {
	krmtest.RunGoldenDir(t, goldenDir, runAtTestNow)
}

// render runs the function over the fixture's items with its config, and fails the test
// unless it succeeds.
func render(t *testing.T, f fixture) *fn.ResourceList {
	t.Helper()
	out, ok := krmtest.Run(t, runAtTestNow, resourceList(t, f))
	if !ok {
		t.Fatalf("function failed:\n%s", out)
	}
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	return rl
}

// next is the fixture for the next render: the output's items, minus those dropped. It
// moves the items out of rl.
func next(t *testing.T, rl *fn.ResourceList, config string, drop func(*fn.KubeObject) bool) fixture {
	t.Helper()
	f := fixture{config: config}
	for _, it := range rl.Items {
		if drop == nil || !drop(it) {
			f.items = append(f.items, it.MoveToResourceNode())
		}
	}
	return f
}

func kinds(rl *fn.ResourceList) string {
	var out []string
	for _, it := range rl.Items {
		out = append(out, it.GetKind()+" "+it.GetNamespace()+"/"+it.GetName())
	}
	return strings.Join(out, ", ")
}

func messages(rl *fn.ResourceList, prefix string) []string {
	var out []string
	for _, r := range rl.Results {
		if strings.HasPrefix(r.Message, prefix) {
			out = append(out, r.ResourceRef.Kind+" "+r.ResourceRef.Name)
		}
	}
	return out
}

// TestRemovedBundlePruned: removing a CABundle from the package prunes its Secrets and
// ExternalSecret on the next render, and leaves the other bundle's alone.
func TestRemovedBundlePruned(t *testing.T) {
	fx := fixtures(t, testCerts(t, false))
	config := fx["two-bundles"].config
	first := render(t, fx["two-bundles"])
	if got := len(first.Items); got != 5 {
		t.Fatalf("two bundles rendered %d items, want 2 CABundles, 2 Secrets, 1 ExternalSecret: %s", got, kinds(first))
	}
	second := render(t, next(t, first, config, func(o *fn.KubeObject) bool {
		return o.GetKind() == "CABundle" && o.GetName() == "c2"
	}))
	want := "CABundle /c1, Secret istio-system/istio-ca-cert"
	if got := kinds(second); got != want {
		t.Errorf("after removing c2, items are\n%s\nwant\n%s", got, want)
	}
	if got := strings.Join(messages(second, "pruned"), ", "); got != "ExternalSecret cacerts-ca-key, Secret cacerts" {
		t.Errorf("pruned results: %s", got)
	}

	// A third render changes nothing.
	third := render(t, next(t, second, config, nil))
	if kinds(third) != want || len(messages(third, "pruned"))+len(messages(third, "generated")) != 0 {
		t.Errorf("third render changed the package: %s\n%v", kinds(third), third.Results)
	}
}

// TestFlowChange: moving a cluster from the HSM plugin to the plugged-in CA replaces
// istio-ca-cert with cacerts and its ExternalSecret.
func TestFlowChange(t *testing.T) {
	fx := fixtures(t, testCerts(t, false))
	first := render(t, fx["hsm-plugin"])
	f := next(t, first, fx["plugged-in"].config, func(o *fn.KubeObject) bool { return o.GetKind() == "CABundle" })
	f.items = append(f.items, fx["plugged-in"].items[0])
	second := render(t, f)
	if got := strings.Join(messages(second, "pruned"), ", "); got != "Secret istio-ca-cert" {
		t.Errorf("pruned %q, want Secret istio-ca-cert", got)
	}
	if got := strings.Join(messages(second, "generated"), ", "); got != "Secret cacerts, ExternalSecret cacerts-ca-key" {
		t.Errorf("generated %q", got)
	}
}

// TestUpdatedBundleUpdatesSecret: a renewed CA in the bundle updates the Secret in place,
// in the file it was moved to.
func TestUpdatedBundleUpdatesSecret(t *testing.T) {
	certs := testCerts(t, false)
	fx := fixtures(t, certs)
	first := render(t, fx["hsm-plugin"])
	f := next(t, first, fx["hsm-plugin"].config, func(o *fn.KubeObject) bool { return o.GetKind() == "CABundle" })
	for _, it := range f.items {
		if it.GetKind() == "Secret" {
			located(it, "secrets/ca.yaml")
		}
	}
	renewed := ct.Bundle("c1", "istio-system", cabundle.FlowHSMPlugin, certs["c2-ca"], nil, certs["root"])
	f.items = append(f.items, located(renewed.Node(), "cabundle-c1.yaml"))
	second := render(t, f)
	if got := strings.Join(messages(second, "updated"), ", "); got != "Secret istio-ca-cert" {
		t.Errorf("updated %q, want Secret istio-ca-cert", got)
	}
	if len(messages(second, "generated"))+len(messages(second, "pruned")) != 0 {
		t.Errorf("results: %v", second.Results)
	}
	for _, it := range second.Items {
		if it.GetKind() != "Secret" {
			continue
		}
		if p := it.GetAnnotation("config.kubernetes.io/path"); p != "secrets/ca.yaml" {
			t.Errorf("updated Secret moved to %q", p)
		}
		chain, _, _ := it.NestedString("data", "cert-chain.pem")
		if chain != b64(renewed.Spec.CertChain) {
			t.Error("the Secret does not hold the renewed chain")
		}
	}
}
