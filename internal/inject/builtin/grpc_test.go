package builtin

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/inject"
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

// grpcCase is a pod and settings the gRPC templates render, for what Istio's corpus
// leaves out: every branch of Istio's grpc-agent and grpc-simple templates.
type grpcCase struct {
	name        string
	template    string         // the template the pod selects; grpc-agent when ""
	values      map[string]any // dotted path in the values -> new value
	mesh        func(string) string
	annotations map[string]string
	labels      map[string]string
	pod         func(*corev1.Pod)
	bare        bool // a pod of no workload (no owner, no deployment name)
	fails       bool // Istio's template renders YAML that does not parse
}

var grpcCases = []grpcCase{
	{name: "defaults"},
	{name: "bare pod", bare: true},
	{name: "agent flags", values: map[string]any{"global.sts.servicePort": 15463, "global.logAsJson": true}},
	{name: "multicluster", values: map[string]any{"global.meshID": "mesh1", "global.network": "net1",
		"global.multiCluster.clusterName": "east"}},
	{name: "CA address", values: map[string]any{"global.caAddress": "ca.example.com:443"}},
	{name: "revision", values: map[string]any{"revision": "canary"}},
	{name: "GKE certificates", values: map[string]any{"global.caName": "GkeWorkloadCertificate"}},
	{name: "kubernetes certificates", values: map[string]any{"global.pilotCertProvider": "kubernetes"}},
	{name: "cluster trust bundle", values: map[string]any{"pilot.env.ENABLE_CLUSTER_TRUST_BUNDLE_API": true,
		"global.trustBundleName": "bundle", "pilot.crlConfigMapName": "crl"}},
	{name: "trust bundle configmap", values: map[string]any{"global.trustBundleName": "bundle"}},
	{name: "mTLS certs", values: map[string]any{"global.mountMtlsCerts": true}},
	{name: "mTLS certs of a service account", values: map[string]any{"global.mountMtlsCerts": true},
		pod: func(p *corev1.Pod) { p.Spec.ServiceAccountName = "reviews" }},
	{name: "pull policy and secrets", values: map[string]any{"global.imagePullPolicy": "IfNotPresent",
		"global.imagePullSecrets": []any{"one", "two"}}},
	{name: "no resources", values: map[string]any{"global.proxy.resources": map[string]any{}}},
	{name: "resources with nulls", values: map[string]any{"global.proxy.resources": map[string]any{
		"limits": map[string]any{"cpu": nil, "memory": "1Gi"}, "requests": map[string]any{"cpu": "10m"}}}},
	{name: "resources all null", values: map[string]any{"global.proxy.resources": map[string]any{
		"limits": map[string]any{"cpu": nil}}}},
	{name: "resource annotations", annotations: map[string]string{"sidecar.istio.io/proxyCPU": "300m",
		"sidecar.istio.io/proxyMemory": "200Mi", "sidecar.istio.io/proxyCPULimit": "1", "sidecar.istio.io/proxyMemoryLimit": "2Gi"}},
	{name: "only memory limit", annotations: map[string]string{"sidecar.istio.io/proxyMemoryLimit": "2Gi"}},
	{name: "distroless", values: map[string]any{"global.variant": "distroless"}},
	{name: "proxy image path", annotations: map[string]string{"sidecar.istio.io/proxyImage": "my.registry/istio/proxy:1"}},
	{name: "proxy image name", annotations: map[string]string{"sidecar.istio.io/proxyImage": "custom"}},
	{name: "image type", annotations: map[string]string{"sidecar.istio.io/proxyImageType": "debug"}},
	{name: "log levels", annotations: map[string]string{"sidecar.istio.io/logLevel": "debug",
		"sidecar.istio.io/componentLogLevel": "misc:info", "sidecar.istio.io/agentLogLevel": "default:debug"}},
	{name: "readiness", annotations: map[string]string{"readiness.status.sidecar.istio.io/initialDelaySeconds": "5",
		"readiness.status.sidecar.istio.io/periodSeconds": "7", "readiness.status.sidecar.istio.io/failureThreshold": "9"}},
	{name: "no status port", annotations: map[string]string{"status.sidecar.istio.io/port": "0"}},
	{name: "user volumes", annotations: map[string]string{
		"sidecar.istio.io/userVolume":      `{"data":{"emptyDir":{}},"cfg":{"configMap":{"name":"c"}}}`,
		"sidecar.istio.io/userVolumeMount": `{"data":{"mountPath":"/data","readOnly":true},"cfg":{"mountPath":"/cfg"}}`}},
	{name: "user mounts without status port", annotations: map[string]string{"status.sidecar.istio.io/port": "0",
		"sidecar.istio.io/userVolumeMount": `{"data":{"mountPath":"/data"}}`}},
	{name: "user mounts without status port after a pull policy", values: map[string]any{"global.imagePullPolicy": "Always"},
		annotations: map[string]string{"status.sidecar.istio.io/port": "0", "sidecar.istio.io/userVolumeMount": `{"data":{"mountPath":"/data"}}`},
		fails:       true},
	{name: "bootstrap override", annotations: map[string]string{"sidecar.istio.io/bootstrapOverride": "my-bootstrap"}},
	{name: "ignored sidecar settings", annotations: map[string]string{"sidecar.istio.io/interceptionMode": "TPROXY",
		"sidecar.istio.io/nativeSidecar": "true"}, labels: map[string]string{"service.istio.io/workload-name": "wl"},
		values: map[string]any{"global.proxy.lifecycle": map[string]any{"preStop": map[string]any{"exec": map[string]any{"command": []any{"sleep", "5"}}}},
			"global.proxy.holdApplicationUntilProxyStarts": true, "pilot.cni.enabled": true}},
	{name: "proxy metadata", annotations: map[string]string{"proxy.istio.io/config": "proxyMetadata:\n" +
		"  ISTIO_META_DNS_CAPTURE: \"true\"\n  B: x\n  A: \"1\"\n"}},
	{name: "default container chosen", annotations: map[string]string{"kubectl.kubernetes.io/default-container": "world",
		"kubectl.kubernetes.io/default-logs-container": "world"}},
	{name: "canonical labels", labels: map[string]string{"app.kubernetes.io/name": "-_.a-very-long-name-" +
		strings.Repeat("x", 60), "app.kubernetes.io/version": "v2", "security.istio.io/tlsMode": "disabled"}},
	{name: "trust domain", values: map[string]any{"global.trustDomain": "ignored.example"},
		mesh: func(m string) string {
			return strings.Replace(m, "trustDomain: cluster.local", "trustDomain: td.example", 1)
		}},
	{name: "localhost inbound", mesh: func(m string) string { return m + "\ninboundTrafficPolicy:\n  mode: LOCALHOST\n" }},
	{name: "proxy container in the pod", pod: func(p *corev1.Pod) {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "istio-proxy", Image: "auto",
			Env: []corev1.EnvVar{{Name: "EXTRA", Value: "1"}}})
	}},
	{name: "no application ports", pod: func(p *corev1.Pod) {
		for i := range p.Spec.Containers {
			p.Spec.Containers[i].Ports = nil
		}
	}},
	{name: "simple", template: GRPCSimpleTemplate},
	{name: "simple in another namespace", template: GRPCSimpleTemplate, values: map[string]any{"global.istioNamespace": "mesh"}},
	{name: "simple with a proxy container", template: GRPCSimpleTemplate, pod: func(p *corev1.Pod) {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "istio-proxy", Image: "auto"})
	}},
}

// grpcRelease is an Istio release whose gRPC templates the built-in ones are compared
// with, and its injector settings.
type grpcRelease struct {
	version istio.Version
	src     inject.Sources // Istio's settings: their templates are Istio's
}

// TestGRPCSameAsIstioTemplates injects sample pods with Istio's grpc-agent and
// grpc-simple templates of each release in the corpora, and with the built-in ones of
// that release, over variations of values, mesh config, annotations and labels, with the
// engine rules of the release: the pods must be the same, or both injections fail.
func TestGRPCSameAsIstioTemplates(t *testing.T) {
	for _, rel := range grpcReleases(t) {
		t.Run(rel.version.String(), func(t *testing.T) {
			r := MustLookup(rel.version)
			for _, c := range grpcCases {
				values := ValuesWith(t, rel.src.Values, c.values)
				mesh := rel.src.Mesh
				if c.mesh != nil {
					mesh = c.mesh(mesh)
				}
				istio := grpcSettings(t, r, inject.Sources{Config: rel.src.Config, Values: values, Mesh: mesh}, nil)
				ours := grpcSettings(t, r, inject.Sources{Config: rel.src.Config, Values: values, Mesh: mesh}, r.Templates())
				for _, native := range []bool{true, false} {
					t.Run(fmt.Sprintf("%s/native=%t", c.name, native), func(t *testing.T) {
						want, werr := injectGRPC(istio, c, native)
						got, gerr := injectGRPC(ours, c, native)
						switch {
						case werr != nil && gerr != nil && c.fails:
							return
						case werr != nil || gerr != nil:
							t.Fatalf("injection failed: with Istio's templates: %v; with the built-in ones: %v", werr, gerr)
						}
						if !reflect.DeepEqual(want, got) {
							wb, _ := sigsyaml.Marshal(want)
							gb, _ := sigsyaml.Marshal(got)
							t.Errorf("pods differ (-istio +builtin):\n%s", krmtest.Diff(string(wb), string(gb)))
						}
					})
				}
			}
		})
	}
}

// grpcReleases are the releases of the corpora, with older patches of theirs whose
// grpc-agent the corpora do not hold: Istio's changes since then undone in the text of
// the corpus's template (each change must be found exactly once). The newest line has
// no release in them: Istio's master stands for it, whose gRPC templates differ from
// 1.31.0-rc.0's only in quoting the annotation values they write into the pod
// (istio/istio#61215), as meshfn's templates do in every release.
func grpcReleases(t *testing.T) []grpcRelease {
	t.Helper()
	master := istiocorpus.ReadSettings(t, "default")
	out := []grpcRelease{{version: Newest(), src: inject.Sources{Config: master.Config, Values: master.Values, Mesh: master.Mesh}}}
	for _, rel := range istiocorpus.Releases(t) {
		v, err := istio.ParseVersion(rel.Version)
		if err != nil {
			t.Fatalf("corpus release %s: %v", rel.Version, err)
		}
		data := rel.ConfigMaps(t)
		src := inject.Sources{
			Config: data[0].GetDataMap()["config"],
			Values: data[0].GetDataMap()["values"],
			Mesh:   data[1].GetDataMap()["mesh"],
		}
		out = append(out, grpcRelease{version: v, src: src})
		for _, older := range olderGRPCAgents {
			if older.from == v.Line().String() {
				out = append(out, grpcRelease{version: mustVersion(older.version), src: older.undo(t, src)})
			}
		}
	}
	return out
}

// olderGRPCAgent is the grpc-agent template of an older patch release of a line: the
// corpus release's with Istio's later changes undone.
type olderGRPCAgent struct {
	version, from string
	undo          func(*testing.T, inject.Sources) inject.Sources
}

var olderGRPCAgents = []olderGRPCAgent{
	// Before 1.29.1 and 1.28.6, null entries of global.proxy.resources reached the proxy
	// (istio/istio#58824).
	{version: "1.29.0", from: "1.29", undo: undoOmitNil},
	{version: "1.28.5", from: "1.28", undo: undoOmitNil},
	// Before 1.28.4, the resource annotations were quoted in the template's text
	// (istio/istio#58930), and not validated.
	{version: "1.28.3", from: "1.28", undo: func(t *testing.T, src inject.Sources) inject.Sources {
		src = undoOmitNil(t, src)
		for _, a := range []string{"proxyCPU", "proxyMemory", "proxyCPULimit", "proxyMemoryLimit"} {
			index := "index .ObjectMeta.Annotations `sidecar.istio.io/" + a + "`"
			src = replaceInGRPCAgent(t, src, "{{ "+index+" | quote }}", `"{{ `+index+` }}"`)
		}
		return src
	}},
}

func undoOmitNil(t *testing.T, src inject.Sources) inject.Sources {
	return replaceInGRPCAgent(t, src, "toYaml (omitNil .Values.global.proxy.resources)", "toYaml .Values.global.proxy.resources")
}

// replaceInGRPCAgent replaces the one occurrence of old in Istio's grpc-agent template.
func replaceInGRPCAgent(t *testing.T, src inject.Sources, old, new string) inject.Sources {
	t.Helper()
	config := map[string]any{}
	if err := sigsyaml.Unmarshal([]byte(src.Config), &config); err != nil {
		t.Fatal(err)
	}
	templates := config["templates"].(map[string]any)
	text := templates[GRPCAgentTemplate].(string)
	if n := strings.Count(text, old); n != 1 {
		t.Fatalf("Istio's grpc-agent template has %q %d times, not once", old, n)
	}
	templates[GRPCAgentTemplate] = strings.Replace(text, old, new, 1)
	b, err := sigsyaml.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	src.Config = string(b)
	return src
}

// grpcSettings parses the settings with only the gRPC templates of the config (the
// other templates of a corpus release may call functions an older patch lacks), or of
// ours when given, and the release's engine rules.
func grpcSettings(t *testing.T, r *Release, src inject.Sources, ours map[string]string) *inject.Settings {
	t.Helper()
	config := map[string]any{}
	if err := sigsyaml.Unmarshal([]byte(src.Config), &config); err != nil {
		t.Fatal(err)
	}
	templates := map[string]any{}
	for _, name := range []string{GRPCAgentTemplate, GRPCSimpleTemplate} {
		templates[name] = config["templates"].(map[string]any)[name]
		if ours != nil {
			templates[name] = ours[name]
		}
	}
	config["templates"] = templates
	b, err := sigsyaml.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	src.Config = string(b)
	s, err := inject.NewSettings("", src, r.Rules, templatefuncs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ValuesWith sets dotted paths in the values JSON, creating maps on the way (the
// differential tests of the external test package use it too).
func ValuesWith(t *testing.T, text string, set map[string]any) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	for path, value := range set {
		keys := strings.Split(path, ".")
		over := map[string]any{keys[len(keys)-1]: value}
		for i := len(keys) - 2; i >= 0; i-- {
			over = map[string]any{keys[i]: over}
		}
		mergeValues(v, over)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// injectGRPC injects the case's sample pod and returns it as plain data, compared as it
// is: unlike the corpus's rule, an empty volume source and none differ.
func injectGRPC(s *inject.Settings, c grpcCase, native bool) (any, error) {
	pod := grpcPod()
	pod.Annotations["inject.istio.io/templates"] = orDefault(c.template, GRPCAgentTemplate)
	for k, v := range c.annotations {
		pod.Annotations[k] = v
	}
	for k, v := range c.labels {
		pod.Labels[k] = v
	}
	if c.pod != nil {
		c.pod(pod)
	}
	req := inject.Request{
		Pod:            pod,
		TypeMeta:       metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		DeployMeta:     types.NamespacedName{Namespace: "demo", Name: "hello"},
		NativeSidecars: native,
		Variant:        inject.KubeInject,
	}
	if c.bare {
		req.TypeMeta, req.DeployMeta = metav1.TypeMeta{}, types.NamespacedName{Namespace: "demo"}
	}
	return InjectedData(s, req)
}

// grpcPod has two gRPC application containers with ports and a probe.
func grpcPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Annotations: map[string]string{},
			Labels:      map[string]string{"app": "hello", "version": "v1"},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "hello", Image: "example.com/hello:1", Ports: []corev1.ContainerPort{
				{Name: "grpc", ContainerPort: 8080}, {Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP}},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
					Path: "/ready", Port: intstr.FromInt(80)}}}},
			{Name: "world", Image: "example.com/world:1", Ports: []corev1.ContainerPort{{ContainerPort: 90}}},
		}},
	}
}

// InjectedData injects req with s and returns the injected pod as plain JSON data, the
// form the differential tests (here and in builtin_test) compare.
func InjectedData(s *inject.Settings, req inject.Request) (map[string]any, error) {
	res, err := s.Inject(req)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(res.Pod)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}
