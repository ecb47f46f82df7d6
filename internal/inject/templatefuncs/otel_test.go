package templatefuncs

import (
	"testing"

	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

func otelMesh(enrichment ...meshv1.MeshConfig_ExtensionProvider_ServiceAttributeEnrichment) *meshv1.MeshConfig {
	mc := &meshv1.MeshConfig{ExtensionProviders: []*meshv1.MeshConfig_ExtensionProvider{
		{Name: "prom", Provider: &meshv1.MeshConfig_ExtensionProvider_Prometheus{
			Prometheus: &meshv1.MeshConfig_ExtensionProvider_PrometheusMetricsProvider{},
		}},
	}}
	for _, e := range enrichment {
		mc.ExtensionProviders = append(mc.ExtensionProviders, &meshv1.MeshConfig_ExtensionProvider{
			Name: "otel",
			Provider: &meshv1.MeshConfig_ExtensionProvider_Opentelemetry{
				Opentelemetry: &meshv1.MeshConfig_ExtensionProvider_OpenTelemetryTracingProvider{
					Service: "collector.observability.svc", Port: 4317, ServiceAttributeEnrichment: e,
				},
			},
		})
	}
	return mc
}

func TestOtelResourceAttributes(t *testing.T) {
	semconv := otelMesh(meshv1.MeshConfig_ExtensionProvider_ISTIO_CANONICAL,
		meshv1.MeshConfig_ExtensionProvider_OTEL_SEMANTIC_CONVENTIONS)
	one := func(image string) []corev1.Container { return []corev1.Container{{Name: "web", Image: image}} }
	two := []corev1.Container{{Name: "web", Image: "web:1"}, {Name: "side", Image: "side:2"}}
	const (
		nsAnn  = "resource.opentelemetry.io/service.namespace"
		verAnn = "resource.opentelemetry.io/service.version"
		idAnn  = "resource.opentelemetry.io/service.instance.id"
	)
	cases := []struct {
		name        string
		mc          *meshv1.MeshConfig
		annotations map[string]string
		labels      map[string]string
		namespace   string
		containers  []corev1.Container
		want        string
	}{
		{"nil mesh", nil, nil, nil, "ns", one("web:1"), ""},
		{"no otel provider", otelMesh(), nil, nil, "ns", one("web:1"), ""},
		{"canonical only", otelMesh(meshv1.MeshConfig_ExtensionProvider_ISTIO_CANONICAL), nil, nil, "ns", one("web:1"), ""},
		{"namespace only", semconv, nil, nil, "ns", nil, "service.namespace=ns"},
		{"nothing at all", semconv, nil, nil, "", nil, ""},
		{"image tag", semconv, nil, nil, "ns", one("web:1.2"),
			"service.namespace=ns,service.version=1.2,service.instance.id=ns.$(POD_NAME).web"},
		{"image digest", semconv, nil, nil, "ns", one("web@sha256:ab"),
			"service.namespace=ns,service.version=sha256:ab,service.instance.id=ns.$(POD_NAME).web"},
		{"image tag and digest", semconv, nil, nil, "ns", one("reg:5000/team/web:1.2@sha256:ab"),
			"service.namespace=ns,service.version=1.2@sha256:ab,service.instance.id=ns.$(POD_NAME).web"},
		{"registry port is no tag", semconv, nil, nil, "ns", one("reg:5000/web"),
			"service.namespace=ns,service.instance.id=ns.$(POD_NAME).web"},
		{"no tag", semconv, nil, nil, "ns", one("web"),
			"service.namespace=ns,service.instance.id=ns.$(POD_NAME).web"},
		{"two containers: no image version, first container named", semconv, nil, nil, "ns", two,
			"service.namespace=ns,service.instance.id=ns.$(POD_NAME).web"},
		{"label version", semconv, nil, map[string]string{"app.kubernetes.io/version": "v3"}, "ns", two,
			"service.namespace=ns,service.version=v3,service.instance.id=ns.$(POD_NAME).web"},
		{"annotations win", semconv,
			map[string]string{nsAnn: "team", verAnn: "v9", idAnn: "id-1"},
			map[string]string{"app.kubernetes.io/version": "v3"}, "ns", one("web:1"),
			"service.namespace=team,service.version=v9,service.instance.id=id-1"},
		{"empty annotations ignored", semconv,
			map[string]string{nsAnn: "", verAnn: "", idAnn: ""},
			map[string]string{"app.kubernetes.io/version": ""}, "ns", one("web:1"),
			"service.namespace=ns,service.version=1,service.instance.id=ns.$(POD_NAME).web"},
		{"empty namespace in instance id", semconv, nil, nil, "", one("web:1"),
			"service.version=1,service.instance.id=.$(POD_NAME).web"},
	}
	for _, c := range cases {
		got := otelResourceAttributes(c.mc, c.annotations, c.labels, c.namespace, c.containers)
		if got != c.want {
			t.Errorf("%s: otelResourceAttributes = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestImageTagDigest(t *testing.T) {
	cases := []struct{ image, tag, digest string }{
		{"", "", ""},
		{"nginx", "", ""},
		{"nginx:1.21", "1.21", ""},
		{"nginx@sha256:abc", "", "sha256:abc"},
		{"nginx:1.21@sha256:abc", "1.21", "sha256:abc"},
		{"localhost:5000/nginx", "", ""},
		{"localhost:5000/a/nginx:v1", "v1", ""},
		{"nginx:", "", ""},
	}
	for _, c := range cases {
		tag, digest := imageTagDigest(c.image)
		if tag != c.tag || digest != c.digest {
			t.Errorf("imageTagDigest(%q) = %q, %q; want %q, %q", c.image, tag, digest, c.tag, c.digest)
		}
	}
}
