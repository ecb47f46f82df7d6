package inject

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

// FuzzParseOverlay checks that a rendered template reads as Istio reads it
// (sigs.k8s.io/yaml into a map): the same values, or an error for both.
func FuzzParseOverlay(f *testing.F) {
	for _, seed := range []string{
		"spec:\n  containers:\n  - name: istio-proxy\n    image: \"x:1\"\n    args: [\"a\", 1, true]\n",
		"metadata:\n  labels: {a: b, 'c': \"d\"}\n  annotations:\n    yes: on\n    1: 0755\n",
		"spec:\n  volumes:\n  - name: v\n    emptyDir: {}\n    x: ~\n    y: 1e3\n    z: .inf\n",
		"a: |\n  text\n  more\nb: >-\n  folded\n  line\n", "- a\n- b\n", "", "null", "a: &x 1\nb: *x\n",
		"a: \"\\u00e9\\n\\t\"\nb: 'it''s'\n", "a: 0x1F\nb: 0b101\nc: -0b11\nd: 1_000\ne: 2001-12-14\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := parseOverlay([]byte(text))
		var want map[string]any
		wantErr := sigsyaml.Unmarshal([]byte(text), &want)
		if wantErr == nil && want == nil {
			want = map[string]any{}
		}
		if err == nil && wantErr != nil && strings.Contains(wantErr.Error(), "unsupported map key") {
			return // parseOverlay reads a null key as "null", where Istio fails
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: parseOverlay: %v; sigs.k8s.io/yaml: %v", text, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nparseOverlay:     %#v\nsigs.k8s.io/yaml: %#v", text, got, want)
		}
	})
}

// FuzzReadOverlay checks readOverlay against the full decode: where it reads a text, it
// gives the same values, and it reads no text the decode refuses.
func FuzzReadOverlay(f *testing.F) {
	for _, seed := range []string{
		"metadata:\n  labels:\n    a: \"b\"\n  annotations: {}\nspec:\n  containers:\n  - name: x\n    args:\n    - --domain\n    - \"$(X).svc\"\n" +
			"    - \"15090,15021\"\n    ports:\n    - containerPort: 15090\n      protocol: TCP\n    resources: {\"limits\":{\"cpu\":\"2000m\"}}\n" +
			"    env:\n    - name: A\n      value: \"[\\n    {\\\"p\\\":1}\\n]\"\n    - name: B\n      valueFrom:\n        fieldRef:\n          fieldPath: x\n",
		"a: [1, 'two', \"three\", yes, ~, -4, {b: c}]\nb: -x\n# comment\nc:\n-\n- - d\n  - e\n-   f: g\n    h: null\n",
		"a: {x:y}\nb: {\"k\":v}\nc: 'it''s'\nd: \"\\u00e9\\t\"\ne: 007\nf: 1.5\ng: on\nh: 2001-12-14\n", "a: b: c\n", "a:\n  b\n", "- a\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, ok := readOverlay([]byte(text))
		if !ok || countValues(got, 2*len(text)+2) > 2*len(text)+1 {
			return // parseOverlay leaves it to the decode
		}
		want, err := decodeOverlay([]byte(text))
		if err != nil {
			t.Fatalf("%q: readOverlay read %#v, the decode fails: %v", text, got, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nreadOverlay: %#v\ndecode:      %#v", text, got, want)
		}
	})
}

// fuzzTemplate renders what the pod's annotations select, so that the injection of a pod
// with arbitrary annotations goes through every stage.
const fuzzTemplate = `metadata:
  annotations:
    seen: {{ toJSON .ObjectMeta.Annotations | quote }}
spec:
  containers:
  - name: istio-proxy
    image: "{{ .ProxyImage }}"
    env:
    - name: ENVOY_SECURE_MERGED_METRICS_PORT
      value: "{{ annotation .ObjectMeta "example.com/secure-port" "0" }}"
  {{- if eq (annotation .ObjectMeta "example.com/init" "") "yes" }}
  initContainers:
  - name: istio-init
    image: "{{ .ProxyInitImage }}"
    args: ["-u", "1337"]
  {{- end }}
`

// FuzzPodAnnotations injects a pod carrying arbitrary values in every annotation the
// engine reads itself (status, overrides, Prometheus, native sidecar, templates, image
// type, proxy config): injection fails or succeeds, never panics, and leaves the request's
// pod as it was.
func FuzzPodAnnotations(f *testing.F) {
	f.Add(`{"containers":["istio-proxy"],"initContainers":["istio-init"]}`, `{"containers":[{"name":"istio-proxy","image":"auto"}]}`,
		"true", "9090", "/metrics", "9090:/m, 9091", "true", "sidecar", "distroless", "holdApplicationUntilProxyStarts: true")
	f.Add("{", "[", "no", "15020", "", ":", "maybe", "sidecar,sidecar", "debug", "concurrency: x")
	s, err := NewSettings("", Sources{Config: "policy: enabled\ntemplates:\n  sidecar: |\n" + indent(fuzzTemplate)},
		newestRules, templatefuncs.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status, overrides, scrape, port, path, targets, native, templates, imageType, proxyConfig string) {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p", Labels: map[string]string{"app": "p"}, Annotations: map[string]string{
				"sidecar.istio.io/status": status, "proxy.istio.io/overrides": overrides,
				"prometheus.io/scrape": scrape, "prometheus.io.port": port, "prometheus-io/path": path,
				"prometheus.istio.io/scrape-targets": targets, "sidecar.istio.io/nativeSidecar": native,
				"inject.istio.io/templates": templates, "sidecar.istio.io/proxyImageType": imageType,
				"proxy.istio.io/config": proxyConfig, "example.com/init": "yes", "example.com/secure-port": port,
			}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{
				{Name: "app", Image: "app:1", ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
					HTTPGet: &corev1.HTTPGetAction{Path: "/ready"}}}},
				{Name: "istio-proxy", Image: "auto"},
			}},
		}
		before := pod.DeepCopy()
		for _, v := range []Variant{Webhook, KubeInject} {
			res, err := s.Inject(Request{Pod: pod, Namespace: "ns", Variant: v, NativeSidecars: len(port)%2 == 0})
			if err == nil && res.Pod == nil {
				t.Fatalf("%s: no error and no pod", v.Name)
			}
			if !reflect.DeepEqual(pod, before) {
				t.Fatalf("%s: injection changed the request's pod", v.Name)
			}
		}
	})
}

func indent(s string) string {
	out := "    "
	for _, r := range s {
		out += string(r)
		if r == '\n' {
			out += "    "
		}
	}
	return out
}

// TestReadOverlayReadsRenderedTemplates: readOverlay reads every template the stage cases
// render (the built-in ones and custom ones), as the full decode does.
func TestReadOverlayReadsRenderedTemplates(t *testing.T) {
	files, err := filepath.Glob("testdata/stages/*/*-rendered-*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rendered templates under testdata/stages (%v)", err)
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := readOverlay(text)
		want, err := decodeOverlay(text)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("%s: readOverlay leaves it to the full decode", f)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: readOverlay differs from the full decode", f)
		}
	}
}

// TestFieldNamesArePlainStrings: a key readOverlay finds among fieldNames is taken as
// itself, as YAML reads it (no number, bool, null or merge key), whether plain or quoted.
func TestFieldNamesArePlainStrings(t *testing.T) {
	if len(fieldNames) < 100 {
		t.Fatalf("only %d field names", len(fieldNames))
	}
	for name := range fieldNames {
		want := map[string]any{name: "v"}
		for _, text := range []string{name + ": v\n", "'" + name + "': v\n"} {
			got, err := decodeOverlay([]byte(text))
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%q decodes to %#v (%v)", text, got, err)
			}
			if got, ok := readOverlay([]byte(text)); !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("readOverlay(%q) = %#v, %v", text, got, ok)
			}
		}
	}
}
