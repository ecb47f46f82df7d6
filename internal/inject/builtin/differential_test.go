package builtin_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/istiocorpus"
	"github.com/meshfn/meshfn/internal/krmtest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	sigsyaml "sigs.k8s.io/yaml"
)

// variation is a change to the corpus's default settings or to a sample pod, for
// settings and annotations the corpus does not exercise.
type variation struct {
	name        string
	values      map[string]any      // dotted path in the values -> new value
	mesh        func(string) string // changes the default mesh config
	annotations map[string]string
	labels      map[string]string
	compliance  string
	pod         func(*corev1.Pod)
}

// differentialCases cover every branch of the templates that Istio's corpus leaves out.
var differentialCases = []variation{
	{name: "defaults"},
	{name: "hold application", values: map[string]any{"global.proxy.holdApplicationUntilProxyStarts": true}},
	{name: "lifecycle", values: map[string]any{"global.proxy.lifecycle": map[string]any{
		"preStop": map[string]any{"exec": map[string]any{"command": []any{"sleep", "5"}}}}}},
	{name: "seccomp", values: map[string]any{"global.proxy.seccompProfile": map[string]any{"type": "RuntimeDefault"}}},
	{name: "agent flags", values: map[string]any{"global.sts.servicePort": 15463, "global.logAsJson": true,
		"global.proxy.outlierLogPath": "/dev/stdout", "global.nativeNftables": true}},
	{name: "force iptables", values: map[string]any{"global.proxy_init.forceApplyIptables": true}},
	{name: "outbound ports", values: map[string]any{"global.proxy.includeOutboundPorts": "80,443",
		"global.proxy.excludeOutboundPorts": "22"}},
	{name: "outbound port annotations", annotations: map[string]string{
		"traffic.sidecar.istio.io/includeOutboundPorts": "", "traffic.sidecar.istio.io/excludeOutboundPorts": "25"}},
	{name: "multicluster", values: map[string]any{"global.meshID": "mesh1", "global.network": "net1",
		"global.multiCluster.clusterName": "east"}},
	{name: "CA address", values: map[string]any{"global.caAddress": "ca.example.com:443"}},
	{name: "revision", values: map[string]any{"revision": "canary"}},
	{name: "GKE certificates", values: map[string]any{"global.caName": "GkeWorkloadCertificate"}},
	{name: "kubernetes certificates", values: map[string]any{"global.pilotCertProvider": "kubernetes"}},
	{name: "cluster trust bundle", values: map[string]any{"pilot.env.ENABLE_CLUSTER_TRUST_BUNDLE_API": true,
		"global.trustBundleName": "bundle", "pilot.crlConfigMapName": "crl"}},
	{name: "trust bundle configmap", values: map[string]any{"global.trustBundleName": "bundle"}},
	{name: "mTLS certs of a service account", values: map[string]any{"global.mountMtlsCerts": true},
		pod: func(p *corev1.Pod) { p.Spec.ServiceAccountName = "reviews" }},
	{name: "datadog", values: map[string]any{"global.proxy.tracer": "datadog"},
		annotations: map[string]string{"apm.datadoghq.com/env": `{"DD_ENV":"prod","DD_SERVICE":"hello","DD_N":1}`}},
	{name: "lightstep", values: map[string]any{"global.proxy.tracer": "lightstep"},
		mesh: underDefaultConfig("  tracing:\n    tlsSettings:\n      caCertificates: /etc/lightstep/cacert.pem\n")},
	{name: "privileged", values: map[string]any{"global.proxy.privileged": true}},
	{name: "bind low ports", values: map[string]any{"global.proxy.capNetBindService": true}},
	{name: "bind low ports annotation", annotations: map[string]string{"sidecar.istio.io/capNetBindService": "true"}},
	{name: "no startup probe", values: map[string]any{"global.proxy.startupProbe.enabled": false}},
	{name: "pull policy and secrets", values: map[string]any{"global.imagePullPolicy": "IfNotPresent",
		"global.imagePullSecrets": []any{"one", "two"}}},
	{name: "no resources", values: map[string]any{"global.proxy.resources": map[string]any{}}},
	{name: "distroless", values: map[string]any{"global.variant": "distroless"}},
	{name: "cni multus tproxy", values: map[string]any{"pilot.cni.enabled": true, "pilot.cni.provider": "multus"},
		annotations: map[string]string{"sidecar.istio.io/interceptionMode": "TPROXY",
			"traffic.sidecar.istio.io/excludeInterfaces": "eth1", "istio.io/reroute-virtual-interfaces": "veth0",
			"k8s.v1.cni.cncf.io/networks": "macvlan", "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.0/8"}},
	{name: "cni with outbound ports", values: map[string]any{"pilot.cni.enabled": true,
		"global.proxy.excludeOutboundPorts": "22"}, annotations: map[string]string{"traffic.sidecar.istio.io/kubevirtInterfaces": "net1"}},
	{name: "bootstrap override", annotations: map[string]string{"sidecar.istio.io/bootstrapOverride": "my-bootstrap"}},
	{name: "interfaces", annotations: map[string]string{"traffic.sidecar.istio.io/excludeInterfaces": "eth1",
		"traffic.sidecar.istio.io/kubevirtInterfaces": "net1", "istio.io/reroute-virtual-interfaces": "veth0"}},
	{name: "proxy image path", annotations: map[string]string{"sidecar.istio.io/proxyImage": "my.registry/istio/proxy:1"}},
	{name: "proxy image name", annotations: map[string]string{"sidecar.istio.io/proxyImage": "custom"}},
	{name: "image type", annotations: map[string]string{"sidecar.istio.io/proxyImageType": "debug"}},
	{name: "no interception", annotations: map[string]string{"sidecar.istio.io/interceptionMode": "NONE"}},
	{name: "no interception classic", annotations: map[string]string{"sidecar.istio.io/interceptionMode": "NONE",
		"sidecar.istio.io/nativeSidecar": "false"}},
	{name: "log levels", annotations: map[string]string{"sidecar.istio.io/logLevel": "debug",
		"sidecar.istio.io/componentLogLevel": "misc:info", "sidecar.istio.io/agentLogLevel": "default:debug"}},
	{name: "no status port", annotations: map[string]string{"status.sidecar.istio.io/port": "0"}},
	{name: "only CPU request", annotations: map[string]string{"sidecar.istio.io/proxyCPU": "300m"}},
	{name: "only memory limit", annotations: map[string]string{"sidecar.istio.io/proxyMemoryLimit": "2Gi"}},
	{name: "HBONE and trace logging", annotations: map[string]string{"proxy.istio.io/config": "proxyMetadata:\n" +
		"  ISTIO_META_ENABLE_HBONE: \"true\"\n  IPTABLES_TRACE_LOGGING: \"true\"\n"}},
	{name: "HBONE tunnel label", annotations: map[string]string{"proxy.istio.io/config": "proxyMetadata:\n" +
		"  ISTIO_META_ENABLE_HBONE: \"true\"\n"}, labels: map[string]string{"networking.istio.io/tunnel": "none"}},
	{name: "default container chosen", annotations: map[string]string{"kubectl.kubernetes.io/default-container": "world"}},
	{name: "canonical labels", labels: map[string]string{"app.kubernetes.io/name": "-_.a-very-long-name-" +
		strings.Repeat("x", 60), "app.kubernetes.io/version": "v2", "service.istio.io/workload-name": "wl"}},
	{name: "trust domain", values: map[string]any{"global.trustDomain": "ignored.example"},
		mesh: func(m string) string {
			return strings.Replace(m, "trustDomain: cluster.local", "trustDomain: td.example", 1)
		}},
	{name: "fips", compliance: "fips-140-3"},
	{name: "other compliance", compliance: "other"},
	{name: "gateway", annotations: map[string]string{"inject.istio.io/templates": "gateway"}, pod: gatewayPod},
	{name: "gateway values", annotations: map[string]string{"inject.istio.io/templates": "gateway"}, pod: gatewayPod,
		values: map[string]any{"gateways.securityContext": map[string]any{"runAsNonRoot": true,
			"sysctls": []any{map[string]any{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}}},
			"global.proxy.lifecycle": map[string]any{"preStop": map[string]any{"exec": map[string]any{"command": []any{"sleep", "5"}}}},
			"global.mountMtlsCerts":  true, "global.caName": "GkeWorkloadCertificate", "global.imagePullSecrets": []any{"one"},
			"global.meshID": "m", "global.network": "n", "revision": "canary", "global.imagePullPolicy": "Always"},
		compliance: "fips-140-3"},
	{name: "gateway bootstrap", annotations: map[string]string{"inject.istio.io/templates": "gateway",
		"sidecar.istio.io/bootstrapOverride": "bs", "sidecar.istio.io/proxyImage": "r.example/p:1"}, pod: gatewayPod},
	{name: "sidecar and gateway", annotations: map[string]string{"inject.istio.io/templates": "sidecar,gateway"}},
}

// istioTemplates are the templates, values and mesh config of an Istio release as its
// ConfigMaps hold them, the built-in injector of that release, and how the output of the
// built-in templates is read for the comparison.
type istioTemplates struct {
	config, values, mesh string
	release              *builtin.Release
	asIstio              func(any) any // nil: as it is
}

// TestSameAsIstioTemplates injects sample pods with each supported release's own
// templates (the per-release corpora's ConfigMaps) and with the built-in templates of that
// release, under the release's engine rules, over variations of values, mesh config,
// annotations and labels, with native sidecars on and off: the pods must be the same. The
// injection corpus's templates (master after the 1.31 branch) are compared with the 1.31
// line's, whose GOMAXPROCS env var master dropped.
func TestSameAsIstioTemplates(t *testing.T) {
	t.Run("master as 1.31", func(t *testing.T) {
		defaults := istiocorpus.ReadSettings(t, "default")
		sameAsIstio(t, istioTemplates{config: defaults.Config, values: defaults.Values, mesh: defaults.Mesh,
			release: builtin.MustLookup(mustVersion(t, "1.31")), asIstio: istiocorpus.WithoutGOMAXPROCS})
	})
	for _, rel := range istiocorpus.Releases(t) {
		t.Run(rel.Version, func(t *testing.T) {
			cms := rel.ConfigMaps(t)
			injector, mesh := cms[0].GetDataMap(), cms[1].GetDataMap()
			sameAsIstio(t, istioTemplates{config: injector["config"], values: injector["values"], mesh: mesh["mesh"],
				release: builtin.MustLookup(mustVersion(t, rel.Version))})
		})
	}
}

func sameAsIstio(t *testing.T, it istioTemplates) {
	var istioConfig map[string]any
	if err := sigsyaml.Unmarshal([]byte(it.config), &istioConfig); err != nil {
		t.Fatal(err)
	}
	istioConfig["templates"] = withBuiltin(istioConfig["templates"].(map[string]any), it.release)
	builtinConfig, err := sigsyaml.Marshal(istioConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range differentialCases {
		values := builtin.ValuesWith(t, it.values, v.values)
		mesh := it.mesh
		if v.mesh != nil {
			mesh = v.mesh(mesh)
		}
		istio := settings(t, inject.Sources{Config: it.config, Values: values, Mesh: mesh}, it.release.Rules)
		ours := settings(t, inject.Sources{Config: string(builtinConfig), Values: values, Mesh: mesh}, it.release.Rules)
		for _, native := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/native=%t", v.name, native), func(t *testing.T) {
				want, werr := injectSample(istio, v, native)
				got, gerr := injectSample(ours, v, native)
				if werr != nil || gerr != nil {
					t.Fatalf("injection failed: with Istio's templates: %v; with the built-in ones: %v", werr, gerr)
				}
				if it.asIstio != nil {
					got = it.asIstio(got)
				}
				if !reflect.DeepEqual(want, got) {
					wb, _ := sigsyaml.Marshal(want)
					gb, _ := sigsyaml.Marshal(got)
					t.Errorf("pods differ (-istio +builtin):\n%s", krmtest.Diff(string(wb), string(gb)))
				}
			})
		}
	}
}

func mustVersion(t *testing.T, s string) istio.Version {
	t.Helper()
	v, ok := istio.VersionOfTag(s)
	if !ok {
		var err error
		if v, err = istio.ParseVersion(s); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// withBuiltin replaces the templates the release builds in by its built-in ones and keeps
// Istio's others under their names.
func withBuiltin(istio map[string]any, release *builtin.Release) map[string]any {
	out := map[string]any{}
	for name, text := range istio {
		out[name] = text
	}
	for name, text := range release.Templates() {
		out[name] = text
	}
	return out
}

func settings(t *testing.T, src inject.Sources, rules inject.Rules) *inject.Settings {
	t.Helper()
	s, err := inject.NewSettings("", src, rules, templatefuncs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// injectSample injects the variation's sample pod and returns it as compared data.
func injectSample(s *inject.Settings, v variation, native bool) (any, error) {
	pod := samplePod()
	for k, val := range v.annotations {
		pod.Annotations[k] = val
	}
	for k, val := range v.labels {
		pod.Labels[k] = val
	}
	if v.pod != nil {
		v.pod(pod)
	}
	out, err := builtin.InjectedData(s, inject.Request{
		Pod:              pod,
		TypeMeta:         metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		DeployMeta:       types.NamespacedName{Namespace: "demo", Name: "hello"},
		NativeSidecars:   native,
		Variant:          inject.KubeInject,
		CompliancePolicy: v.compliance,
	})
	if err != nil {
		return nil, err
	}
	return istiocorpus.Normalize(out), nil
}

// samplePod has two application containers with TCP and UDP ports and probes.
func samplePod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Annotations: map[string]string{},
			Labels:      map[string]string{"app": "hello", "version": "v1"},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "hello", Image: "example.com/hello:1", Ports: []corev1.ContainerPort{
				{Name: "http", ContainerPort: 80}, {Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP}},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intPort(80)}}}},
			{Name: "world", Image: "example.com/world:1", Ports: []corev1.ContainerPort{{ContainerPort: 90}}},
		}},
	}
}

// gatewayPod makes the sample a gateway: one istio-proxy container for the template.
func gatewayPod(p *corev1.Pod) {
	p.Spec.Containers = []corev1.Container{{Name: "istio-proxy", Image: "auto"}}
	p.Labels["istio"] = "ingressgateway"
}

// underDefaultConfig adds proxy config lines to the mesh config's defaultConfig.
func underDefaultConfig(lines string) func(string) string {
	return func(m string) string { return strings.Replace(m, "defaultConfig:\n", "defaultConfig:\n"+lines, 1) }
}

func intPort(p int) intstr.IntOrString { return intstr.FromInt(p) }
