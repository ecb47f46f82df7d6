package probes

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// agentProbe is what a rewritten probe looks like: an HTTP GET of path on port.
func agentProbe(path string, port int32) *corev1.Probe {
	return httpProbe(path, num(port))
}

func TestRewriteProbeKinds(t *testing.T) {
	svc := "svc"
	runRewriteCases(t, []rewriteCase{
		{
			name: "http numbered and named ports, timings kept",
			pod: podOf(nil, []corev1.Container{{
				Name:           "web",
				Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				LivenessProbe:  withTiming(httpProbe("/live", num(8080)), 3, 10),
				ReadinessProbe: httpProbe("/ready", named("http")),
			}, proxy()}, nil),
			wantEnv: []corev1.EnvVar{proberEnv(`{"/app-health/web/livez":{"httpGet":{"path":"/live","port":8080},"timeoutSeconds":3},` +
				`"/app-health/web/readyz":{"httpGet":{"path":"/ready","port":8080}}}`)},
			wantApps: []corev1.Container{{
				Name:           "web",
				Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				LivenessProbe:  withTiming(agentProbe("/app-health/web/livez", 15020), 3, 10),
				ReadinessProbe: agentProbe("/app-health/web/readyz", 15020),
			}},
		},
		{
			name: "https becomes http, host and headers stay",
			pod: podOf(nil, []corev1.Container{{Name: "s", StartupProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
				HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: num(443), Host: "h", Scheme: corev1.URISchemeHTTPS,
					HTTPHeaders: []corev1.HTTPHeader{{Name: "A", Value: "b"}}},
			}}}, proxy()}, nil),
			wantEnv: []corev1.EnvVar{proberEnv(`{"/app-health/s/startupz":{"httpGet":{"path":"/","port":443,"host":"h",` +
				`"scheme":"HTTPS","httpHeaders":[{"name":"A","value":"b"}]}}}`)},
			wantApps: []corev1.Container{{Name: "s", StartupProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
				HTTPGet: &corev1.HTTPGetAction{Path: "/app-health/s/startupz", Port: num(15020), Host: "h",
					Scheme: corev1.URISchemeHTTP, HTTPHeaders: []corev1.HTTPHeader{{Name: "A", Value: "b"}}},
			}}}},
		},
		{
			name: "grpc and tcp become plain http gets",
			pod: podOf(nil, []corev1.Container{{
				Name:           "g",
				LivenessProbe:  withTiming(grpcProbe(9000, &svc), 4, 0),
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: num(9001), Host: "x"}}},
			}, proxy()}, nil),
			wantEnv: []corev1.EnvVar{proberEnv(`{"/app-health/g/livez":{"grpc":{"port":9000,"service":"svc"},"timeoutSeconds":4},` +
				`"/app-health/g/readyz":{"tcpSocket":{"port":9001,"host":"x"}}}`)},
			wantApps: []corev1.Container{{
				Name:           "g",
				LivenessProbe:  withTiming(agentProbe("/app-health/g/livez", 15020), 4, 0),
				ReadinessProbe: agentProbe("/app-health/g/readyz", 15020),
			}},
		},
		{
			name: "exec probe untouched, unknown named port rewritten but not dumped",
			pod: podOf(nil, []corev1.Container{{
				Name:           "e",
				LivenessProbe:  execProbe(),
				ReadinessProbe: httpProbe("/r", named("nope")),
			}, proxy()}, nil),
			wantEnv: nil,
			wantApps: []corev1.Container{{
				Name:           "e",
				LivenessProbe:  execProbe(),
				ReadinessProbe: agentProbe("/app-health/e/readyz", 15020),
			}},
		},
		{
			name: "lifecycle hooks",
			pod: podOf(nil, []corev1.Container{{Name: "l", Lifecycle: &corev1.Lifecycle{
				PreStop:   &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/stop", Port: num(91), Scheme: corev1.URISchemeHTTPS}},
				PostStart: &corev1.LifecycleHandler{TCPSocket: &corev1.TCPSocketAction{Port: num(93)}},
			}}, proxy()}, nil),
			wantEnv: []corev1.EnvVar{proberEnv(`{"/app-lifecycle/l/poststartz":{"tcpSocket":{"port":93}},` +
				`"/app-lifecycle/l/prestopz":{"httpGet":{"path":"/stop","port":91,"scheme":"HTTPS"}}}`)},
			wantApps: []corev1.Container{{Name: "l", Lifecycle: &corev1.Lifecycle{
				PreStop: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{
					Path: "/app-lifecycle/l/prestopz", Port: num(15020), Scheme: corev1.URISchemeHTTP}},
				PostStart: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{
					Path: "/app-lifecycle/l/poststartz", Port: num(15020)}},
			}}},
		},
	})
}

func TestRewriteContainersAndPorts(t *testing.T) {
	runRewriteCases(t, []rewriteCase{
		{
			name: "several containers, native sidecar in init containers, init container probes too",
			pod: podOf(
				[]corev1.Container{{Name: "istio-init"}, proxy(), {Name: "pre", StartupProbe: tcpProbe(num(70))}},
				[]corev1.Container{
					{Name: "hello", LivenessProbe: httpProbe("", num(80)), ReadinessProbe: httpProbe("", num(3333))},
					{Name: "world", LivenessProbe: httpProbe("", num(90)), StartupProbe: httpProbe("", num(90))},
				}, nil),
			wantEnv: []corev1.EnvVar{proberEnv(`{"/app-health/hello/livez":{"httpGet":{"port":80}},` +
				`"/app-health/hello/readyz":{"httpGet":{"port":3333}},"/app-health/pre/startupz":{"tcpSocket":{"port":70}},` +
				`"/app-health/world/livez":{"httpGet":{"port":90}},"/app-health/world/startupz":{"httpGet":{"port":90}}}`)},
			wantInits: []corev1.Container{{Name: "istio-init"}, {Name: "pre", StartupProbe: agentProbe("/app-health/pre/startupz", 15020)}},
			wantApps: []corev1.Container{
				{Name: "hello", LivenessProbe: agentProbe("/app-health/hello/livez", 15020), ReadinessProbe: agentProbe("/app-health/hello/readyz", 15020)},
				{Name: "world", LivenessProbe: agentProbe("/app-health/world/livez", 15020), StartupProbe: agentProbe("/app-health/world/startupz", 15020)},
			},
		},
		{
			name: "status port annotation moves the probes, mesh port decides what was rewritten",
			pod: podOf(nil, []corev1.Container{{
				Name:           "a",
				LivenessProbe:  httpProbe("/l", num(15020)),
				ReadinessProbe: httpProbe("/r", num(15021)),
			}, proxy()}, map[string]string{StatusPortAnnotation: "15021"}),
			wantEnv: []corev1.EnvVar{proberEnv(`{"/app-health/a/readyz":{"httpGet":{"path":"/r","port":15021}}}`)},
			wantApps: []corev1.Container{{
				Name:           "a",
				LivenessProbe:  agentProbe("/app-health/a/livez", 15021),
				ReadinessProbe: agentProbe("/app-health/a/readyz", 15021),
			}},
		},
		{
			name: "unparsable status port annotation gives port 0",
			pod: podOf(nil, []corev1.Container{{Name: "a", LivenessProbe: httpProbe("/l", num(8080))}, proxy()},
				map[string]string{StatusPortAnnotation: " 15020"}),
			wantEnv:  []corev1.EnvVar{proberEnv(`{"/app-health/a/livez":{"httpGet":{"path":"/l","port":8080}}}`)},
			wantApps: []corev1.Container{{Name: "a", LivenessProbe: agentProbe("/app-health/a/livez", 0)}},
		},
		{
			name:       "other mesh status port",
			statusPort: 15555,
			pod: podOf(nil, []corev1.Container{{Name: "a", LivenessProbe: httpProbe("/l", num(15555)),
				ReadinessProbe: httpProbe("/r", num(15020))}, proxy()}, nil),
			wantEnv: []corev1.EnvVar{proberEnv(`{"/app-health/a/readyz":{"httpGet":{"path":"/r","port":15020}}}`)},
			wantApps: []corev1.Container{{Name: "a", LivenessProbe: agentProbe("/app-health/a/livez", 15555),
				ReadinessProbe: agentProbe("/app-health/a/readyz", 15555)}},
		},
		{
			name: "the rewrite annotation is not looked at by Rewrite",
			pod: podOf(nil, []corev1.Container{{Name: "a", LivenessProbe: tcpProbe(num(1))}, proxy()},
				map[string]string{RewriteAnnotation: "false"}),
			wantEnv:  []corev1.EnvVar{proberEnv(`{"/app-health/a/livez":{"tcpSocket":{"port":1}}}`)},
			wantApps: []corev1.Container{{Name: "a", LivenessProbe: agentProbe("/app-health/a/livez", 15020)}},
		},
	})
}

func TestRewriteReinjection(t *testing.T) {
	existing := `{"/app-health/hello/livez":{"httpGet":{"port":80}},"/app-health/new/livez":{"tcpSocket":{"port":1}}}`
	other := corev1.EnvVar{Name: "OTHER", Value: "x"}
	app := func() corev1.Container {
		return corev1.Container{Name: "new", LivenessProbe: httpProbe("/testLive", num(8008)), ReadinessProbe: httpProbe("/app-health/new/readyz", num(15020))}
	}
	rewritten := []corev1.Container{{Name: "new", LivenessProbe: agentProbe("/app-health/new/livez", 15020), ReadinessProbe: agentProbe("/app-health/new/readyz", 15020)}}
	runRewriteCases(t, []rewriteCase{
		{
			name:       "merged, existing entries win, sorted and re-encoded",
			pod:        podOf(nil, []corev1.Container{proxy(other, proberEnv(existing)), app()}, nil),
			previously: true,
			wantEnv:    []corev1.EnvVar{other, proberEnv(existing)},
			wantApps:   rewritten,
		},
		{
			name: "merge adds new entries and normalises the old document",
			pod: podOf(nil, []corev1.Container{proxy(proberEnv(`{ "/app-health/hello/livez" : {"timeoutSeconds":0,"httpGet":{"port":"http","extra":1}}}`),
				other), app()}, nil),
			previously: true,
			wantEnv: []corev1.EnvVar{proberEnv(`{"/app-health/hello/livez":{"httpGet":{"port":"http"}},` +
				`"/app-health/new/livez":{"httpGet":{"path":"/testLive","port":8008}}}`), other},
			wantApps: rewritten,
		},
		{
			name:       "previously injected without the variable appends",
			pod:        podOf(nil, []corev1.Container{proxy(other), app()}, nil),
			previously: true,
			wantEnv:    []corev1.EnvVar{other, proberEnv(`{"/app-health/new/livez":{"httpGet":{"path":"/testLive","port":8008}}}`)},
			wantApps:   rewritten,
		},
		{
			name:       "not previously injected appends a second variable",
			pod:        podOf(nil, []corev1.Container{proxy(proberEnv(existing)), app()}, nil),
			previously: false,
			wantEnv:    []corev1.EnvVar{proberEnv(existing), proberEnv(`{"/app-health/new/livez":{"httpGet":{"path":"/testLive","port":8008}}}`)},
			wantApps:   rewritten,
		},
		{
			name:       "undecodable existing value is left alone",
			pod:        podOf(nil, []corev1.Container{proxy(proberEnv("not json")), app()}, nil),
			previously: true,
			wantEnv:    []corev1.EnvVar{proberEnv("not json")},
			wantApps:   rewritten,
		},
		{
			name: "merged variable loses valueFrom",
			pod: podOf(nil, []corev1.Container{proxy(corev1.EnvVar{Name: EnvName, Value: "{}",
				ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "x"}}}), app()}, nil),
			previously: true,
			wantEnv:    []corev1.EnvVar{proberEnv(`{"/app-health/new/livez":{"httpGet":{"path":"/testLive","port":8008}}}`)},
			wantApps:   rewritten,
		},
		{
			name:       "nothing new to dump leaves the variable as is",
			pod:        podOf(nil, []corev1.Container{proxy(proberEnv(`{"b":null, "a":null}`)), {Name: "z", LivenessProbe: execProbe()}}, nil),
			previously: true,
			wantEnv:    []corev1.EnvVar{proberEnv(`{"b":null, "a":null}`)},
			wantApps:   []corev1.Container{{Name: "z", LivenessProbe: execProbe()}},
		},
	})
}

func TestRewriteWithoutSidecar(t *testing.T) {
	pod := podOf([]corev1.Container{{Name: "init", StartupProbe: tcpProbe(num(1))}},
		[]corev1.Container{{Name: "a", LivenessProbe: httpProbe("/l", num(8080)), ReadinessProbe: grpcProbe(1, nil)}}, nil)
	want := pod.DeepCopy()
	if err := Rewrite(pod, DefaultStatusPort, false); err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	if !reflect.DeepEqual(pod, want) {
		t.Errorf("pod without istio-proxy changed:\n got  %s\n want %s", js(pod), js(want))
	}
	if err := Rewrite(nil, DefaultStatusPort, false); err == nil {
		t.Error("Rewrite(nil) did not fail")
	}
}

func TestMergeOrAppendEnv(t *testing.T) {
	a := `{"/app-health/a/livez":{"httpGet":{"port":1}}}`
	b := `{"/app-health/b/livez":{"httpGet":{"port":2}}}`
	for _, tc := range []struct {
		name       string
		previously bool
		env        []corev1.EnvVar
		probers    string
		want       []corev1.EnvVar
	}{
		{"append to empty", false, nil, a, []corev1.EnvVar{proberEnv(a)}},
		{"merge", true, []corev1.EnvVar{proberEnv(b)}, a,
			[]corev1.EnvVar{proberEnv(`{"/app-health/a/livez":{"httpGet":{"port":1}},"/app-health/b/livez":{"httpGet":{"port":2}}}`)}},
		{"only the first variable is merged", true, []corev1.EnvVar{proberEnv(b), proberEnv(b)}, a,
			[]corev1.EnvVar{proberEnv(`{"/app-health/a/livez":{"httpGet":{"port":1}},"/app-health/b/livez":{"httpGet":{"port":2}}}`), proberEnv(b)}},
		{"existing null document", true, []corev1.EnvVar{proberEnv("null")}, a, []corev1.EnvVar{proberEnv(a)}},
		{"undecodable new document", true, []corev1.EnvVar{proberEnv(b)}, "{", []corev1.EnvVar{proberEnv(b)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MergeOrAppendEnv(tc.previously, tc.env, tc.probers); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %s\nwant %s", js(got), js(tc.want))
			}
		})
	}
}
