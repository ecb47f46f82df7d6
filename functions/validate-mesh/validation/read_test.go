package validation

import (
	"slices"
	"testing"

	"github.com/meshfn/meshfn/functions/validate-mesh/istioanalysis"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestNamePodsRenamesConverted: an injected workload's pod is converted as soon as it is
// read, under the workload's name; a Pod of that name later in the package renames it, to
// the object it would have been converted to under the new name.
func TestNamePodsRenamesConverted(t *testing.T) {
	deployment := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: web}
      annotations: {sidecar.istio.io/status: '{"containers":["istio-proxy"]}'}
    spec:
      containers:
      - {name: web, image: web:1, ports: [{containerPort: 8080}]}
      - {name: istio-proxy, image: proxyv2:1.30.3}
`
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers:\n  - {name: web, image: web:1}\n"
	items := []*yaml.RNode{yaml.MustParse(deployment), yaml.MustParse(pod)}
	fresh := yaml.MustParse(deployment)
	pv := readPackage(slices.Values(items))
	if _, ok := pv.converted["p0"]; !ok {
		t.Fatal("the injected workload's pod was not converted while reading")
	}
	if err := pv.namePods(""); err != nil {
		t.Fatal(err)
	}
	p := pv.pods[0]
	if p.Name != "web-pod" {
		t.Fatalf("pod name %q, want web-pod", p.Name)
	}
	t0, _ := fresh.Pipe(yaml.Lookup("spec", "template"))
	p.Template = t0
	want, err := istioanalysis.ObjectOf("p0", p.Node().YNode())
	if err != nil {
		t.Fatal(err)
	}
	if got := pv.converted["p0"].Obj; string(got.JSON) != string(want.JSON) {
		t.Errorf("renamed pod:\n%s\nwant:\n%s", got.JSON, want.JSON)
	}
}
