package yamlpatch_test

import (
	"fmt"

	"github.com/meshfn/meshfn/internal/yamlpatch"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Where before and after differ, the YAML takes after's value; everything else stays:
// the comments, the key order, the quoting, and a field the typed view does not know
// (x-owner). A key after drops is removed; new keys go at the end of their mapping,
// apiVersion, kind, metadata, name, namespace and image first, then in lexical order.
func ExampleApply() {
	node := yaml.MustParse(`# the web tier
name: web
x-owner: shop-team # not in the typed view
replicas: 2 # scaled by hand
image: 'web:1.0'
debug: true
`)
	before := map[string]any{"name": "web", "replicas": 2, "image": "web:1.0", "debug": true}
	after := map[string]any{"name": "web", "replicas": 3, "image": "web:1.1", "port": 8080, "namespace": "shop"}
	if err := yamlpatch.Apply(node, before, after); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(node.MustString())
	// Output:
	// # the web tier
	// name: web
	// x-owner: shop-team # not in the typed view
	// replicas: 3 # scaled by hand
	// image: 'web:1.1'
	// namespace: shop
	// port: 8080
}

// A list whose elements are all mappings with distinct names is matched by name: the
// result has after's elements in after's order, each keeping its comments.
func ExampleApply_namedList() {
	node := yaml.MustParse(`containers:
- name: app # the application
  image: app:1
- name: istio-proxy # the sidecar
  image: proxyv2:1
`)
	before := map[string]any{"containers": []any{
		map[string]any{"name": "app", "image": "app:1"},
		map[string]any{"name": "istio-proxy", "image": "proxyv2:1"},
	}}
	after := map[string]any{"containers": []any{
		map[string]any{"name": "istio-proxy", "image": "proxyv2:2"},
		map[string]any{"name": "app", "image": "app:1"},
	}}
	if err := yamlpatch.Apply(node, before, after); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(node.MustString())
	// Output:
	// containers:
	// - name: istio-proxy # the sidecar
	//   image: proxyv2:2
	// - name: app # the application
	//   image: app:1
}

// A changed scalar keeps its style unless the new value needs another: a string that
// YAML 1.1 would read as a boolean is quoted, and a number is written plain, as JSON
// writes it.
func ExampleApply_scalars() {
	node := yaml.MustParse(`enabled: "true"
mode: strict
port: "15020"
`)
	before := map[string]any{"enabled": "true", "mode": "strict", "port": "15020"}
	after := map[string]any{"enabled": "false", "mode": "on", "port": 15021.0}
	if err := yamlpatch.Apply(node, before, after); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(node.MustString())
	// Output:
	// enabled: "false"
	// mode: "on"
	// port: 15021
}
