package templatefuncs

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// istioHelpers are the names of Istio's injection template functions.
var istioHelpers = []string{
	"formatDuration", "isset", "excludeInboundPort", "includeInboundPorts",
	"kubevirtInterfaces", "excludeInterfaces", "applicationPorts", "annotation",
	"valueOrDefault", "toJSON", "fromJSON", "structToJSON", "protoToJSON", "toYaml",
	"indent", "directory", "contains", "toLower", "appendMultusNetwork", "env",
	"omit", "strdict", "toJsonMap", "mergeMaps", "omitNil", "otelResourceAttributes",
}

func TestFuncMapHasIstioHelpersAndSprig(t *testing.T) {
	fm := FuncMap(Options{})
	for _, name := range istioHelpers {
		if fm[name] == nil {
			t.Errorf("FuncMap lacks Istio helper %q", name)
		}
	}
	for _, name := range []string{"nindent", "default", "dict", "toJson", "quote", "hasKey", "trimSuffix", "b64enc"} {
		if fm[name] == nil {
			t.Errorf("FuncMap lacks sprig function %q", name)
		}
	}
}

// templateData has the shape and field types of Istio's injection template data
// for the fields these tests use.
type templateData struct {
	ObjectMeta  metav1.ObjectMeta
	Spec        corev1.PodSpec
	ProxyConfig *meshv1.ProxyConfig
	MeshConfig  *meshv1.MeshConfig
	Values      map[string]any
}

func render(t *testing.T, opts Options, text string, data any) string {
	t.Helper()
	tmpl, err := Parse("test", text, opts)
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatalf("Execute(%q): %v", text, err)
	}
	return b.String()
}

func TestFuncMapInTemplates(t *testing.T) {
	data := templateData{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:   "shop",
			Annotations: map[string]string{"sidecar.istio.io/interceptionMode": "TPROXY", "x": "1"},
			Labels:      map[string]string{"app": "web"},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "web", Image: "web:2.0", Ports: []corev1.ContainerPort{{ContainerPort: 8080}, {ContainerPort: 53, Protocol: "UDP"}}},
			{Name: "istio-proxy", Ports: []corev1.ContainerPort{{ContainerPort: 15090}}},
		}},
		ProxyConfig: &meshv1.ProxyConfig{DrainDuration: durationpb.New(23 * time.Second), StatusPort: 15021},
		MeshConfig:  otelMesh(meshv1.MeshConfig_ExtensionProvider_OTEL_SEMANTIC_CONVENTIONS),
		Values: map[string]any{"global": map[string]any{"proxy": map[string]any{
			"resources":           map[string]any{"limits": map[string]any{"cpu": nil, "memory": "1Gi"}},
			"excludeInboundPorts": "",
			"statusPort":          15020.0,
		}}},
	}
	cases := []struct{ text, want string }{
		{`{{ annotation .ObjectMeta "sidecar.istio.io/interceptionMode" "REDIRECT" }}`, "TPROXY"},
		{`{{ annotation .ObjectMeta "missing" .Values.global.proxy.statusPort }}`, "15020"},
		{`{{ isset .ObjectMeta.Annotations "x" }} {{ isset .ObjectMeta.Annotations "y" }}`, "true false"},
		{`{{ includeInboundPorts .Spec.Containers }}|{{ applicationPorts .Spec.Containers }}`, "8080,15090|8080"},
		{`{{ excludeInboundPort (annotation .ObjectMeta "status.sidecar.istio.io/port" .Values.global.proxy.statusPort) .Values.global.proxy.excludeInboundPorts }}`, "15020"},
		{`{{ formatDuration .ProxyConfig.DrainDuration }} {{ formatDuration .ProxyConfig.TerminationDrainDuration }}`, "23s 0s"},
		{`{{ protoToJSON .ProxyConfig }}`, `{"drainDuration":"23s","statusPort":15021}`},
		{`{{ toJSON .ObjectMeta.Labels }} {{ toJsonMap .ObjectMeta.Labels (strdict "b" "2") }}`, `{"app":"web"} {"app":"web","b":"2"}`},
		{`{{ toJsonMap (omit .ObjectMeta.Annotations "x") }}`, `{"sidecar.istio.io/interceptionMode":"TPROXY"}`},
		{"x:\n  {{ toYaml (omitNil .Values.global.proxy.resources) | indent 2 }}", "x:\n  limits:\n    memory: 1Gi\n  "},
		{"x:{{ toYaml .Values.global.proxy.resources.limits | nindent 2 }}", "x:\n  cpu: null\n  memory: 1Gi\n  "},
		{`{{ valueOrDefault .Values.global.proxy.excludeInboundPorts "none" }}`, "none"},
		{`{{ valueOrDefault .Values.global.proxy.missing "none" }}`, "none"},
		{`{{ "/etc/certs/root.pem" | directory }}`, "/etc/certs/"},
		{`{{ "istio-proxy" | contains "proxy" }} {{ contains "web" "proxy" }}`, "true false"},
		{`{{ toLower "TPROXY" }}`, "tproxy"},
		{`{{ appendMultusNetwork "a" "istio-cni" }}`, "a, istio-cni"},
		{`{{ (fromJSON "{\"a\":[1,2]}").a }}`, "[1 2]"},
		{`{{ structToJSON .Values.global.proxy.resources }}`, `{"limits":{"cpu":null,"memory":"1Gi"}}`},
		{`{{ toJSON (mergeMaps .ObjectMeta.Labels (dict "a" "b" | toJson | fromJSON | toYaml | strdict "k")) }}`, `{"app":"web","k":"a: b\n"}`},
		{`{{ kubevirtInterfaces "net1" }}{{ excludeInterfaces "" }}`, "net1"},
		{`{{ otelResourceAttributes .MeshConfig .ObjectMeta.Annotations .ObjectMeta.Labels .ObjectMeta.Namespace .Spec.Containers }}`,
			"service.namespace=shop,service.instance.id=shop.$(POD_NAME).web"},
	}
	for _, c := range cases {
		if got := render(t, Options{}, c.text, data); got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.text, got, c.want)
		}
	}
}

func TestEnvComesFromOptions(t *testing.T) {
	t.Setenv("MESHFN_TEMPLATEFUNCS_PROCESS_ONLY", "leaked")
	opts := Options{Env: map[string]string{"SET": "value", "EMPTY": "", "PATHY": "/x"}}
	cases := []struct{ text, want string }{
		{`{{ env "SET" "def" }}`, "value"},
		{`{{ env "EMPTY" "def" }}`, "def"},
		{`{{ env "MISSING" "def" }}`, "def"},
		{`{{ env "MESHFN_TEMPLATEFUNCS_PROCESS_ONLY" "def" }}`, "def"},
		{`{{ expandenv "$SET:${PATHY}:$MESHFN_TEMPLATEFUNCS_PROCESS_ONLY:" }}`, "value:/x::"},
	}
	for _, c := range cases {
		if got := render(t, opts, c.text, nil); got != c.want {
			t.Errorf("%s = %q, want %q", c.text, got, c.want)
		}
	}
	if got := render(t, Options{}, `{{ env "SET" "d" }}`, nil); got != "d" {
		t.Errorf("env with nil Options.Env = %q, want the default", got)
	}
}

func TestIstioHelpersOverrideSprig(t *testing.T) {
	// sprig's indent would also pad the first line.
	if got := render(t, Options{}, `{{ "a\nb" | indent 2 }}`, nil); got != "a\n  b" {
		t.Errorf("indent = %q, want Istio's first-line-unpadded form", got)
	}
	// sprig's nindent is kept and pads every line after a leading newline.
	if got := render(t, Options{}, `{{ "a\nb" | nindent 2 }}`, nil); got != "\n  a\n  b" {
		t.Errorf("nindent = %q", got)
	}
}

func TestParse(t *testing.T) {
	tmpl, err := Parse("sidecar", `{{ define "x" }}y{{ end }}{{ template "x" }}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.Name() != "sidecar" {
		t.Errorf("template name = %q, want sidecar", tmpl.Name())
	}
	_, err = Parse("bad", `{{ noSuchFunction 1 }}`, Options{})
	if err == nil || !strings.Contains(err.Error(), `"noSuchFunction" not defined`) {
		t.Errorf("Parse with an unknown function: err = %v", err)
	}
	if _, err := Parse("bad", `{{ if }}`, Options{}); err == nil {
		t.Error("Parse accepted a malformed template")
	}
}
