package builtin_test

import (
	"testing"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// BenchmarkInjectDeployment measures the injection engine alone on one typical pod with
// the built-in injector: template, strategic merge, overrides, probes, Prometheus, order.
func BenchmarkInjectDeployment(b *testing.B) {
	release := builtin.MustLookup(builtin.DefaultVersion())
	s, err := inject.NewSettings("", release.Sources(builtin.Options{}), release.Rules, templatefuncs.Options{})
	if err != nil {
		b.Fatal(err)
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Labels:      map[string]string{"app": "web", "version": "v1"},
			Annotations: map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "web", Image: "web:1",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: "/ready", Port: intstr.FromString("http")}}},
		}}},
	}
	req := inject.Request{Pod: pod, Namespace: "shop", NativeSidecars: true,
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		DeployMeta: types.NamespacedName{Namespace: "shop", Name: "web"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Inject(req); err != nil {
			b.Fatal(err)
		}
	}
}
