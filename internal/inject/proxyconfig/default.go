// Package proxyconfig holds what Istio knows about a proxy's ProxyConfig on
// its own, apart from any mesh: the built-in defaults (mesh.DefaultProxyConfig)
// and the validation Istio runs on a proxy config
// (agent.ValidateMeshConfigProxyConfig), with Istio's error texts and its
// go-multierror list layout. It also provides the address, port and duration
// checks that validation is built from, for mesh-level checks that use them
// too.
//
// The defaults and rules follow Istio at the commit of the injection test
// corpus (86c9f01fd735fb01d8192f5bcaf0d424afb7f14c).
package proxyconfig

import (
	"google.golang.org/protobuf/proto"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	meshv1 "istio.io/api/mesh/v1alpha1"
)

// Default returns Istio's built-in ProxyConfig (mesh.DefaultProxyConfig): the
// proxy settings in force when neither the mesh config nor the pod annotation
// proxy.istio.io/config sets them. Every call returns a new object.
func Default() *meshv1.ProxyConfig {
	return &meshv1.ProxyConfig{
		ConfigPath:               "./etc/istio/proxy",
		ClusterName:              &meshv1.ProxyConfig_ServiceCluster{ServiceCluster: "istio-proxy"},
		DrainDuration:            durationpb.New(45 * time.Second),
		TerminationDrainDuration: durationpb.New(5 * time.Second),
		ProxyAdminPort:           15000,
		ControlPlaneAuthPolicy:   meshv1.AuthenticationPolicy_MUTUAL_TLS,
		DiscoveryAddress:         "istiod.istio-system.svc:15012",
		BinaryPath:               "/usr/local/bin/envoy",
		StatNameLength:           189,
		StatusPort:               15020,
	}
}

// WithoutFields returns pc without the named top-level fields (their JSON names), as an
// Istio release whose API does not have them yet reads it: its decoder drops fields it
// does not know. pc itself is not changed; without names it is returned as is.
func WithoutFields(pc *meshv1.ProxyConfig, names []string) *meshv1.ProxyConfig {
	if len(names) == 0 || pc == nil {
		return pc
	}
	out := proto.Clone(pc).(*meshv1.ProxyConfig)
	m := out.ProtoReflect()
	fields := m.Descriptor().Fields()
	for _, name := range names {
		if fd := fields.ByJSONName(name); fd != nil {
			m.Clear(fd)
		}
	}
	return out
}
