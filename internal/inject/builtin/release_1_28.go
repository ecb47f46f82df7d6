package builtin

import "github.com/meshfn/meshfn/internal/inject"

// line128 is Istio 1.28, the oldest supported line.
var line128 = line{
	version: mustVersion("1.28"),
	latest:  10,
	changes: []change{
		{
			what: "sidecar.istio.io/proxyCPU, proxyMemory, proxyCPULimit and proxyMemoryLimit are validated as " +
				"Kubernetes quantities (istio/istio#58930)",
			since: "1.28.4",
			rules: func(r *inject.Rules) { r.Annotations.Quantities = false },
		},
	},
}
