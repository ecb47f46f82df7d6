package hostcheck

import (
	"encoding/json"
	"fmt"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/fleet"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ingressService is the Service of Istio's stand-in ingress gateway, which Istio's
// analysis assumes in the Istio namespace (istioanalysis adds it).
const ingressService = "istio-ingressgateway"

// Check is the host check: the hosts of VirtualServices for the mesh that name a Service
// the package does not hold.
var Check = check.Check{Name: "hosts", Codes: []string{check.CodeHostNotFound}, Run: run}

// run reads the package's Services, ServiceEntries and namespaces, and checks the hosts.
func run(p *check.Package) ([]*check.Finding, error) {
	return readHosts(p.Items, p.Settings, clusterDomains(p.Mesh)).check(p.Items), nil
}

// hostView is what the host check knows of the package: the Services it holds (and those
// the cluster creates for its Gateways), the hosts of its ServiceEntries, its namespaces
// and the cluster domains its revisions use.
type hostView struct {
	services   map[string]bool // namespace/name
	entries    []string        // ServiceEntry hosts, short ones qualified in their namespace
	namespaces map[string]bool
	domains    []string
	defaultNS  string // the namespace of resources that name none
}

// readHosts reads the package for the host check. domains are the revisions' cluster
// domains besides the default one.
func readHosts(items []*yaml.RNode, spec check.Settings, domains []string) *hostView {
	hv := &hostView{services: map[string]bool{spec.IstioNamespace + "/" + ingressService: true}, namespaces: map[string]bool{},
		domains: append([]string{check.DefaultClusterDomain}, domains...), defaultNS: spec.DefaultNamespace}
	for _, it := range items {
		for _, m := range listMembers(it) {
			hv.read(m)
		}
	}
	return hv
}

func (hv *hostView) read(it *yaml.RNode) {
	ns := hv.namespaceOf(it)
	if it.GetKind() == "Namespace" && it.GetApiVersion() == "v1" {
		hv.namespaces[it.GetName()] = true
	} else if ns != "" {
		hv.namespaces[ns] = true
	}
	switch group, _, _ := strings.Cut(it.GetApiVersion(), "/"); {
	case it.GetKind() == "Service" && it.GetApiVersion() == "v1":
		hv.services[ns+"/"+it.GetName()] = true
	case it.GetKind() == "Gateway" && group == "gateway.networking.k8s.io":
		// Istio deploys a Gateway as a Service named after it and its class (a waypoint
		// after it alone), unless an annotation names it.
		class, _ := it.GetString("spec.gatewayClassName")
		for _, name := range []string{it.GetName(), it.GetName() + "-" + class, it.GetAnnotations()[gatewayNameOverride]} {
			hv.services[ns+"/"+name] = true
		}
	case it.GetKind() == "ServiceEntry" && group == "networking.istio.io":
		hosts, _ := it.GetSlice("spec.hosts")
		for _, h := range hosts {
			if s, ok := h.(string); ok {
				s = strings.ToLower(s)
				if !strings.Contains(s, ".") && s != "*" {
					s = s + "." + ns + ".svc." + check.DefaultClusterDomain // as Istio's analyzers read it
				}
				hv.entries = append(hv.entries, s)
			}
		}
	}
}

// gatewayNameOverride is Istio's annotation naming the Deployment and Service of a Gateway.
const gatewayNameOverride = "gateway.istio.io/name-override"

func (hv *hostView) namespaceOf(it *yaml.RNode) string {
	if ns := it.GetNamespace(); ns != "" {
		return ns
	}
	return hv.defaultNS
}

// listMembers is a v1 List's items, or the item itself.
func listMembers(it *yaml.RNode) []*yaml.RNode {
	if it.GetKind() != "List" || it.GetApiVersion() != "v1" {
		return []*yaml.RNode{it}
	}
	members, err := it.Pipe(yaml.Lookup("items"))
	if err != nil || members == nil || members.YNode().Kind != yaml.SequenceNode {
		return nil
	}
	var out []*yaml.RNode
	for _, m := range members.YNode().Content {
		if m.Kind == yaml.MappingNode {
			out = append(out, yaml.NewRNode(m))
		}
	}
	return out
}

// missing returns the Service a host of a config in namespace ns names and the package
// lacks, and whether there is one. A host that is not a cluster-local name, that names a
// Service of the package, or that a ServiceEntry's hosts match is not missing. "name.ns"
// is read as a Service only when the package holds namespace ns: else it may be an
// external name.
func (hv *hostView) missing(host, ns string) (check.ServiceHost, bool) {
	h, ok := check.ParseServiceHost(host, ns)
	switch {
	case !ok, h.Domain != "" && !slices.Contains(hv.domains, h.Domain), !h.Qualified && !hv.namespaces[h.Namespace]:
		return h, false
	case hv.services[h.Namespace+"/"+h.Name], hv.inServiceEntry(strings.ToLower(host), h):
		return h, false
	}
	return h, true
}

// inServiceEntry reports whether a ServiceEntry's hosts match the host, as written or as
// the Service's fully qualified name, exactly or by a wildcard ("*", "*.example.com").
func (hv *hostView) inServiceEntry(host string, h check.ServiceHost) bool {
	names := []string{host, h.FQDN()}
	for _, d := range hv.domains {
		names = append(names, h.Name+"."+h.Namespace+".svc."+d)
	}
	for _, e := range hv.entries {
		for _, name := range names {
			if e == name || e == "*" || strings.HasPrefix(e, "*.") && strings.HasSuffix(name, e[1:]) {
				return true
			}
		}
	}
	return false
}

// check reports the hosts of VirtualServices for the mesh that name a Service the package
// does not have. DestinationRules are not checked: Istio's IST0174 reports a host that
// matches no Service.
func (hv *hostView) check(items []*yaml.RNode) []*check.Finding {
	var fs []*check.Finding
	for _, it := range items {
		for _, m := range listMembers(it) {
			if m.GetKind() == "VirtualService" && strings.HasPrefix(m.GetApiVersion(), "networking.istio.io/") {
				fs = append(fs, hv.checkVirtualService(it, m)...)
			}
		}
	}
	return fs
}

// virtualService is what the host check reads of a VirtualService's spec.
type virtualService struct {
	Hosts    []string `json:"hosts"`
	Gateways []string `json:"gateways"`
	HTTP     []struct {
		Route   []routeDestination `json:"route"`
		Mirror  *destination       `json:"mirror"`
		Mirrors []routeDestination `json:"mirrors"`
	} `json:"http"`
	TCP []struct {
		Route []routeDestination `json:"route"`
	} `json:"tcp"`
	TLS []struct {
		Route []routeDestination `json:"route"`
	} `json:"tls"`
}

type routeDestination struct {
	Destination *destination `json:"destination"`
}

type destination struct {
	Host string `json:"host"`
}

// destinations are the hosts the VirtualService routes and mirrors to.
func (vs *virtualService) destinations() []string {
	var out []string
	add := func(rs []routeDestination) {
		for _, r := range rs {
			if r.Destination != nil {
				out = append(out, r.Destination.Host)
			}
		}
	}
	for _, h := range vs.HTTP {
		add(h.Route)
		add(h.Mirrors)
		if h.Mirror != nil {
			out = append(out, h.Mirror.Host)
		}
	}
	for _, t := range vs.TCP {
		add(t.Route)
	}
	for _, t := range vs.TLS {
		add(t.Route)
	}
	return out
}

// checkVirtualService checks the hosts of a VirtualService that applies to the mesh (no
// gateways, or "mesh" among them): a VirtualService for gateways only matches the Host
// header clients send to the gateway, which need not name a Service. A host that is also
// one of its destinations is left to Istio's IST0101, which reports the destination.
func (hv *hostView) checkVirtualService(item, obj *yaml.RNode) []*check.Finding {
	var vs virtualService
	if !specOf(obj, &vs) || len(vs.Gateways) > 0 && !slices.Contains(vs.Gateways, "mesh") {
		return nil
	}
	ns := hv.namespaceOf(obj)
	routed := map[string]bool{} // namespace/name of the missing Services it routes to
	for _, d := range vs.destinations() {
		if h, missing := hv.missing(d, ns); missing {
			routed[h.Namespace+"/"+h.Name] = true
		}
	}
	var fs []*check.Finding
	for _, host := range vs.Hosts {
		if h, missing := hv.missing(host, ns); missing && !routed[h.Namespace+"/"+h.Name] {
			fs = append(fs, hv.finding(item, obj, host, h))
		}
	}
	return fs
}

// finding is the finding about a host of VirtualService obj (in item, a List or obj
// itself) that names a missing Service h.
func (hv *hostView) finding(item, obj *yaml.RNode, host string, h check.ServiceHost) *check.Finding {
	problem := fmt.Sprintf("host %s names Service %s/%s, which the package does not hold and no ServiceEntry's hosts match",
		host, h.Namespace, h.Name)
	if !strings.Contains(host, ".") {
		problem += fmt.Sprintf(" (a short host is read in the VirtualService's own namespace, %s)", h.Namespace)
	}
	hint := "point the host at the Service it is for, or add the Service or a ServiceEntry"
	if others := hv.namespacesWith(h.Name); len(others) > 0 {
		hint = fmt.Sprintf("the package holds Service %s in namespace %s (%s.%s.svc.%s): point the host at it, or add the Service or a ServiceEntry",
			h.Name, strings.Join(others, ", "), h.Name, others[0], check.DefaultClusterDomain)
	}
	f := &check.Finding{Code: check.CodeHostNotFound, Level: check.LevelError, Item: item, Message: fmt.Sprintf(
		"%s: its routes for it apply to no traffic (sidecars apply a VirtualService to the Services its hosts name, and no client "+
			"reaches a Service that does not exist). Fix: %s; when the Service lives outside the package, suppress %s on this resource",
		problem, hint, check.CodeHostNotFound)}
	if item != obj {
		f.Ref = &check.Ref{APIVersion: obj.GetApiVersion(), Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}
	}
	return f
}

// namespacesWith names the namespaces whose Service of the package is called name.
func (hv *hostView) namespacesWith(name string) []string {
	var out []string
	for key := range hv.services {
		if ns, n, _ := strings.Cut(key, "/"); n == name {
			out = append(out, ns)
		}
	}
	slices.Sort(out)
	return out
}

// specOf decodes a resource's spec; false when it cannot be read (Istio's own checks
// report such a resource).
func specOf(obj *yaml.RNode, spec any) bool {
	b, err := obj.MarshalJSON()
	if err != nil {
		return false
	}
	var o struct {
		Spec json.RawMessage `json:"spec"`
	}
	if json.Unmarshal(b, &o) != nil || len(o.Spec) == 0 {
		return false
	}
	return json.Unmarshal(o.Spec, spec) == nil
}

// clusterDomains are the cluster domains the package's revisions inject
// (global.proxy.clusterDomain of their injector values), besides the default one.
func clusterDomains(mesh *fleet.Mesh) []string {
	var out []string
	if mesh == nil {
		return nil
	}
	for _, r := range mesh.Revisions() {
		s, err := mesh.Settings(r.Name)
		if err != nil {
			continue
		}
		if d := s.Values.String("global", "proxy", "clusterDomain"); d != "" && d != check.DefaultClusterDomain && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}
