package origin

import (
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// items are two packages as kpt fn eval gives them from the repository's root: paths
// from there, no package folders. ns gives its setters in a configMap, app in a
// configPath file.
const items = `apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: ns
  annotations: {config.kubernetes.io/path: blueprints/ns/Kptfile}
pipeline:
  mutators:
  - image: ghcr.io/meshfn/apply-setters:v0.1.0
    configMap: {revision: asm-1-29}
---
apiVersion: v1
kind: Namespace
metadata:
  name: bookinfo
  annotations: {config.kubernetes.io/path: blueprints/ns/namespace.yaml}
  labels:
    istio.io/rev: asm-1-29 # kpt-set: ${revision}
    other: x # kpt-set: ${tier}
---
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: app
  annotations: {config.kubernetes.io/path: blueprints/app/Kptfile}
pipeline:
  mutators:
  - exec: apply-setters
    configPath: setters.yaml
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: setters
  annotations: {config.kubernetes.io/path: blueprints/app/setters.yaml}
data: {tier: gold}
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {config.kubernetes.io/path: blueprints/app/namespace.yaml}
  labels:
    other: x # kpt-set: ${tier}
`

// TestSetter: a field's setter is found in the Kptfile of the field's own package, given
// inline or in a configPath file; a setter that package does not give is no origin.
func TestSetter(t *testing.T) {
	objs, err := kio.FromBytes([]byte(items))
	if err != nil {
		t.Fatal(err)
	}
	p := Read(objs)
	label := func(obj *yaml.RNode, key string) *yaml.Node {
		n, err := obj.Pipe(yaml.Lookup("metadata", "labels", key))
		if err != nil || n == nil {
			t.Fatalf("no label %s", key)
		}
		return n.YNode()
	}
	ns, app := objs[1], objs[4]
	for _, tc := range []struct {
		name string
		obj  *yaml.RNode
		node *yaml.Node
		want string
	}{
		{"inline configMap", ns, label(ns, "istio.io/rev"), "set by the setter revision of blueprints/ns/Kptfile"},
		{"a setter of another package", ns, label(ns, "other"), ""},
		{"configPath", app, label(app, "other"), "set by the setter tier of blueprints/app/setters.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, ok := p.Setter(tc.obj, tc.node)
			if ok != (tc.want != "") || o.String() != tc.want {
				t.Errorf("Setter = %q, %v; want %q", o, ok, tc.want)
			}
		})
	}
	if p.SamePackage(ns, app) || !p.SamePackage(ns, objs[0]) {
		t.Error("SamePackage does not tell the packages apart")
	}
	o := Origin{Function: "set-namespace-revision", Config: "ns/nr.yaml", Field: "spec.revision", Setter: "revision", SetterFile: "ns/Kptfile"}
	if want := "written by set-namespace-revision from spec.revision in ns/nr.yaml, whose value is the setter revision of ns/Kptfile"; o.String() != want {
		t.Errorf("String = %q, want %q", o, want)
	}
}
