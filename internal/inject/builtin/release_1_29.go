package builtin

import "github.com/meshfn/meshfn/internal/inject"

// line129 is Istio 1.29.
var line129 = line{
	version: mustVersion("1.29"),
	latest:  6,
	changes: []change{
		{
			what:  "env vars from resource limits (ISTIO_CPU_LIMIT, GOMEMLIMIT, GOMAXPROCS) set divisor 1 (istio/istio#58077)",
			since: "1.29.0",
			blocks: map[string]string{"proxy.env.resource": `
    - name: {{ index . 0 }}
      valueFrom:
        resourceFieldRef:
          resource: {{ index . 1 }}
`},
		},
		{
			what:   "the certificate revocation list's ConfigMap is named by pilot.crlConfigMapName (istio/istio#57874)",
			since:  "1.29.0",
			blocks: map[string]string{"proxy.crl-configmap": `"istio-ca-crl"`},
		},
		{
			what: "ProxyConfig has fileFlushInterval, fileFlushMinSizeKb and statsCompression; before, the API had no such " +
				"fields and the proxy config was read without them",
			since: "1.29.0",
			rules: func(r *inject.Rules) {
				r.Annotations.UnknownProxyConfigFields = append(r.Annotations.UnknownProxyConfigFields,
					"fileFlushInterval", "fileFlushMinSizeKb", "statsCompression")
			},
		},
		{
			what: "null entries of global.proxy.resources are dropped (template function omitNil, istio/istio#58824); " +
				"before, they reached the proxy as null",
			since:     "1.29.1",
			backports: []string{"1.28.6"},
			blocks:    map[string]string{"proxy.resources.values": `{{ toJson . }}`},
			rules:     func(r *inject.Rules) { r.MissingFuncs = append(r.MissingFuncs, "omitNil") },
		},
	},
}
