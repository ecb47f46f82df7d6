package meshconfig

import (
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
	meshv1 "istio.io/api/mesh/v1alpha1"
	networkingv1 "istio.io/api/networking/v1alpha3"
)

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
			p.add("", proxyconfig.ValidateDuration(od.BaseEjectionTime))
		}
		if od.Interval != nil {
			p.add("", proxyconfig.ValidateDuration(od.Interval))
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
		p.add("", proxyconfig.ValidateDuration(h.IdleTimeout))
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
			p.add("", proxyconfig.ValidateDuration(d))
		}
	}
	if t.IdleTimeout != nil && t.IdleTimeout.AsDuration().Milliseconds() != 0 {
		p.add("", proxyconfig.ValidateDuration(t.IdleTimeout))
	}
	return p.err()
}
