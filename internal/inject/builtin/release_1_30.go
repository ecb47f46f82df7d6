package builtin

import "github.com/meshfn/meshfn/internal/inject"

// line130 is Istio 1.30.
var line130 = line{
	version: mustVersion("1.30"),
	latest:  3,
	changes: []change{
		{
			what: "OTEL_RESOURCE_ATTRIBUTES from a mesh extension provider with OTEL_SEMANTIC_CONVENTIONS, and the template " +
				"function otelResourceAttributes (istio/istio#59207)",
			since:  "1.30.0",
			blocks: map[string]string{"sidecar.env.otel": ""},
			rules:  func(r *inject.Rules) { r.MissingFuncs = append(r.MissingFuncs, "otelResourceAttributes") },
		},
		{
			what: "traffic.sidecar.istio.io/excludeInterfaces, kubevirtInterfaces and istio.io/reroute-virtual-interfaces are " +
				"validated as interface names (istio/istio#58785)",
			since: "1.30.0",
			rules: func(r *inject.Rules) { r.Annotations.InterfaceNames = false },
		},
	},
}
