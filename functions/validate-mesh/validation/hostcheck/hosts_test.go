package hostcheck

import (
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// hostsPackage is a package with Services frontend and cart in namespace shop, a
// namespace edge with no Service, ServiceEntries (one with a wildcard), a waypoint and a
// List holding a Service.
const hostsPackage = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: edge}
---
apiVersion: v1
kind: Service
metadata: {name: frontend, namespace: shop}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: cart, namespace: shop}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: external, namespace: edge}
spec:
  hosts: [api.example.com, "*.legacy.svc.cluster.local", payments]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop}
spec: {gatewayClassName: istio-waypoint}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ingress, namespace: edge}
spec: {gatewayClassName: istio}
`

func readHostsPackage(t *testing.T, domains ...string) *hostView {
	t.Helper()
	var items []*yaml.RNode
	for _, doc := range strings.Split(hostsPackage, "---\n") {
		items = append(items, yaml.MustParse(doc))
	}
	return readHosts(items, check.Settings{IstioNamespace: "istio-system"}, domains)
}

// TestHostMissing: which hosts of a config in namespace shop name a cluster-local Service
// the package does not have, in every form Istio reads.
func TestHostMissing(t *testing.T) {
	hv := readHostsPackage(t, "corp.example")
	tests := []struct {
		host    string
		missing string // namespace/name, "" when not a finding
	}{
		{"frontend", ""},
		{"frontend.shop", ""},
		{"frontend.shop.svc", ""},
		{"frontend.shop.svc.cluster.local", ""},
		{"Frontend.Shop.svc.cluster.local.", ""}, // DNS names are case-insensitive; a trailing dot is the root
		{"cart", ""},                             // a Service in a List
		{"checkout", "shop/checkout"},            // short: in the config's namespace
		{"frontend.edge", "edge/frontend"},       // the package holds namespace edge
		{"frontend.default", ""},                 // "default" is not a namespace of the package: may be external
		{"frontend.default.svc", "default/frontend"},
		{"frontend.default.svc.cluster.local", "default/frontend"}, // Online Boutique's host, rendered elsewhere
		{"frontend.default.svc.corp.example", "default/frontend"},  // a revision's cluster domain
		{"frontend.default.svc.other.example", ""},                 // not this cluster's domain
		{"*", ""},
		{"*.shop.svc.cluster.local", ""},
		{"example.com", ""},
		{"www.example.com", ""},
		{"10.0.0.1", ""},
		{"api.example.com", ""},
		{"old.legacy.svc.cluster.local", ""}, // a wildcard ServiceEntry host
		{"payments.edge.svc.cluster.local", ""},
		{"payments.edge", ""}, // a short ServiceEntry host, qualified in its namespace
		{"payments", "shop/payments"},
		{"waypoint", ""},           // the Service Istio creates for a waypoint
		{"ingress-istio.edge", ""}, // and for a Gateway of class istio
		{"istio-ingressgateway.istio-system.svc.cluster.local", ""}, // Istio's stand-in ingress gateway
	}
	for _, tt := range tests {
		h, missing := hv.missing(tt.host, "shop")
		got := ""
		if missing {
			got = h.Namespace + "/" + h.Name
		}
		if got != tt.missing {
			t.Errorf("missing(%q) = %q, want %q", tt.host, got, tt.missing)
		}
	}
}

// TestHostChecks: which VirtualServices and DestinationRules are reported, and about what.
func TestHostChecks(t *testing.T) {
	hv := readHostsPackage(t)
	tests := []struct {
		name, obj string
		want      []string // parts of each finding's message, in order
	}{
		{"mesh VirtualService", "kind: VirtualService\nmetadata: {name: a, namespace: shop}\nspec:\n  hosts: [frontend, checkout, frontend.default.svc.cluster.local]",
			[]string{"host checkout names Service shop/checkout", "host frontend.default.svc.cluster.local names Service default/frontend"}},
		{"short host hint", "kind: VirtualService\nmetadata: {name: a, namespace: edge}\nspec:\n  hosts: [frontend]",
			[]string{"host frontend names Service edge/frontend, which the package does not hold and no ServiceEntry's hosts match (a short host is read in the VirtualService's own namespace, edge): its routes for it apply to no traffic"}},
		{"the Service elsewhere", "kind: VirtualService\nmetadata: {name: a, namespace: shop}\nspec:\n  hosts: [frontend.default.svc.cluster.local]",
			[]string{"the package holds Service frontend in namespace shop (frontend.shop.svc.cluster.local): point the host at it"}},
		{"gateways only", "kind: VirtualService\nmetadata: {name: a, namespace: shop}\nspec:\n  gateways: [edge/ingress]\n  hosts: [checkout, shop.example.com]", nil},
		{"gateways and mesh", "kind: VirtualService\nmetadata: {name: a, namespace: shop}\nspec:\n  gateways: [edge/ingress, mesh]\n  hosts: [checkout]",
			[]string{"host checkout names Service shop/checkout"}},
		{"a missing destination too", "kind: VirtualService\nmetadata: {name: a, namespace: shop}\nspec:\n  hosts: [checkout, basket]\n  http:\n  - route:\n    - destination: {host: checkout.shop.svc.cluster.local}\n    mirror: {host: orders}\n  tcp:\n  - route:\n    - destination: {host: basket}",
			nil}, // IST0101 reports the destinations
		{"a found destination", "kind: VirtualService\nmetadata: {name: a, namespace: shop}\nspec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: frontend}",
			[]string{"host checkout names Service shop/checkout"}},
		{"DestinationRule", "kind: DestinationRule\nmetadata: {name: a, namespace: shop}\nspec:\n  host: checkout", nil}, // Istio's IST0174
		{"a spec Istio cannot read", "kind: VirtualService\nmetadata: {name: a, namespace: shop}\nspec:\n  hosts: checkout", nil},
		{"no namespace, no default", "kind: VirtualService\nmetadata: {name: a}\nspec:\n  hosts: [checkout]", nil},
	}
	for _, tt := range tests {
		obj := yaml.MustParse("apiVersion: networking.istio.io/v1\n" + tt.obj)
		fs := hv.check([]*yaml.RNode{obj})
		if len(fs) != len(tt.want) {
			t.Errorf("%s: %d findings, want %d: %v", tt.name, len(fs), len(tt.want), messages(fs))
			continue
		}
		for i, f := range fs {
			if f.Code != check.CodeHostNotFound || f.Level != check.LevelError || f.Item != obj || !strings.Contains(f.Message, tt.want[i]) {
				t.Errorf("%s: finding %s %s %q, want MFN0020 error on the resource containing %q", tt.name, f.Code, f.Level, f.Message, tt.want[i])
			}
		}
	}
}

// TestHostCheckInList: a VirtualService inside a List is reported with its own name and
// the List's file.
func TestHostCheckInList(t *testing.T) {
	hv := readHostsPackage(t)
	list := yaml.MustParse("apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.istio.io/v1\n  kind: VirtualService\n  metadata: {name: vs, namespace: shop}\n  spec: {hosts: [checkout]}\n")
	fs := hv.check([]*yaml.RNode{list})
	if len(fs) != 1 || fs[0].Item != list || fs[0].Resource() != "VirtualService shop/vs" || fs[0].Ref.APIVersion != "networking.istio.io/v1" {
		t.Fatalf("findings %v, want one about VirtualService shop/vs in the List", messages(fs))
	}
}

func messages(fs []*check.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Resource()+": "+f.Message)
	}
	return out
}
