package builtin_test

import (
	"bytes"
	"testing"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/inject/meshconfig"
	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	yamlv2 "go.yaml.in/yaml/v2"
	yamlv3 "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BenchmarkParseRenderedTemplate splits the engine's main costs for one typical pod: executing
// the built-in sidecar template, and reading its output as YAML 1.1 (yaml.v2, as Istio does;
// yaml.v3 for comparison).
func BenchmarkParseRenderedTemplate(b *testing.B) {
	tmpl, err := templatefuncs.Parse("sidecar", builtin.MustLookup(builtin.DefaultVersion()).Templates()["sidecar"], templatefuncs.Options{})
	if err != nil {
		b.Fatal(err)
	}
	vals, err := inject.ParseValues(builtin.MustLookup(builtin.DefaultVersion()).Sources(builtin.Options{}).Values)
	if err != nil {
		b.Fatal(err)
	}
	mesh := meshconfig.Default()
	data := &inject.TemplateData{
		TypeMeta:    metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta:  metav1.ObjectMeta{Labels: map[string]string{"app": "web"}, Annotations: map[string]string{}},
		Spec:        corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:1", Ports: []corev1.ContainerPort{{ContainerPort: 8080}}}}},
		ProxyConfig: mesh.GetDefaultConfig(), MeshConfig: mesh, Values: vals, NativeSidecars: true,
		ProxyImage: "docker.io/istio/proxyv2:1.31.0", ProxyInitImage: "docker.io/istio/proxyv2:1.31.0",
		ProxyUID: 1337, ProxyGID: 1337, InboundTrafficPolicyMode: "passthrough",
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, data); err != nil {
		b.Fatal(err)
	}
	text := out.Bytes()
	b.Logf("rendered %d bytes", len(text))
	b.Run("execute", func(b *testing.B) {
		for b.Loop() {
			var o bytes.Buffer
			if err := tmpl.Execute(&o, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml.v2", func(b *testing.B) {
		for b.Loop() {
			var v any
			if err := yamlv2.Unmarshal(text, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		for b.Loop() {
			var v any
			if err := yamlv3.Unmarshal(text, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
