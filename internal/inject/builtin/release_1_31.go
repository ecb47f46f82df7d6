package builtin

import "github.com/meshfn/meshfn/internal/inject"

// line131 is Istio 1.31. It has no release yet: meshfn follows 1.31.0-rc.0, whose injector
// the release-1.31 branch has not changed since.
var line131 = line{
	version: mustVersion("1.31"),
	latest:  0,
	preview: "1.31.0-rc.0",
	changes: []change{
		{
			what:   "the canonical-name label is trimmed of every leading and trailing -, _ and . (istio/istio#60859); before, of one trailing - only",
			since:  "1.31.0",
			blocks: map[string]string{"sidecar.canonical-name": `{{ . | trunc 63 | trimSuffix "-" | quote }}`},
		},
		{
			what: "istio-init has an image of its own, from global.proxy_init.image (istio/istio#59292); before, it took the proxy's, " +
				"and a proxy config naming an image without a type cleared global.variant",
			since: "1.31.0",
			rules: func(r *inject.Rules) { r.ProxyInitImage = false },
		},
		{
			what:  "with compliance policy fips-140-3 the proxy also gets GODEBUG=fips140=only (istio/istio#59847)",
			since: "1.31.0",
			blocks: map[string]string{"proxy.env.compliance": `
  {{- with .data.CompliancePolicy }}
    - name: COMPLIANCE_POLICY
      value: {{ . | quote }}
  {{- end }}
`},
		},
		{
			what: "merged Prometheus metrics: a scrape port that is not a port, or is one of Istio's own (15090 ...), is an error, " +
				"and prometheus.istio.io/scrape-targets lists several endpoints; before, any prometheus.io/port was passed on",
			since: "1.31.0",
			rules: func(r *inject.Rules) { r.ScrapeChecks = false },
		},
		{
			what: "ProxyConfig has connectionSettings (istio/istio#60576), validated where proxy.istio.io/config is; before, " +
				"the API had no such field and the proxy config was read without it",
			since: "1.31.0",
			rules: func(r *inject.Rules) {
				r.Annotations.UnknownProxyConfigFields = append(r.Annotations.UnknownProxyConfigFields, "connectionSettings")
			},
		},
		{
			what:  "prometheus.istio.io/secure-port is set from the proxy's ENVOY_SECURE_MERGED_METRICS_PORT (istio/istio#60430)",
			since: "1.31.0",
			rules: func(r *inject.Rules) { r.SecurePortAnnotation = false },
		},
	},
}
