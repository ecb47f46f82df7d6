package injection

import (
	"strings"
	"testing"
)

// TestProxyConfigResources: in webhook mode the proxy config is the mesh default, then the
// root namespace's ProxyConfig, the namespace's, the pod annotation, and the workload's
// ProxyConfig (selector) last, as Istio's webhook merges them. kube-inject ignores them.
func TestProxyConfigResources(t *testing.T) {
	const pkg = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: shop
    labels:
      istio-injection: enabled
- apiVersion: networking.istio.io/v1beta1
  kind: ProxyConfig
  metadata:
    name: mesh-wide
    namespace: istio-system
  spec:
    concurrency: 2
    environmentVariables:
      FROM_MESH: "yes"
      LEVEL: mesh
- apiVersion: networking.istio.io/v1beta1
  kind: ProxyConfig
  metadata:
    name: shop-wide
    namespace: shop
  spec:
    environmentVariables:
      LEVEL: namespace
- apiVersion: networking.istio.io/v1beta1
  kind: ProxyConfig
  metadata:
    name: web-only
    namespace: shop
  spec:
    selector:
      matchLabels:
        app: web
    image:
      imageType: distroless
    environmentVariables:
      LEVEL: workload
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: shop
  spec:
    template:
      metadata:
        labels:
          app: web
        annotations:
          proxy.istio.io/config: '{"concurrency": 3, "proxyMetadata": {"FROM_POD": "yes", "LEVEL": "pod"}}'
      spec:
        containers:
        - name: web
          image: web:1
functionConfig:
  apiVersion: fn.meshfn.dev/v1alpha1
  kind: SidecarInjection
  metadata:
    name: t
  spec:
    MODE
`
	webhook := deployment(t, render(t, []byte(strings.Replace(pkg, "MODE", "mode: webhook", 1))))
	for _, want := range []string{
		"proxyv2:1.30.3-distroless", // workload ProxyConfig image type
		`\"concurrency\":3`,         // annotation over the mesh-wide concurrency 2 (in PROXY_CONFIG)
		`\"LEVEL\":\"workload\"`,    // the workload's wins over the pod's, the namespace's and the mesh's
		"name: FROM_MESH", "name: FROM_POD",
	} {
		if !strings.Contains(webhook, want) {
			t.Errorf("webhook-mode injection lacks %q:\n%s", want, webhook)
		}
	}
	always := deployment(t, render(t, []byte(strings.Replace(pkg, "MODE", "mode: always", 1))))
	if strings.Contains(always, "FROM_MESH") || strings.Contains(always, "distroless") {
		t.Errorf("kube-inject mode applied ProxyConfig resources:\n%s", always)
	}
	if !strings.Contains(always, "name: FROM_POD") {
		t.Errorf("kube-inject mode lost the pod annotation:\n%s", always)
	}
}
