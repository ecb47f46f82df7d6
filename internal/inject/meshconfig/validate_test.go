package meshconfig

import (
	"strings"
	"testing"
)

// TestValidation applies small mesh texts over Default() and checks which
// ones Istio's mesh validation accepts.
func TestValidation(t *testing.T) {
	cases := []struct {
		name, text string
		wantErr    string // empty: must be accepted
	}{
		{"protocol detection timeout 0 is allowed", "protocolDetectionTimeout: 0s", ""},
		{"protocol detection timeout sub-ms", "protocolDetectionTimeout: 1500us", "only durations to ms precision"},
		{"connect timeout over an hour", "connectTimeout: 2h", "must be >1ms and <1h0m0s"},
		{"discovery address with IP", "defaultConfig: {discoveryAddress: '10.0.0.1:15012'}", ""},
		{"discovery address with bad port", "defaultConfig: {discoveryAddress: 'istiod:http'}", "is not a number"},
		{"discovery address numeric TLD", "defaultConfig: {discoveryAddress: 'foo.123:15012'}", "not a valid hostname"},
		{"tracing service name instead of cluster", "defaultConfig: {tracingServiceName: APP_LABEL_AND_NAMESPACE}", ""},
		{"empty service cluster", "defaultConfig: {serviceCluster: ''}", "service cluster must be specified"},
		{"empty config path", "defaultConfig: {configPath: ''}", "config path must be set"},
		{"datadog with HOST_IP", "defaultConfig: {tracing: {datadog: {address: '$(HOST_IP):8126'}}}", ""},
		{"lightstep without token", "defaultConfig: {tracing: {lightstep: {address: 'ls:8080'}}}", "access token is required"},
		{"tracing TLS mutual without key", "defaultConfig: {tracing: {tlsSettings: {mode: MUTUAL, clientCertificate: c}}}",
			"private key required"},
		{"tracing TLS configmap credential", "defaultConfig: {tracing: {tlsSettings: {mode: SIMPLE, credentialName: 'configmap://ns/n'}}}",
			"configmap://"},
		{"statsd address", "defaultConfig: {statsdUdpAddress: 'nope'}", "invalid statsd udp address"},
		{"auth policy number out of range", "defaultConfig: {controlPlaneAuthPolicy: 5}", "unrecognized control plane auth policy"},
		{"private key provider without poll delay", "defaultConfig: {privateKeyProvider: {cryptomb: {}}}", "pollDelay is required"},
		{"private key provider with poll delay", "defaultConfig: {privateKeyProvider: {qat: {pollDelay: 10ms}}}", ""},
		{"empty private key provider", "defaultConfig: {privateKeyProvider: {}}", "unknown private key provider"},
		{"connection settings window size", "defaultConfig: {connectionSettings: {http2InitialStreamWindowSize: 100}}",
			"http2_initial_stream_window_size"},
		{"connection settings negative timeout", "defaultConfig: {connectionSettings: {httpIdleTimeout: -1s}}",
			"http_idle_timeout must be non-negative"},
		{"locality failover", "localityLbSetting: {failover: [{from: us-east, to: us-west}]}", ""},
		{"locality failover same region", "localityLbSetting: {failover: [{from: us, to: us}]}", "different regions"},
		{"locality failover with zone", "localityLbSetting: {failover: [{from: us/a, to: eu}]}", "only specify region"},
		{"locality failover with topology priority",
			"localityLbSetting: {failover: [{from: us, to: eu}], failoverPriority: [topology.kubernetes.io/zone]}",
			"can not simultaneously set 'failover'"},
		{"locality distribute and failover", "localityLbSetting: {distribute: [{from: a, to: {b: 100}}], failover: [{from: a, to: b}]}",
			"can not simultaneously specify"},
		{"locality distribute ok", "localityLbSetting: {distribute: [{from: 'us/*', to: {'us/a': 60, 'eu/*': 40}}]}", ""},
		{"locality distribute zero weight", "localityLbSetting: {distribute: [{from: us, to: {eu: 0, us: 100}}]}", "range [1, 100]"},
		{"locality overlap", "localityLbSetting: {distribute: [{from: us, to: {eu: 100}}, {from: us/a, to: {eu: 100}}]}", "overlap"},
		{"locality misplaced wildcard", "localityLbSetting: {distribute: [{from: '*/a', to: {eu: 100}}]}", "wildcard"},
		{"locality empty zone", "localityLbSetting: {distribute: [{from: 'us//b', to: {eu: 100}}]}", "must not contain empty"},
		{"zone aware with region priority", "zoneAwareLbSetting: {failoverPriority: [topology.kubernetes.io/region]}", "must not use topology label"},
		{"zone aware ok", "zoneAwareLbSetting: {enabled: true, failover: [{from: us, to: eu}]}", ""},
		{"service settings wildcard host", "serviceSettings: [{hosts: ['*.svc.cluster.local'], settings: {clusterLocal: true}}]", ""},
		{"trust domain with trailing dot", "trustDomain: example.com.", ""},
		{"default traffic policy empty pool", "defaultTrafficPolicy: {connectionPool: {}}", "at least one field"},
		{"default traffic policy percent", "defaultTrafficPolicy: {outlierDetection: {maxEjectionPercent: 150}}", "not in range 0..100"},
		{"default traffic policy tcp idle 0", "defaultTrafficPolicy: {connectionPool: {tcp: {idleTimeout: 0s}}}", ""},
		{"default traffic policy h2 upgrade", "defaultTrafficPolicy: {connectionPool: {http: {h2UpgradePolicy: UPGRADE, useClientProtocol: true}}}",
			"use client protocol"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Apply(tc.text, Default())
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Errorf("accepted, want error containing %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
		})
	}
}
