package check

import (
	"net"
	"slices"
	"strings"
)

// DefaultClusterDomain is the DNS domain of a cluster's Services unless its revisions'
// injector values (global.proxy.clusterDomain) say another.
const DefaultClusterDomain = "cluster.local"

// ServiceHost is a host read as the DNS name of a Kubernetes Service.
type ServiceHost struct {
	Name, Namespace string
	// Qualified: the host names the namespace with the svc label ("name.ns.svc",
	// "name.ns.svc.DOMAIN"), so it is a Service's name whatever namespaces exist;
	// "name.ns" may as well be an external name (example.com).
	Qualified bool
	Domain    string // DOMAIN of "name.ns.svc.DOMAIN", "" for the other forms
}

// ParseServiceHost reads a host of a config in namespace ns as a Service's name, as
// Istio reads it: a short name ("reviews") in the config's own namespace, else
// "name.ns", "name.ns.svc" or "name.ns.svc.DOMAIN". Wildcards, IP addresses, a short name
// without a namespace and every other form are not a Service's name.
func ParseServiceHost(host, ns string) (ServiceHost, bool) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" || strings.Contains(host, "*") || net.ParseIP(host) != nil {
		return ServiceHost{}, false
	}
	parts := strings.Split(host, ".")
	if slices.Contains(parts, "") {
		return ServiceHost{}, false
	}
	switch {
	case len(parts) == 1 && ns != "":
		return ServiceHost{Name: parts[0], Namespace: ns}, true
	case len(parts) == 2:
		return ServiceHost{Name: parts[0], Namespace: parts[1]}, true
	case len(parts) >= 3 && parts[2] == "svc":
		return ServiceHost{Name: parts[0], Namespace: parts[1], Qualified: true, Domain: strings.Join(parts[3:], ".")}, true
	}
	return ServiceHost{}, false
}

// FQDN is the Service's fully qualified name in the default cluster domain.
func (h ServiceHost) FQDN() string {
	return h.Name + "." + h.Namespace + ".svc." + DefaultClusterDomain
}
