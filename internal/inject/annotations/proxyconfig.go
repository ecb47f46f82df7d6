package annotations

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang/protobuf/jsonpb" //nolint:staticcheck // Istio decodes proxy.istio.io/config with it; its errors are part of the message
	protov1 "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	meshconfig "istio.io/api/mesh/v1alpha1"
	"sigs.k8s.io/yaml"
)

// DefaultProxyConfig is Istio's built-in proxy config (mesh.DefaultProxyConfig),
// the base the proxy.istio.io/config annotation is applied over before
// validation.
func DefaultProxyConfig() *meshconfig.ProxyConfig {
	return &meshconfig.ProxyConfig{
		ConfigPath:               "./etc/istio/proxy",
		ClusterName:              &meshconfig.ProxyConfig_ServiceCluster{ServiceCluster: "istio-proxy"},
		DrainDuration:            durationpb.New(45 * time.Second),
		TerminationDrainDuration: durationpb.New(5 * time.Second),
		ProxyAdminPort:           15000,
		ControlPlaneAuthPolicy:   meshconfig.AuthenticationPolicy_MUTUAL_TLS,
		DiscoveryAddress:         "istiod.istio-system.svc:15012",
		BinaryPath:               "/usr/local/bin/envoy",
		StatNameLength:           189,
		StatusPort:               15020,
	}
}

func checkProxyConfig(value string) error {
	cfg := DefaultProxyConfig()
	if err := ApplyYAML(value, cfg); err != nil {
		return fmt.Errorf("failed to convert to apply proxy config: %v", err)
	}
	return ValidateProxyConfig(cfg)
}

// ApplyYAML overlays a YAML proxy config onto cfg as Istio does: YAML is
// turned into JSON and decoded with the legacy jsonpb decoder (top-level
// fields replace those of cfg), retrying with unknown fields allowed when
// the strict decode fails.
func ApplyYAML(value string, cfg *meshconfig.ProxyConfig) error {
	js, err := yaml.YAMLToJSON([]byte(value))
	if err != nil {
		return err
	}
	strict := jsonpb.Unmarshaler{}
	if err := strict.Unmarshal(strings.NewReader(string(js)), protov1.MessageV1(cfg)); err == nil {
		return nil
	}
	lenient := jsonpb.Unmarshaler{AllowUnknownFields: true}
	return lenient.Unmarshal(strings.NewReader(string(js)), protov1.MessageV1(cfg))
}

// ValidateProxyConfig is Istio's ValidateMeshConfigProxyConfig (errors only,
// warnings are dropped): nil or a *MultiError listing every problem.
func ValidateProxyConfig(cfg *meshconfig.ProxyConfig) error {
	var errs error
	add := func(err error) { errs = appendErrors(errs, err) }
	if cfg.ConfigPath == "" {
		add(errors.New("config path must be set"))
	}
	if cfg.BinaryPath == "" {
		add(errors.New("binary path must be set"))
	}
	switch naming := cfg.GetClusterName().(type) {
	case *meshconfig.ProxyConfig_ServiceCluster:
		if naming.ServiceCluster == "" {
			add(errors.New("service cluster must be specified"))
		}
	case *meshconfig.ProxyConfig_TracingServiceName_:
	default:
		add(errors.New("oneof service cluster or tracing service name must be specified"))
	}
	if err := checkDrainDuration(cfg.DrainDuration); err != nil {
		add(err)
	}
	if cfg.DiscoveryAddress == "" {
		add(errors.New("discovery address must be set to the proxy discovery service"))
	} else if err := ValidateProxyAddress(cfg.DiscoveryAddress); err != nil {
		add(prefixed(err, "invalid discovery address:"))
	}
	for _, err := range tracingErrors(cfg.GetTracing()) {
		add(err)
	}
	for _, err := range serviceAddressErrors(cfg) {
		add(err)
	}
	if err := ValidatePort(int(cfg.ProxyAdminPort)); err != nil {
		add(prefixed(err, "invalid proxy admin port:"))
	}
	if p := cfg.ControlPlaneAuthPolicy; p != meshconfig.AuthenticationPolicy_NONE && p != meshconfig.AuthenticationPolicy_MUTUAL_TLS {
		add(prefixed(fmt.Errorf("unrecognized control plane auth policy %q", p), "invalid authentication policy:"))
	}
	if err := ValidatePort(int(cfg.StatusPort)); err != nil {
		add(prefixed(err, "invalid status port:"))
	}
	if pkp := cfg.GetPrivateKeyProvider(); pkp != nil {
		if err := checkPrivateKeyProvider(pkp); err != nil {
			add(prefixed(err, "invalid private key provider configuration:"))
		}
	}
	if cs := cfg.GetConnectionSettings(); cs != nil {
		if err := checkConnectionSettings(cs); err != nil {
			add(prefixed(err, "invalid connection settings:"))
		}
	}
	return errs
}

// checkDrainDuration: at least 1ms, whole milliseconds, then whole seconds.
func checkDrainDuration(d *durationpb.Duration) error {
	if err := checkDuration(d); err != nil {
		return appendErrors(nil, prefixed(err, "invalid drain duration:"))
	}
	if d.AsDuration()%time.Second != 0 {
		return appendErrors(nil, errors.New("drain time only supports durations to seconds precision"))
	}
	return nil
}

func checkDuration(d *durationpb.Duration) error {
	dur := d.AsDuration()
	if dur < time.Millisecond {
		return errors.New("duration must be greater than 1ms")
	}
	if dur%time.Millisecond != 0 {
		return errors.New("only durations to ms precision are supported")
	}
	return nil
}

// serviceAddressErrors checks statsd, the deprecated metrics service
// address, and the metrics and access log services.
func serviceAddressErrors(cfg *meshconfig.ProxyConfig) []error {
	var out []error
	check := func(addr, what string) {
		if addr == "" {
			return
		}
		if err := ValidateProxyAddress(addr); err != nil {
			out = append(out, prefixed(err, fmt.Sprintf("invalid %s %q:", what, addr)))
		}
	}
	check(cfg.StatsdUdpAddress, "statsd udp address")
	//nolint:staticcheck // deprecated field, still validated by Istio
	check(cfg.EnvoyMetricsServiceAddress, "envoy metrics service address")
	check(cfg.GetEnvoyMetricsService().GetAddress(), "envoy metrics service address")
	check(cfg.GetEnvoyAccessLogService().GetAddress(), "envoy access log service address")
	return out
}

func checkPrivateKeyProvider(pkp *meshconfig.PrivateKeyProvider) error {
	var errs error
	add := func(msg string) { errs = appendErrors(errs, errors.New(msg)) }
	if pkp.GetProvider() == nil {
		add("private key provider configuration is required")
	}
	pollDelay := func(d *durationpb.Duration) {
		switch {
		case d == nil:
			add("pollDelay is required")
		case d.GetSeconds() == 0 && d.GetNanos() == 0:
			add("pollDelay must be non zero")
		}
	}
	switch pkp.GetProvider().(type) {
	case *meshconfig.PrivateKeyProvider_Cryptomb:
		if c := pkp.GetCryptomb(); c == nil {
			add("cryptomb configuration is required")
		} else {
			pollDelay(c.GetPollDelay())
		}
	case *meshconfig.PrivateKeyProvider_Qat:
		if q := pkp.GetQat(); q == nil {
			add("qat configuration is required")
		} else {
			pollDelay(q.GetPollDelay())
		}
	default:
		add("unknown private key provider")
	}
	return errs
}

func checkConnectionSettings(cs *meshconfig.ProxyConfig_ConnectionSettings) error {
	var errs error
	fail := func(bad bool, msg string) {
		if bad {
			errs = appendErrors(errs, errors.New(msg))
		}
	}
	negative := func(d *durationpb.Duration) bool { return d != nil && d.AsDuration() < 0 }
	fail(cs.GetListenerPerConnectionBufferLimitBytes() != nil && cs.GetListenerPerConnectionBufferLimitBytes().GetValue() < 0,
		"listener_per_connection_buffer_limit_bytes must be non-negative")
	fail(cs.GetClusterPerConnectionBufferLimitBytes() != nil && cs.GetClusterPerConnectionBufferLimitBytes().GetValue() < 0,
		"cluster_per_connection_buffer_limit_bytes must be non-negative")
	fail(negative(cs.GetHttpIdleTimeout()), "http_idle_timeout must be non-negative")
	fail(negative(cs.GetHttpMaxConnectionDuration()), "http_max_connection_duration must be non-negative")
	fail(negative(cs.GetHttpDrainTimeout()), "http_drain_timeout must be non-negative")
	fail(negative(cs.GetHttpRequestTimeout()), "http_request_timeout must be non-negative")
	fail(negative(cs.GetHttpRequestHeadersTimeout()), "http_request_headers_timeout must be non-negative")
	fail(negative(cs.GetHttpStreamIdleTimeout()), "http_stream_idle_timeout must be non-negative")
	fail(negative(cs.GetHttpMaxStreamDuration()), "http_max_stream_duration must be non-negative")
	fail(cs.GetHttpMaxConcurrentStreams() != nil && cs.GetHttpMaxConcurrentStreams().GetValue() <= 0,
		"http_max_concurrent_streams must be positive")
	fail(cs.GetHttp2InitialStreamWindowSize() != nil && cs.GetHttp2InitialStreamWindowSize().GetValue() < 65535,
		"http2_initial_stream_window_size must be at least 65535")
	fail(cs.GetHttp2InitialConnectionWindowSize() != nil && cs.GetHttp2InitialConnectionWindowSize().GetValue() < 65535,
		"http2_initial_connection_window_size must be at least 65535")
	fail(cs.GetListenerConnectionLimit() != nil && cs.GetListenerConnectionLimit().GetValue() <= 0,
		"listener_connection_limit must be positive")
	fail(cs.GetGlobalDownstreamConnectionLimit() != nil && cs.GetGlobalDownstreamConnectionLimit().GetValue() <= 0,
		"global_downstream_connection_limit must be positive")
	return errs
}
