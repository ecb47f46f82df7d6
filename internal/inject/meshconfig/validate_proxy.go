package meshconfig

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	meshv1 "istio.io/api/mesh/v1alpha1"
	networkingv1 "istio.io/api/networking/v1alpha3"
)

// validateProxyConfig returns the errors of Istio's
// ValidateMeshConfigProxyConfig for the mesh's defaultConfig.
func validateProxyConfig(pc *meshv1.ProxyConfig) error {
	var p problems
	if pc.ConfigPath == "" {
		p.addf("config path must be set")
	}
	if pc.BinaryPath == "" {
		p.addf("binary path must be set")
	}
	switch cn := pc.ClusterName.(type) {
	case *meshv1.ProxyConfig_ServiceCluster:
		if cn.ServiceCluster == "" {
			p.addf("service cluster must be specified")
		}
	case *meshv1.ProxyConfig_TracingServiceName_:
	default:
		p.addf("oneof service cluster or tracing service name must be specified")
	}
	p.add("", validateDrainDuration(pc.DrainDuration))
	if pc.DiscoveryAddress == "" {
		p.addf("discovery address must be set to the proxy discovery service")
	} else {
		p.add("invalid discovery address:", validateProxyAddress(pc.DiscoveryAddress))
	}
	p.add("", validateTracing(pc.Tracing))
	if pc.StatsdUdpAddress != "" {
		p.add(fmt.Sprintf("invalid statsd udp address %q:", pc.StatsdUdpAddress), validateProxyAddress(pc.StatsdUdpAddress))
	}
	//nolint:staticcheck // the deprecated field is still validated by Istio
	if addr := pc.EnvoyMetricsServiceAddress; addr != "" {
		p.add(fmt.Sprintf("invalid envoy metrics service address %q:", addr), validateProxyAddress(addr))
	}
	if addr := pc.GetEnvoyMetricsService().GetAddress(); addr != "" {
		p.add(fmt.Sprintf("invalid envoy metrics service address %q:", addr), validateProxyAddress(addr))
	}
	if addr := pc.GetEnvoyAccessLogService().GetAddress(); addr != "" {
		p.add(fmt.Sprintf("invalid envoy access log service address %q:", addr), validateProxyAddress(addr))
	}
	p.add("invalid proxy admin port:", validatePort(int(pc.ProxyAdminPort)))
	if a := pc.ControlPlaneAuthPolicy; a != meshv1.AuthenticationPolicy_NONE && a != meshv1.AuthenticationPolicy_MUTUAL_TLS {
		p.addf("invalid authentication policy: unrecognized control plane auth policy %q", a)
	}
	p.add("invalid status port:", validatePort(int(pc.StatusPort)))
	if pkp := pc.PrivateKeyProvider; pkp != nil {
		p.add("invalid private key provider configuration:", validatePrivateKeyProvider(pkp))
	}
	if cs := pc.ConnectionSettings; cs != nil {
		p.add("invalid connection settings:", validateConnectionSettings(cs))
	}
	return p.err()
}

func validateDrainDuration(pd *durationpb.Duration) error {
	if err := validateDuration(pd); err != nil {
		return fmt.Errorf("invalid drain duration: %w", err)
	}
	if pd.AsDuration()%time.Second != 0 {
		return errors.New("drain time only supports durations to seconds precision")
	}
	return nil
}

func validateTracing(t *meshv1.Tracing) error {
	var p problems
	if ls := t.GetLightstep(); ls != nil {
		var lp problems
		if ls.GetAddress() == "" {
			lp.addf("address is required")
		}
		lp.add("invalid lightstep address:", validateProxyAddress(ls.GetAddress()))
		if ls.GetAccessToken() == "" {
			lp.addf("access token is required")
		}
		p.add("invalid lightstep config:", lp.err())
	}
	if z := t.GetZipkin(); z != nil {
		p.add("invalid zipkin config:", validateProxyAddress(strings.Replace(z.GetAddress(), "$(HOST_IP)", "127.0.0.1", 1)))
	}
	if d := t.GetDatadog(); d != nil {
		p.add("invalid datadog config:", validateProxyAddress(strings.Replace(d.GetAddress(), "$(HOST_IP)", "127.0.0.1", 1)))
	}
	if tls := t.GetTlsSettings(); tls != nil {
		p.add("invalid tracing TLS config:", validateClientTLS(tls))
	}
	for name, tag := range t.GetCustomTags() {
		if tag == nil {
			p.addf("invalid tracing custom tags: encountered nil value for custom tag: %s", name)
			break
		}
	}
	return p.err()
}

// validateClientTLS is Istio's ValidateTLS with an empty config namespace.
func validateClientTLS(s *networkingv1.ClientTLSSettings) error {
	var p problems
	if strings.HasPrefix(s.CredentialName, "configmap://") {
		p.addf("invalid configmap:// credentialName: namespace must match the configuration namespace %q", "")
	}
	simple := s.Mode == networkingv1.ClientTLSSettings_SIMPLE
	mutual := s.Mode == networkingv1.ClientTLSSettings_MUTUAL
	if s.GetInsecureSkipVerify().GetValue() {
		if simple && (s.CaCertificates != "" || s.CredentialName != "" || s.SubjectAltNames != nil) {
			p.addf("cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true")
		}
		if mutual && (s.CaCertificates != "" || s.SubjectAltNames != nil) {
			p.addf("cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true")
		}
	}
	if (simple || mutual) && s.CredentialName != "" {
		if s.ClientCertificate != "" || s.CaCertificates != "" || s.PrivateKey != "" || s.CaCrl != "" {
			p.addf("cannot specify client certificates or CA certificate or CA CRL If credentialName is set")
		}
		return p.err()
	}
	if mutual {
		if s.ClientCertificate == "" {
			p.addf("client certificate required for mutual tls")
		}
		if s.PrivateKey == "" {
			p.addf("private key required for mutual tls")
		}
	}
	return p.err()
}

func validatePrivateKeyProvider(pkp *meshv1.PrivateKeyProvider) error {
	var pollDelay *durationpb.Duration
	switch pkp.GetProvider().(type) {
	case *meshv1.PrivateKeyProvider_Cryptomb:
		if pkp.GetCryptomb() == nil {
			return errors.New("cryptomb configuration is required")
		}
		pollDelay = pkp.GetCryptomb().GetPollDelay()
	case *meshv1.PrivateKeyProvider_Qat:
		if pkp.GetQat() == nil {
			return errors.New("qat configuration is required")
		}
		pollDelay = pkp.GetQat().GetPollDelay()
	case nil:
		return errors.Join(errors.New("private key provider configuration is required"),
			errors.New("unknown private key provider"))
	default:
		return errors.New("unknown private key provider")
	}
	if pollDelay == nil {
		return errors.New("pollDelay is required")
	}
	if pollDelay.GetSeconds() == 0 && pollDelay.GetNanos() == 0 {
		return errors.New("pollDelay must be non zero")
	}
	return nil
}

func validateConnectionSettings(cs *meshv1.ProxyConfig_ConnectionSettings) error {
	var p problems
	negInt := func(v *wrapperspb.Int32Value, limit int32, msg string) {
		if v != nil && v.GetValue() < limit {
			p.addf("%s", msg)
		}
	}
	negInt(cs.ListenerPerConnectionBufferLimitBytes, 0, "listener_per_connection_buffer_limit_bytes must be non-negative")
	negInt(cs.ClusterPerConnectionBufferLimitBytes, 0, "cluster_per_connection_buffer_limit_bytes must be non-negative")
	durations := []struct {
		d    *durationpb.Duration
		name string
	}{
		{cs.HttpIdleTimeout, "http_idle_timeout"},
		{cs.HttpMaxConnectionDuration, "http_max_connection_duration"},
		{cs.HttpDrainTimeout, "http_drain_timeout"},
		{cs.HttpRequestTimeout, "http_request_timeout"},
		{cs.HttpRequestHeadersTimeout, "http_request_headers_timeout"},
		{cs.HttpStreamIdleTimeout, "http_stream_idle_timeout"},
		{cs.HttpMaxStreamDuration, "http_max_stream_duration"},
	}
	for _, d := range durations {
		if d.d != nil && d.d.AsDuration() < 0 {
			p.addf("%s must be non-negative", d.name)
		}
	}
	negInt(cs.HttpMaxConcurrentStreams, 1, "http_max_concurrent_streams must be positive")
	negInt(cs.Http2InitialStreamWindowSize, 65535, "http2_initial_stream_window_size must be at least 65535")
	negInt(cs.Http2InitialConnectionWindowSize, 65535, "http2_initial_connection_window_size must be at least 65535")
	negInt(cs.ListenerConnectionLimit, 1, "listener_connection_limit must be positive")
	negInt(cs.GlobalDownstreamConnectionLimit, 1, "global_downstream_connection_limit must be positive")
	return p.err()
}

// validateLocalities rejects malformed or overlapping locality names
// (region[/zone[/subzone]], optionally ending in a single '*').
func validateLocalities(localities []string) error {
	seen := map[string]map[string]map[string]bool{}
	overlap := func(l string) error { return fmt.Errorf("locality %s overlap with previous specified ones", l) }
	for _, l := range localities {
		if n := strings.Count(l, "*"); n > 1 || (n == 1 && !strings.HasSuffix(l, "*")) {
			return fmt.Errorf("locality %s wildcard '*' number can not exceed 1 and must be in the end", l)
		}
		if _, ok := seen["*"]; ok {
			return overlap(l)
		}
		parts := strings.SplitN(l, "/", 3)
		for _, part := range parts {
			if part == "" {
				return fmt.Errorf("locality %s must not contain empty region/zone/subzone info", l)
			}
		}
		region := parts[0]
		zones, regionSeen := seen[region]
		if len(parts) == 1 {
			if regionSeen {
				return overlap(l)
			}
			seen[region] = map[string]map[string]bool{"*": {"*": true}}
			continue
		}
		if !regionSeen {
			zones = map[string]map[string]bool{}
			seen[region] = zones
		} else if _, ok := zones["*"]; ok {
			return overlap(l)
		}
		zone := parts[1]
		subzones, zoneSeen := zones[zone]
		if len(parts) == 2 {
			if zoneSeen {
				return overlap(l)
			}
			zones[zone] = map[string]bool{"*": true}
			continue
		}
		if !zoneSeen {
			subzones = map[string]bool{}
			zones[zone] = subzones
		} else if subzones["*"] || subzones[parts[2]] {
			return overlap(l)
		}
		subzones[parts[2]] = true
	}
	return nil
}

// validateDefaultTrafficPolicy checks the mesh-wide connection pool and
// outlier detection settings as Istio does.
func validateDefaultTrafficPolicy(dtp *meshv1.MeshConfig_DefaultTrafficPolicy) error {
	var p problems
	if cp := dtp.GetConnectionPool(); cp != nil {
		if cp.Http == nil && cp.Tcp == nil {
			p.addf("connection pool must have at least one field")
		}
		p.add("", validateHTTPPool(cp.Http))
		p.add("", validateTCPPool(cp.Tcp))
	}
	if od := dtp.GetOutlierDetection(); od != nil {
		if od.BaseEjectionTime != nil {
			p.add("", validateDuration(od.BaseEjectionTime))
		}
		if od.Interval != nil {
			p.add("", validateDuration(od.Interval))
		}
		if !od.SplitExternalLocalOriginErrors && od.ConsecutiveLocalOriginFailures.GetValue() > 0 {
			p.addf("outlier detection consecutive local origin failures is specified, " +
				"but split external local origin errors is set to false")
		}
		for _, v := range []int32{od.MaxEjectionPercent, od.MinHealthPercent} {
			if v < 0 || v > 100 {
				p.addf("percentage %v is not in range 0..100", v)
			}
		}
	}
	return p.err()
}

func validateHTTPPool(h *networkingv1.ConnectionPoolSettings_HTTPSettings) error {
	if h == nil {
		return nil
	}
	var p problems
	nonNeg := func(v int32, what string) {
		if v < 0 {
			p.addf("%s must be non-negative", what)
		}
	}
	nonNeg(h.Http1MaxPendingRequests, "http1 max pending requests")
	nonNeg(h.Http2MaxRequests, "http2 max requests")
	nonNeg(h.MaxRequestsPerConnection, "max requests per connection")
	nonNeg(h.MaxRetries, "max retries")
	nonNeg(h.MaxConcurrentStreams, "max concurrent streams")
	if h.IdleTimeout != nil {
		p.add("", validateDuration(h.IdleTimeout))
	}
	if h.H2UpgradePolicy == networkingv1.ConnectionPoolSettings_HTTPSettings_UPGRADE && h.UseClientProtocol {
		p.addf("use client protocol must not be true when H2UpgradePolicy is UPGRADE")
	}
	return p.err()
}

func validateTCPPool(t *networkingv1.ConnectionPoolSettings_TCPSettings) error {
	if t == nil {
		return nil
	}
	var p problems
	if t.MaxConnections < 0 {
		p.addf("max connections must be non-negative")
	}
	for _, d := range []*durationpb.Duration{t.ConnectTimeout, t.MaxConnectionDuration, t.GetTcpKeepalive().GetTime(),
		t.GetTcpKeepalive().GetInterval()} {
		if d != nil {
			p.add("", validateDuration(d))
		}
	}
	if t.IdleTimeout != nil && t.IdleTimeout.AsDuration().Milliseconds() != 0 {
		p.add("", validateDuration(t.IdleTimeout))
	}
	return p.err()
}
