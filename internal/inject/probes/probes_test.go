package probes

import (
	"encoding/json"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func num(p int32) intstr.IntOrString    { return intstr.FromInt32(p) }
func named(n string) intstr.IntOrString { return intstr.FromString(n) }

func httpProbe(path string, port intstr.IntOrString) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: port}}}
}

func tcpProbe(port intstr.IntOrString) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: port}}}
}

func grpcProbe(port int32, service *string) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: port, Service: service}}}
}

func execProbe() *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}}
}

func withTiming(p *corev1.Probe, timeout, period int32) *corev1.Probe {
	p.TimeoutSeconds = timeout
	p.PeriodSeconds = period
	return p
}

func proxy(env ...corev1.EnvVar) corev1.Container {
	return corev1.Container{Name: ProxyContainerName, Env: env, ReadinessProbe: httpProbe("/healthz/ready", num(15021))}
}

func proberEnv(v string) corev1.EnvVar { return corev1.EnvVar{Name: EnvName, Value: v} }

func ptr[T any](v T) *T { return &v }

// rewriteCase runs Rewrite on pod and checks the probers env of istio-proxy
// (nil: no such variable) and the resulting application containers.
type rewriteCase struct {
	name       string
	pod        *corev1.Pod
	statusPort int32
	previously bool
	wantEnv    []corev1.EnvVar
	wantApps   []corev1.Container // containers except istio-proxy, in order
	wantInits  []corev1.Container // init containers except istio-proxy
}

func runRewriteCases(t *testing.T, cases []rewriteCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port := tc.statusPort
			if port == 0 {
				port = DefaultStatusPort
			}
			if err := Rewrite(tc.pod, port, tc.previously); err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			sidecar := FindSidecar(tc.pod)
			if sidecar == nil {
				t.Fatal("istio-proxy disappeared")
			}
			if !reflect.DeepEqual(sidecar.Env, tc.wantEnv) {
				t.Errorf("istio-proxy env:\n got  %s\n want %s", js(sidecar.Env), js(tc.wantEnv))
			}
			if got := without(tc.pod.Spec.Containers); !reflect.DeepEqual(got, tc.wantApps) {
				t.Errorf("containers:\n got  %s\n want %s", js(got), js(tc.wantApps))
			}
			if got := without(tc.pod.Spec.InitContainers); !reflect.DeepEqual(got, tc.wantInits) {
				t.Errorf("initContainers:\n got  %s\n want %s", js(got), js(tc.wantInits))
			}
		})
	}
}

func without(cs []corev1.Container) []corev1.Container {
	var out []corev1.Container
	for _, c := range cs {
		if c.Name != ProxyContainerName {
			out = append(out, c)
		}
	}
	return out
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func podOf(inits, containers []corev1.Container, annotations map[string]string) *corev1.Pod {
	p := &corev1.Pod{Spec: corev1.PodSpec{InitContainers: inits, Containers: containers}}
	p.Annotations = annotations
	return p
}

func TestShouldRewrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		ann  map[string]string
		def  bool
		want bool
	}{
		{"nil annotations, default on", nil, true, true},
		{"nil annotations, default off", nil, false, false},
		{"other annotations only", map[string]string{"a": "b"}, true, true},
		{"annotation true over default off", map[string]string{RewriteAnnotation: "true"}, false, true},
		{"annotation false over default on", map[string]string{RewriteAnnotation: "false"}, true, false},
		{"ParseBool accepts 1", map[string]string{RewriteAnnotation: "1"}, false, true},
		{"ParseBool accepts F", map[string]string{RewriteAnnotation: "F"}, true, false},
		{"ParseBool accepts TRUE", map[string]string{RewriteAnnotation: "TRUE"}, false, true},
		{"unparsable falls back to default on", map[string]string{RewriteAnnotation: "yes"}, true, true},
		{"unparsable falls back to default off", map[string]string{RewriteAnnotation: "no"}, false, false},
		{"empty value falls back", map[string]string{RewriteAnnotation: ""}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ShouldRewrite(tc.ann, tc.def); got != tc.want {
				t.Errorf("ShouldRewrite(%v, %v) = %v, want %v", tc.ann, tc.def, got, tc.want)
			}
		})
	}
}

func TestFindSidecar(t *testing.T) {
	app := corev1.Container{Name: "app"}
	for _, tc := range []struct {
		name      string
		pod       *corev1.Pod
		wantInit  bool
		wantFound bool
	}{
		{"none", podOf(nil, []corev1.Container{app}, nil), false, false},
		{"regular", podOf(nil, []corev1.Container{app, proxy()}, nil), false, true},
		{"native sidecar", podOf([]corev1.Container{proxy()}, []corev1.Container{app}, nil), true, true},
		{"regular preferred", podOf([]corev1.Container{proxy()}, []corev1.Container{proxy()}, nil), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := FindSidecar(tc.pod)
			if (got != nil) != tc.wantFound {
				t.Fatalf("found = %v, want %v", got != nil, tc.wantFound)
			}
			if got == nil {
				return
			}
			inInit := len(tc.pod.Spec.InitContainers) > 0 && got == &tc.pod.Spec.InitContainers[0]
			if inInit != tc.wantInit {
				t.Errorf("found in init containers = %v, want %v", inInit, tc.wantInit)
			}
		})
	}
}

func TestProberURLs(t *testing.T) {
	want := URLs{
		Readiness: "/app-health/web/readyz",
		Liveness:  "/app-health/web/livez",
		Startup:   "/app-health/web/startupz",
		PreStop:   "/app-lifecycle/web/prestopz",
		PostStart: "/app-lifecycle/web/poststartz",
	}
	if got := ProberURLs("web"); got != want {
		t.Errorf("ProberURLs = %+v, want %+v", got, want)
	}
}

var dumpCases = []struct {
	name string
	pod  *corev1.Pod
	want string
}{
	{
		name: "no probes",
		pod:  podOf(nil, []corev1.Container{{Name: "a"}, proxy()}, nil),
		want: "",
	},
	{
		name: "exec probes only",
		pod:  podOf(nil, []corev1.Container{{Name: "a", LivenessProbe: execProbe()}}, nil),
		want: "",
	},
	{
		name: "istio-proxy probes ignored",
		pod:  podOf(nil, []corev1.Container{proxy()}, nil),
		want: "",
	},
	{
		name: "http numbered port with timeout, period not kept",
		pod:  podOf(nil, []corev1.Container{{Name: "a", LivenessProbe: withTiming(httpProbe("/live", num(8080)), 3, 10)}}, nil),
		want: `{"/app-health/a/livez":{"httpGet":{"path":"/live","port":8080},"timeoutSeconds":3}}`,
	},
	{
		name: "named port resolved, unknown name dropped",
		pod: podOf(nil, []corev1.Container{{
			Name:           "a",
			Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}, {ContainerPort: 9090}},
			ReadinessProbe: httpProbe("/ready", named("http")),
			LivenessProbe:  httpProbe("/live", named("missing")),
			StartupProbe:   tcpProbe(named("http")),
		}}, nil),
		want: `{"/app-health/a/readyz":{"httpGet":{"path":"/ready","port":8080}},` +
			`"/app-health/a/startupz":{"tcpSocket":{"port":8080}}}`,
	},
	{
		name: "named ports are per container",
		pod: podOf(nil, []corev1.Container{
			{Name: "a", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 80}}},
			{Name: "b", LivenessProbe: httpProbe("", named("http"))},
		}, nil),
		want: "",
	},
	{
		name: "already on the status port",
		pod: podOf(nil, []corev1.Container{{
			Name:          "a",
			LivenessProbe: httpProbe("/app-health/a/livez", num(15020)),
			StartupProbe:  tcpProbe(num(15020)),
		}}, nil),
		want: "",
	},
	{
		name: "host scheme headers and html escaping",
		pod: podOf(nil, []corev1.Container{{Name: "a", ReadinessProbe: &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: "/q?x=1&y=<2>", Port: num(8443), Host: "example.com", Scheme: corev1.URISchemeHTTPS,
				HTTPHeaders: []corev1.HTTPHeader{{Name: "X-A", Value: "1"}, {Name: "Host", Value: "b&c"}},
			}},
			TimeoutSeconds: 7,
		}}}, nil),
		want: `{"/app-health/a/readyz":{"httpGet":{"path":"/q?x=1\u0026y=\u003c2\u003e","port":8443,` +
			`"host":"example.com","scheme":"HTTPS","httpHeaders":[{"name":"X-A","value":"1"},` +
			`{"name":"Host","value":"b\u0026c"}]},"timeoutSeconds":7}}`,
	},
	{
		name: "grpc with and without service, port equal to status port kept",
		pod: podOf(nil, []corev1.Container{
			{Name: "g1", LivenessProbe: grpcProbe(9000, nil)},
			{Name: "g2", ReadinessProbe: withTiming(grpcProbe(15020, ptr("health.v1")), 2, 0)},
		}, nil),
		want: `{"/app-health/g1/livez":{"grpc":{"port":9000,"service":null}},` +
			`"/app-health/g2/readyz":{"grpc":{"port":15020,"service":"health.v1"},"timeoutSeconds":2}}`,
	},
	{
		name: "tcp with host",
		pod: podOf(nil, []corev1.Container{{Name: "db", LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
			TCPSocket: &corev1.TCPSocketAction{Port: num(5432), Host: "10.0.0.1"}}}}}, nil),
		want: `{"/app-health/db/livez":{"tcpSocket":{"port":5432,"host":"10.0.0.1"}}}`,
	},
	{
		name: "lifecycle hooks: http and tcp kept, exec and sleep ignored, no timeout",
		pod: podOf(nil, []corev1.Container{
			{Name: "a", Ports: []corev1.ContainerPort{{Name: "admin", ContainerPort: 91}}, Lifecycle: &corev1.Lifecycle{
				PreStop:   &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/stop", Port: named("admin")}},
				PostStart: &corev1.LifecycleHandler{TCPSocket: &corev1.TCPSocketAction{Port: num(93)}},
			}},
			{Name: "b", Lifecycle: &corev1.Lifecycle{
				PreStop:   &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 3}},
				PostStart: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"x"}}},
			}},
		}, nil),
		want: `{"/app-lifecycle/a/poststartz":{"tcpSocket":{"port":93}},` +
			`"/app-lifecycle/a/prestopz":{"httpGet":{"path":"/stop","port":91}}}`,
	},
	{
		name: "init containers included, regular container of the same name wins",
		pod: podOf(
			[]corev1.Container{proxy(), {Name: "side", StartupProbe: httpProbe("/s", num(1))}, {Name: "dup", LivenessProbe: tcpProbe(num(1))}},
			[]corev1.Container{{Name: "dup", LivenessProbe: tcpProbe(num(2))}},
			nil),
		want: `{"/app-health/dup/livez":{"tcpSocket":{"port":2}},"/app-health/side/startupz":{"httpGet":{"path":"/s","port":1}}}`,
	},
}

func TestDump(t *testing.T) {
	for _, tc := range dumpCases {
		t.Run(tc.name, func(t *testing.T) {
			before := js(tc.pod)
			if got := Dump(tc.pod, DefaultStatusPort); got != tc.want {
				t.Errorf("Dump:\n got  %s\n want %s", got, tc.want)
			}
			if after := js(tc.pod); after != before {
				t.Errorf("Dump modified the pod:\n before %s\n after  %s", before, after)
			}
		})
	}
}
