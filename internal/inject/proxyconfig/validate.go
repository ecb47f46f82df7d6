package proxyconfig

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	meshv1 "istio.io/api/mesh/v1alpha1"
	networkingv1 "istio.io/api/networking/v1alpha3"
)

// Validate reports the errors Istio's agent.ValidateMeshConfigProxyConfig
// finds in pc: nil, or a *MultiError with one entry per problem, in Istio's
// order and wording. Istio's warnings are not reproduced. pc must not be nil.
func Validate(pc *meshv1.ProxyConfig) error {
	var errs *MultiError
	add := func(err error) {
		if err != nil {
			errs = appendErrors(errs, err)
		}
	}
	if pc.ConfigPath == "" {
		add(errors.New("config path must be set"))
	}
	if pc.BinaryPath == "" {
		add(errors.New("binary path must be set"))
	}
	switch cluster := pc.GetClusterName().(type) {
	case *meshv1.ProxyConfig_ServiceCluster:
		if cluster.ServiceCluster == "" {
			add(errors.New("service cluster must be specified"))
		}
	case *meshv1.ProxyConfig_TracingServiceName_:
	default:
		add(errors.New("oneof service cluster or tracing service name must be specified"))
	}
	add(validateDrainDuration(pc.DrainDuration))
	if pc.DiscoveryAddress == "" {
		add(errors.New("discovery address must be set to the proxy discovery service"))
	} else {
		add(prefixed(ValidateProxyAddress(pc.DiscoveryAddress), "invalid discovery address:"))
	}
	add(validateTracing(pc.GetTracing()))
	add(validateServiceAddress("statsd udp address", pc.StatsdUdpAddress))
	//nolint:staticcheck // deprecated, still validated by Istio
	add(validateServiceAddress("envoy metrics service address", pc.EnvoyMetricsServiceAddress))
	add(validateServiceAddress("envoy metrics service address", pc.GetEnvoyMetricsService().GetAddress()))
	add(validateServiceAddress("envoy access log service address", pc.GetEnvoyAccessLogService().GetAddress()))
	add(prefixed(ValidatePort(int(pc.ProxyAdminPort)), "invalid proxy admin port:"))
	if policy := pc.ControlPlaneAuthPolicy; policy != meshv1.AuthenticationPolicy_NONE && policy != meshv1.AuthenticationPolicy_MUTUAL_TLS {
		add(fmt.Errorf("invalid authentication policy: unrecognized control plane auth policy %q", policy))
	}
	add(prefixed(ValidatePort(int(pc.StatusPort)), "invalid status port:"))
	if pkp := pc.GetPrivateKeyProvider(); pkp != nil {
		add(prefixed(validatePrivateKeyProvider(pkp), "invalid private key provider configuration:"))
	}
	if cs := pc.GetConnectionSettings(); cs != nil {
		add(prefixed(validateConnectionSettings(cs), "invalid connection settings:"))
	}
	return orNil(errs)
}

// validateServiceAddress checks an optional address of a service the proxy
// sends to (statsd, metrics service, access log service).
func validateServiceAddress(what, addr string) error {
	if addr == "" {
		return nil
	}
	return prefixed(ValidateProxyAddress(addr), fmt.Sprintf("invalid %s %q:", what, addr))
}

// validateTracing checks the tracer collectors, the tracing TLS settings and
// the custom tags, each problem with the prefix Istio gives it.
func validateTracing(t *meshv1.Tracing) error {
	var errs *MultiError
	add := func(err error, prefix string) {
		if err != nil {
			errs = appendErrors(errs, prefixed(err, prefix))
		}
	}
	if ls := t.GetLightstep(); ls != nil {
		add(validateLightstep(ls), "invalid lightstep config:")
	}
	if z := t.GetZipkin(); z != nil {
		add(validateCollectorAddress(z.GetAddress()), "invalid zipkin config:")
	}
	if d := t.GetDatadog(); d != nil {
		add(validateCollectorAddress(d.GetAddress()), "invalid datadog config:")
	}
	if tls := t.GetTlsSettings(); tls != nil {
		add(validateClientTLS(tls), "invalid tracing TLS config:")
	}
	add(validateCustomTags(t.GetCustomTags()), "invalid tracing custom tags:")
	return orNil(errs)
}

// validateCollectorAddress checks a zipkin or datadog collector address,
// where a leading $(HOST_IP) stands for the node's address.
func validateCollectorAddress(addr string) error {
	return ValidateProxyAddress(strings.Replace(addr, "$(HOST_IP)", "127.0.0.1", 1))
}

func validateLightstep(ls *meshv1.Tracing_Lightstep) error {
	var errs *MultiError
	if ls.GetAddress() == "" {
		errs = appendErrors(errs, errors.New("address is required"))
	}
	if err := ValidateProxyAddress(ls.GetAddress()); err != nil {
		errs = appendErrors(errs, prefixed(err, "invalid lightstep address:"))
	}
	if ls.GetAccessToken() == "" {
		errs = appendErrors(errs, errors.New("access token is required"))
	}
	return orNil(errs)
}

// validateCustomTags reports a custom tag without value. Istio reports the
// first one it meets in map order; here it is the first by name, so the
// message does not vary from run to run.
func validateCustomTags(tags map[string]*meshv1.Tracing_CustomTag) error {
	names := make([]string, 0, len(tags))
	for name, tag := range tags {
		if tag == nil {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("encountered nil value for custom tag: %s", slices.Min(names))
}

const configMapURI = "configmap://"

// validateClientTLS is Istio's ValidateTLS with the empty config namespace
// that proxy config validation passes: a single problem is a plain error,
// several are a list.
func validateClientTLS(s *networkingv1.ClientTLSSettings) error {
	var errs error
	simple := s.Mode == networkingv1.ClientTLSSettings_SIMPLE
	mutual := s.Mode == networkingv1.ClientTLSSettings_MUTUAL
	if strings.HasPrefix(s.CredentialName, configMapURI) {
		if err := validateConfigMapName(s.CredentialName); err != nil {
			errs = joinOne(errs, fmt.Errorf("invalid configmap:// credentialName: %v", err))
		} else {
			// No namespace matches the empty config namespace.
			errs = joinOne(errs, fmt.Errorf("invalid configmap:// credentialName: namespace must match the configuration namespace %q", ""))
		}
	}
	if s.GetInsecureSkipVerify().GetValue() {
		if simple && (s.CaCertificates != "" || s.CredentialName != "" || s.SubjectAltNames != nil) {
			errs = joinOne(errs, errors.New("cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true"))
		}
		if mutual && (s.CaCertificates != "" || s.SubjectAltNames != nil) {
			errs = joinOne(errs, errors.New("cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true"))
		}
	}
	if (simple || mutual) && s.CredentialName != "" {
		// The credentials are fetched remotely; local files must not be given.
		if s.ClientCertificate != "" || s.CaCertificates != "" || s.PrivateKey != "" || s.CaCrl != "" {
			errs = joinOne(errs, errors.New("cannot specify client certificates or CA certificate or CA CRL If credentialName is set"))
		}
		return errs
	}
	if mutual && s.ClientCertificate == "" {
		errs = joinOne(errs, errors.New("client certificate required for mutual tls"))
	}
	if mutual && s.PrivateKey == "" {
		errs = joinOne(errs, errors.New("private key required for mutual tls"))
	}
	return errs
}

// validateConfigMapName requires configmap://<namespace>/<name>, as Istio's
// credentials.ParseResourceName does.
func validateConfigMapName(name string) error {
	parts := strings.Split(strings.TrimPrefix(name, configMapURI), "/")
	switch {
	case len(parts) < 2:
		return fmt.Errorf("invalid resource name %q. Expected namespace and name", name)
	case parts[0] == "":
		return fmt.Errorf("invalid resource name %q. Expected namespace", name)
	case parts[1] == "":
		return fmt.Errorf("invalid resource name %q. Expected name", name)
	}
	return nil
}

func validatePrivateKeyProvider(pkp *meshv1.PrivateKeyProvider) error {
	var errs *MultiError
	fail := func(msg string) { errs = appendErrors(errs, errors.New(msg)) }
	checkPollDelay := func(d *durationpb.Duration) {
		if d == nil {
			fail("pollDelay is required")
		} else if d.GetSeconds() == 0 && d.GetNanos() == 0 {
			fail("pollDelay must be non zero")
		}
	}
	if pkp.GetProvider() == nil {
		fail("private key provider configuration is required")
	}
	switch pkp.GetProvider().(type) {
	case *meshv1.PrivateKeyProvider_Cryptomb:
		if c := pkp.GetCryptomb(); c == nil {
			fail("cryptomb configuration is required")
		} else {
			checkPollDelay(c.GetPollDelay())
		}
	case *meshv1.PrivateKeyProvider_Qat:
		if q := pkp.GetQat(); q == nil {
			fail("qat configuration is required")
		} else {
			checkPollDelay(q.GetPollDelay())
		}
	default:
		fail("unknown private key provider")
	}
	return orNil(errs)
}

func validateConnectionSettings(cs *meshv1.ProxyConfig_ConnectionSettings) error {
	var errs *MultiError
	atLeast := func(v *wrapperspb.Int32Value, floor int32, msg string) {
		if v != nil && v.GetValue() < floor {
			errs = appendErrors(errs, errors.New(msg))
		}
	}
	nonNegative := func(d *durationpb.Duration, field string) {
		if d != nil && d.AsDuration() < 0 {
			errs = appendErrors(errs, errors.New(field+" must be non-negative"))
		}
	}
	atLeast(cs.GetListenerPerConnectionBufferLimitBytes(), 0, "listener_per_connection_buffer_limit_bytes must be non-negative")
	atLeast(cs.GetClusterPerConnectionBufferLimitBytes(), 0, "cluster_per_connection_buffer_limit_bytes must be non-negative")
	nonNegative(cs.GetHttpIdleTimeout(), "http_idle_timeout")
	nonNegative(cs.GetHttpMaxConnectionDuration(), "http_max_connection_duration")
	nonNegative(cs.GetHttpDrainTimeout(), "http_drain_timeout")
	nonNegative(cs.GetHttpRequestTimeout(), "http_request_timeout")
	nonNegative(cs.GetHttpRequestHeadersTimeout(), "http_request_headers_timeout")
	nonNegative(cs.GetHttpStreamIdleTimeout(), "http_stream_idle_timeout")
	nonNegative(cs.GetHttpMaxStreamDuration(), "http_max_stream_duration")
	atLeast(cs.GetHttpMaxConcurrentStreams(), 1, "http_max_concurrent_streams must be positive")
	atLeast(cs.GetHttp2InitialStreamWindowSize(), 65535, "http2_initial_stream_window_size must be at least 65535")
	atLeast(cs.GetHttp2InitialConnectionWindowSize(), 65535, "http2_initial_connection_window_size must be at least 65535")
	atLeast(cs.GetListenerConnectionLimit(), 1, "listener_connection_limit must be positive")
	atLeast(cs.GetGlobalDownstreamConnectionLimit(), 1, "global_downstream_connection_limit must be positive")
	return orNil(errs)
}
