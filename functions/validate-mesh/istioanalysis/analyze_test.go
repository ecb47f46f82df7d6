package istioanalysis

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const gateway = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: web
  namespace: shop
spec:
  selector:
    istio: ingressgateway
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
`

const brokenVirtualService = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
  namespace: shop
spec:
  hosts: [web]
  http:
  - route:
    - destination: {host: nowhere}
`

// summary lists messages as "CODE Level Resource @document".
func summary(res *Result) string {
	var out []string
	for _, m := range res.Messages {
		out = append(out, fmt.Sprintf("%s %s %s @%s", m.Code, m.Level, m.Resource, m.Document))
	}
	for _, e := range res.ReadErrors {
		out = append(out, "unreadable @"+e.Document)
	}
	for _, w := range res.MeshConfigWarnings {
		out = append(out, "mesh config: "+w)
	}
	for _, c := range res.Crashes {
		out = append(out, fmt.Sprintf("crash %s %s @%s: %s", c.Analyzer, c.Resource, c.Document, c.Reason))
	}
	return strings.Join(out, "\n")
}

func objectOf(doc string) Object {
	o, err := ObjectOf("vs", yaml.MustParse(doc).YNode())
	if err != nil {
		panic(err)
	}
	return o
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name string
		docs []Document
		objs []Object
		opts Options
		want string
	}{
		{
			name: "a message names its resource and document",
			docs: []Document{{Name: "vs.yaml", YAML: brokenVirtualService}},
			want: "IST0101 Error VirtualService shop/web @vs.yaml",
		},
		{
			name: "an object: the same message, its fields' lines from the parsed YAML",
			objs: []Object{objectOf(brokenVirtualService)},
			want: "IST0101 Error VirtualService shop/web @vs",
		},
		{
			name: "an object of the wrong type is unreadable, as in a file",
			objs: []Object{objectOf("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x, namespace: y}\nspec: {hosts: 5}\n")},
			want: "unreadable @vs",
		},
		{
			name: "a repeated key counts once, its first value",
			objs: []Object{objectOf("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: web\n  namespace: shop\n" +
				"  annotations: {a: b}\n  annotations: {c: d}\nspec:\n  hosts: [web]\n  http:\n  - route:\n    - destination: {host: nowhere}\n")},
			want: "IST0101 Error VirtualService shop/web @vs",
		},
		{
			name: "Istio's default ingress gateway stands in",
			docs: []Document{{Name: "gw", YAML: gateway}},
		},
		{
			name: "no default ingress gateway when the mesh config turns ingress off",
			docs: []Document{{Name: "gw", YAML: gateway}},
			opts: Options{MeshConfig: "ingressControllerMode: \"OFF\"\n"},
			want: "IST0101 Error Gateway shop/web @gw",
		},
		{
			name: "a resource Istio cannot read",
			docs: []Document{{Name: "bad", YAML: "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x, namespace: y}\nspec: {hosts: 5}\n"}},
			want: "unreadable @bad",
		},
		{
			// Istio's analyzer dereferences the null source: before, validate-mesh
			// crashed with no output.
			name: "an analyzer that crashes on a resource names it, and the others run",
			objs: []Object{objectOf("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ap, namespace: shop}\n" +
				"spec: {rules: [{from: [null]}]}\n"), objectOf(brokenVirtualService)},
			want: "IST0106 Error AuthorizationPolicy shop/ap @vs\nIST0127 Warning AuthorizationPolicy shop/ap @vs\nIST0101 Error VirtualService shop/web @vs\n" +
				"crash auth.AuthorizationPoliciesAnalyzer AuthorizationPolicy shop/ap @vs: runtime error: invalid memory address or nil pointer dereference",
		},
		{
			name: "mesh config warnings",
			opts: Options{MeshConfig: "defaultConfig:\n  proxyMetadata:\n    ISTIO_META_DNS_AUTO_ALLOCATE: \"true\"\n"},
			want: "mesh config: 'ISTIO_META_DNS_AUTO_ALLOCATE' is deprecated; review " +
				"https://istio.io/latest/docs/ops/configuration/traffic-management/dns-proxy/#dns-auto-allocation-v2 " +
				"for information about replacement functionality",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Analyze(slices.Values(tc.objs), tc.docs, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(res); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestAnalyzeRefusesAnInvalidMeshConfig(t *testing.T) {
	_, err := Analyze(nil, nil, Options{MeshConfig: "defaultConfig: [not, a, mapping]"})
	if err == nil || !strings.Contains(err.Error(), "mesh config") {
		t.Errorf("err = %v", err)
	}
}
