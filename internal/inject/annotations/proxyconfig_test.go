package annotations

import (
	"strconv"
	"strings"
	"testing"
)

func list(items ...string) string {
	if len(items) == 1 {
		return "1 error occurred:\n\t* " + items[0] + "\n\n"
	}
	return strconv.Itoa(len(items)) + " errors occurred:\n\t* " + strings.Join(items, "\n\t* ") + "\n\n"
}

var proxyConfigCases = []struct {
	name, value string
	want        string // "" for valid
}{
	{name: "empty value is a no-op", value: ""},
	{name: "defaults with harmless fields", value: "concurrency: 2\nholdApplicationUntilProxyStarts: true\nproxyMetadata:\n  A: b\n"},
	{name: "unknown fields tolerated", value: "notAField: 1\ndiscoveryAddress: istiod.other:15012"},
	{name: "ip discovery address", value: "discoveryAddress: '[::1]:15012'"},
	{name: "tracing service name instead of cluster", value: "tracingServiceName: CANONICAL_NAME_ONLY"},
	{name: "zipkin with HOST_IP", value: "tracing:\n  zipkin:\n    address: $(HOST_IP):9411"},
	{
		name:  "yaml syntax",
		value: "a: [",
		want:  "failed to convert to apply proxy config: yaml: line 1: did not find expected node content",
	},
	{
		name:  "wrong type",
		value: "statusPort: abc",
		want:  "failed to convert to apply proxy config: invalid character 'a' looking for beginning of value",
	},
	// The texts of the legacy jsonpb decoder Istio uses, checked against it when
	// meshfn's own decoder (pboverlay) replaced it here.
	{
		name:  "unknown enum name",
		value: "controlPlaneAuthPolicy: NOPE",
		want:  `failed to convert to apply proxy config: unknown value "\"NOPE\"" for enum istio.mesh.v1alpha1.AuthenticationPolicy`,
	},
	{
		name:  "enum of the wrong type",
		value: "controlPlaneAuthPolicy: true",
		want:  "failed to convert to apply proxy config: json: cannot unmarshal bool into Go value of type protoreflect.EnumNumber",
	},
	{
		name:  "duration not a duration",
		value: "drainDuration: abc",
		want:  `failed to convert to apply proxy config: bad Duration: time: invalid duration "abc"`,
	},
	{
		name:  "ports",
		value: "proxyAdminPort: 0\nstatusPort: 70000",
		want: list("invalid proxy admin port: port number 0 must be in the range 1..65535",
			"invalid status port: port number 70000 must be in the range 1..65535"),
	},
	{
		name:  "paths and cluster",
		value: "configPath: ''\nbinaryPath: ''\nserviceCluster: ''",
		want:  list("config path must be set", "binary path must be set", "service cluster must be specified"),
	},
	{
		name:  "drain duration below 1ms",
		value: "drainDuration: 0s",
		want:  list("invalid drain duration: duration must be greater than 1ms"),
	},
	{
		name:  "drain duration not whole seconds",
		value: "drainDuration: 2.5s",
		want:  list("drain time only supports durations to seconds precision"),
	},
	{
		name:  "discovery address",
		value: "discoveryAddress: 'istiod:http'",
		want:  list(`invalid discovery address: port (http) is not a number: strconv.Atoi: parsing "http": invalid syntax`),
	},
	{
		name:  "discovery address host",
		value: "discoveryAddress: 'bad_host:15012'",
		want:  list(`invalid discovery address: "bad_host" is not a valid hostname or an IP address`),
	},
	{
		name:  "numeric top level domain",
		value: "discoveryAddress: 'istiod.123:15012'",
		want:  list(`invalid discovery address: "istiod.123" is not a valid hostname or an IP address`),
	},
	{
		name:  "lightstep nested list is flattened and prefixed",
		value: "tracing:\n  lightstep: {}",
		want: list("invalid lightstep config: address is required",
			`invalid lightstep config: invalid lightstep address: unable to split "": missing port in address`,
			"invalid lightstep config: access token is required"),
	},
	{
		name:  "datadog",
		value: "tracing:\n  datadog:\n    address: 'dd:0'",
		want:  list("invalid datadog config: port number 0 must be in the range 1..65535"),
	},
	{
		name:  "tracing tls mutual without material",
		value: "tracing:\n  tlsSettings:\n    mode: MUTUAL",
		want: list("invalid tracing TLS config: client certificate required for mutual tls",
			"invalid tracing TLS config: private key required for mutual tls"),
	},
	{
		name:  "tracing tls configmap credential",
		value: "tracing:\n  tlsSettings:\n    mode: SIMPLE\n    credentialName: configmap://ns/name",
		want:  list(`invalid tracing TLS config: invalid configmap:// credentialName: namespace must match the configuration namespace ""`),
	},
	{
		name:  "tracing tls insecure with ca",
		value: "tracing:\n  tlsSettings:\n    mode: SIMPLE\n    insecureSkipVerify: true\n    caCertificates: /ca.pem",
		want:  list("invalid tracing TLS config: cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true"),
	},
	{
		name:  "service addresses",
		value: "statsdUdpAddress: nope\nenvoyAccessLogService:\n  address: 'als:99999'",
		want: list(`invalid statsd udp address "nope": unable to split "nope": address nope: missing port in address`,
			`invalid envoy access log service address "als:99999": port number 99999 must be in the range 1..65535`),
	},
	{
		name:  "auth policy",
		value: "controlPlaneAuthPolicy: 7",
		want:  list(`invalid authentication policy: unrecognized control plane auth policy "7"`),
	},
	{
		name:  "private key provider",
		value: "privateKeyProvider:\n  cryptomb:\n    pollDelay: 0s",
		want:  list("invalid private key provider configuration: pollDelay must be non zero"),
	},
	{
		name:  "connection settings",
		value: "connectionSettings:\n  httpMaxConcurrentStreams: 0\n  listenerPerConnectionBufferLimitBytes: -1",
		want: list("invalid connection settings: listener_per_connection_buffer_limit_bytes must be non-negative",
			"invalid connection settings: http_max_concurrent_streams must be positive"),
	},
}

func TestProxyConfigAnnotation(t *testing.T) {
	for _, tc := range proxyConfigCases {
		t.Run(tc.name, func(t *testing.T) {
			err := Check("proxy.istio.io/config", tc.value)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}
