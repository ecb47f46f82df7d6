package templatefuncs

import (
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFormatDuration(t *testing.T) {
	cases := []struct {
		in   *durationpb.Duration
		want string
	}{
		{nil, "0s"},
		{durationpb.New(0), "0s"},
		{durationpb.New(45 * time.Second), "45s"},
		{durationpb.New(90 * time.Second), "1m30s"},
		{durationpb.New(2*time.Hour + 3*time.Millisecond), "2h0m0.003s"},
		{durationpb.New(1500 * time.Microsecond), "1.5ms"},
		{durationpb.New(-5 * time.Second), "-5s"},
	}
	for _, c := range cases {
		if got := formatDuration(c.in); got != c.want {
			t.Errorf("formatDuration(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsset(t *testing.T) {
	m := map[string]string{"a": "", "b": "x"}
	cases := []struct {
		m    map[string]string
		key  string
		want bool
	}{
		{m, "a", true}, // present but empty still counts
		{m, "b", true},
		{m, "c", false},
		{nil, "a", false},
	}
	for _, c := range cases {
		if got := isset(c.m, c.key); got != c.want {
			t.Errorf("isset(%v, %q) = %v, want %v", c.m, c.key, got, c.want)
		}
	}
}

func TestDirectory(t *testing.T) {
	cases := map[string]string{
		"/etc/certs/cert-chain.pem": "/etc/certs/",
		"/etc/certs/":               "/etc/certs/",
		"cert.pem":                  "",
		"":                          "",
		"/root.pem":                 "/",
		"a/b":                       "a/",
		"/var/run//x":               "/var/run//",
	}
	for in, want := range cases {
		if got := directory(in); got != want {
			t.Errorf("directory(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContains(t *testing.T) {
	cases := []struct {
		needle, haystack string
		want             bool
	}{
		{"proxy", "istio-proxy", true},
		{"istio-proxy", "proxy", false},
		{"", "anything", true},
		{"x", "", false},
	}
	for _, c := range cases {
		if got := contains(c.needle, c.haystack); got != c.want {
			t.Errorf("contains(%q, %q) = %v, want %v", c.needle, c.haystack, got, c.want)
		}
	}
}

func TestIndent(t *testing.T) {
	cases := []struct {
		n    int
		in   string
		want string
	}{
		{4, "a", "a"},
		{2, "a\nb", "a\n  b"},
		{2, "a:\n  b: c\n", "a:\n    b: c\n  "},
		{3, "\n\nx", "\n   \n   x"},
		{0, "a\nb", "a\nb"},
		{-2, "a\nb", "a\n  b"},
		{2, "", ""},
		{1, "a\r\nb", "a\r\n b"},
	}
	for _, c := range cases {
		if got := indent(c.n, c.in); got != c.want {
			t.Errorf("indent(%d, %q) = %q, want %q", c.n, c.in, got, c.want)
		}
	}
}

func TestAnnotation(t *testing.T) {
	meta := metav1.ObjectMeta{Annotations: map[string]string{
		"sidecar.istio.io/interceptionMode": "TPROXY",
		"empty":                             "",
	}}
	cases := []struct {
		meta metav1.ObjectMeta
		name string
		def  any
		want string
	}{
		{meta, "sidecar.istio.io/interceptionMode", "REDIRECT", "TPROXY"},
		{meta, "empty", "default", ""},
		{meta, "missing", "REDIRECT", "REDIRECT"},
		{meta, "missing", 15020, "15020"},
		{meta, "missing", true, "true"},
		{meta, "missing", nil, "<nil>"},
		{meta, "missing", []string{"a", "b"}, "[a b]"},
		{metav1.ObjectMeta{}, "missing", 1.5, "1.5"},
	}
	for _, c := range cases {
		if got := annotation(c.meta, c.name, c.def); got != c.want {
			t.Errorf("annotation(%q, %v) = %q, want %q", c.name, c.def, got, c.want)
		}
	}
}

func TestValueOrDefault(t *testing.T) {
	var nilPtr *int
	var nilMap map[string]any
	cases := []struct {
		name    string
		in, def any
		want    any
	}{
		{"nil", nil, "d", "d"},
		{"empty string", "", "d", "d"},
		{"string", "v", "d", "v"},
		{"zero int", 0, "d", 0},
		{"false", false, 7, false},
		{"default of another type", nil, 15020, 15020},
		{"nil map in interface", nilMap, "d", nilMap},
		{"nil pointer in interface", nilPtr, "d", nilPtr},
	}
	for _, c := range cases {
		got := valueOrDefault(c.in, c.def)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: valueOrDefault(%#v, %#v) = %#v, want %#v", c.name, c.in, c.def, got, c.want)
		}
	}
}

func TestAppendMultusNetwork(t *testing.T) {
	cases := []struct {
		name, in, net, want string
	}{
		{"empty", "", "istio-cni", "istio-cni"},
		{"plain one", "macvlan", "istio-cni", "macvlan, istio-cni"},
		{"plain two", "a,b", "istio-cni", "a,b, istio-cni"},
		{"plain present with spaces", "a,  istio-cni ,b", "istio-cni", "a,  istio-cni ,b"},
		{"plain qualified", "a", "kube-system/istio-cni", "a, kube-system/istio-cni"},
		{"json one", `[{"name":"a"}]`, "istio-cni", `[{"name":"a"}, {"name": "istio-cni"}]`},
		{"json empty list", `[]`, "istio-cni", `[, {"name": "istio-cni"}]`},
		{"json trailing space", `[{"name":"a"}] `, "istio-cni", `[{"name":"a"}, {"name": "istio-cni"}] `},
		{"json multiline", "[\n  {\"name\": \"a\"}\n  ]", "istio-cni",
			"[\n  {\"name\": \"a\"}\n  , {\"name\": \"istio-cni\"}]"},
		{"json present", `[{"name":"istio-cni","x":1}]`, "istio-cni", `[{"name":"istio-cni","x":1}]`},
		{"json present other namespace", `[{"name":"istio-cni","namespace":"ns"}]`, "istio-cni",
			`[{"name":"istio-cni","namespace":"ns"}, {"name": "istio-cni"}]`},
		{"json qualified present", `[{"name":"istio-cni","namespace":"kube-system"}]`, "kube-system/istio-cni",
			`[{"name":"istio-cni","namespace":"kube-system"}]`},
		{"json qualified absent", `[{"name":"istio-cni"}]`, "kube-system/istio-cni",
			`[{"name":"istio-cni"}, {"name": "istio-cni", "namespace": "kube-system"}]`},
		{"json extra slash dropped", `[]`, "a/b/c", `[, {"name": "b", "namespace": "a"}]`},
		{"json null entry", `[null]`, "istio-cni", `[null, {"name": "istio-cni"}]`},
		{"invalid json kept", `[{"name":"a"},]`, "istio-cni", `[{"name":"a"},]`},
		{"json object kept", `{"name":"a","x":[1]}`, "istio-cni", `{"name":"a","x":[1]}`},
	}
	for _, c := range cases {
		got := appendMultusNetwork(c.in, c.net)
		if got != c.want {
			t.Errorf("%s: appendMultusNetwork(%q, %q) = %q, want %q", c.name, c.in, c.net, got, c.want)
			continue
		}
		if c.name == "json empty list" || c.name == "json extra slash dropped" {
			continue // the splice made invalid JSON; not idempotent, as in Istio
		}
		if again := appendMultusNetwork(got, c.net); again != got {
			t.Errorf("%s: not idempotent: %q then %q", c.name, got, again)
		}
	}
}

func TestOmit(t *testing.T) {
	in := map[string]string{"a": "1", "b": "2", "c": "3"}
	cases := []struct {
		name string
		in   map[string]string
		keys []string
		want map[string]string
	}{
		{"none", in, nil, map[string]string{"a": "1", "b": "2", "c": "3"}},
		{"some", in, []string{"a", "c", "zz"}, map[string]string{"b": "2"}},
		{"all", in, []string{"a", "b", "c"}, map[string]string{}},
		{"nil map", nil, []string{"a"}, map[string]string{}},
	}
	for _, c := range cases {
		got := omit(c.in, c.keys...)
		if got == nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: omit = %#v, want %#v", c.name, got, c.want)
		}
	}
	if len(in) != 3 {
		t.Errorf("omit modified its input: %v", in)
	}
}

func TestStrdict(t *testing.T) {
	cases := []struct {
		in   []string
		want map[string]string
	}{
		{nil, map[string]string{}},
		{[]string{"a", "1", "b", "2"}, map[string]string{"a": "1", "b": "2"}},
		{[]string{"a", "1", "b"}, map[string]string{"a": "1", "b": ""}},
		{[]string{"a", "1", "a", "2"}, map[string]string{"a": "2"}},
	}
	for _, c := range cases {
		got := strdict(c.in...)
		if got == nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("strdict(%q) = %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestMergeMaps(t *testing.T) {
	if got := mergeMaps(); got != nil {
		t.Errorf("mergeMaps() = %#v, want nil", got)
	}
	cases := []struct {
		in   []map[string]string
		want map[string]string
	}{
		{[]map[string]string{nil}, map[string]string{}},
		{[]map[string]string{nil, nil}, map[string]string{}},
		{[]map[string]string{{"a": "1"}, {"b": "2"}}, map[string]string{"a": "1", "b": "2"}},
		{[]map[string]string{{"a": "1", "b": "1"}, nil, {"b": "2"}, {"b": "3"}}, map[string]string{"a": "1", "b": "3"}},
	}
	for _, c := range cases {
		got := mergeMaps(c.in...)
		if got == nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("mergeMaps(%v) = %#v, want %#v", c.in, got, c.want)
		}
	}
}
