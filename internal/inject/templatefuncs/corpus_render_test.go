package templatefuncs

import (
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"
)

// gatewayControllerTemplates are rendered by Istio's gateway deployment
// controller with other data, not by the pod injector.
var gatewayControllerTemplates = map[string]bool{
	"waypoint": true, "kube-gateway": true, "agentgateway": true, "agentgateway-waypoint": true,
}

func samplePodData(t *testing.T, s corpusSettings, native bool) TemplateData {
	t.Helper()
	values := map[string]any{}
	if err := json.Unmarshal([]byte(s.Values), &values); err != nil {
		t.Fatalf("settings %s: data.values: %v", s.ID, err)
	}
	mc := meshEffective(t, s)
	return TemplateData{
		TypeMeta:       metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		DeploymentMeta: types.NamespacedName{Namespace: "shop", Name: "web"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "web-abc", Namespace: "shop",
			Labels: map[string]string{"app": "web", "version": "v1"},
			Annotations: map[string]string{
				"sidecar.istio.io/proxyCPU":                     "100m",
				"traffic.sidecar.istio.io/excludeOutboundPorts": "9000",
				"k8s.v1.cni.cncf.io/networks":                   "macvlan",
			},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "web", Image: "web:1.0",
			Ports: []corev1.ContainerPort{{ContainerPort: 8080}, {ContainerPort: 5353, Protocol: corev1.ProtocolUDP}},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
				HTTPGet: &corev1.HTTPGetAction{Path: "/ready"},
			}},
		}}},
		ProxyConfig:    mc.GetDefaultConfig(),
		MeshConfig:     mc,
		Values:         values,
		NativeSidecars: native,
		ProxyImage:     "docker.io/istio/proxyv2:1.0.0",
		ProxyInitImage: "docker.io/istio/proxyv2:1.0.0",
		ProxyUID:       1337,
		ProxyGID:       1337,
	}
}

// TestCorpusTemplatesRender runs every pod injection template of the corpus
// with Istio-typed data, which exercises the helpers' argument types against
// what the templates pass them, and checks the result is YAML.
func TestCorpusTemplatesRender(t *testing.T) {
	rendered, maxSpent := 0, int64(0)
	for _, s := range loadCorpusSettings(t) {
		for _, native := range []bool{false, true} {
			data := samplePodData(t, s, native)
			for _, name := range sortedKeys(s.templates) {
				if gatewayControllerTemplates[name] {
					continue
				}
				tmpl, err := Parse(name, s.templates[name], Options{})
				if err != nil {
					t.Errorf("settings %s, template %s: %v", s.ID, name, err)
					continue
				}
				var out strings.Builder
				spent, err := tmpl.execute(&out, &data)
				maxSpent = max(maxSpent, spent)
				if err != nil {
					t.Errorf("settings %s, template %s, native sidecars %v: %v", s.ID, name, native, err)
					continue
				}
				var pod map[string]any
				if err := yaml.Unmarshal([]byte(out.String()), &pod); err != nil {
					t.Errorf("settings %s, template %s: output is not YAML: %v\n%s", s.ID, name, err, out.String())
				}
				rendered++
			}
		}
	}
	t.Logf("rendered %d pod injection templates; the most one spent is %d of its budget of %d", rendered, maxSpent, fuelLimit)
	if maxSpent > fuelLimit/100 {
		t.Errorf("Istio's templates spend more than 1%% of the budget (%d): raise it", maxSpent)
	}
}
