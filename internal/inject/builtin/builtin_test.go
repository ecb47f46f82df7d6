package builtin_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestSourcesParse(t *testing.T) {
	for _, line := range builtin.Supported() {
		t.Run(line, func(t *testing.T) { sourcesParse(t, line) })
	}
}

func sourcesParse(t *testing.T, line string) {
	release := builtin.MustLookup(mustVersion(t, line))
	s, err := inject.NewSettings("", release.Sources(builtin.Options{}), release.Rules, templatefuncs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) > 0 {
		t.Errorf("warnings: %v", s.Warnings)
	}
	if s.Config.Policy != inject.PolicyEnabled {
		t.Errorf("policy %q, want %q", s.Config.Policy, inject.PolicyEnabled)
	}
	if want := []string{inject.SidecarTemplate}; !reflect.DeepEqual(s.Config.DefaultTemplates, want) {
		t.Errorf("default templates %v, want %v", s.Config.DefaultTemplates, want)
	}
	if want := []string{"gateway", "grpc-agent", "grpc-simple", "sidecar"}; !reflect.DeepEqual(s.TemplateNames(), want) {
		t.Errorf("templates %v, want %v", s.TemplateNames(), want)
	}
	if got := s.Mesh.GetTrustDomain(); got != "cluster.local" {
		t.Errorf("trust domain %q, want Istio's default", got)
	}
}

func TestSourcesImages(t *testing.T) {
	tests := []struct {
		opts builtin.Options
		want string
	}{
		{builtin.Options{}, "docker.io/istio/proxyv2:" + builtin.DefaultVersion().String()},
		{builtin.Options{Hub: "registry.example.com/mesh"}, "registry.example.com/mesh/proxyv2:" + builtin.DefaultVersion().String()},
		{builtin.Options{Tag: "1.30.2"}, "docker.io/istio/proxyv2:1.30.2"},
		{builtin.Options{Hub: "gcr.io/istio-release", Tag: "1.31.1-distroless"}, "gcr.io/istio-release/proxyv2:1.31.1-distroless"},
	}
	for _, tt := range tests {
		pod := injectWith(t, "", tt.opts)
		for _, name := range []string{"istio-init", "istio-proxy"} {
			if c := container(pod, name); c == nil || c.Image != tt.want {
				t.Errorf("%+v: %s image %v, want %s", tt.opts, name, c, tt.want)
			}
		}
	}
}

func TestSourcesRevision(t *testing.T) {
	for _, rev := range []string{"", "default"} {
		proxy := container(injectWith(t, "", builtin.Options{Revision: rev}), "istio-proxy")
		if got := env(proxy, "CA_ADDR"); got != "istiod.istio-system.svc:15012" {
			t.Errorf("revision %q: CA_ADDR %q", rev, got)
		}
		if got := env(proxy, "PROXY_CONFIG"); got != "{}\n" {
			t.Errorf("revision %q: PROXY_CONFIG %q", rev, got)
		}
	}
	proxy := container(injectWith(t, "canary", builtin.Options{Revision: "canary"}), "istio-proxy")
	if got := env(proxy, "CA_ADDR"); got != "istiod-canary.istio-system.svc:15012" {
		t.Errorf("CA_ADDR %q", got)
	}
	var pc map[string]any
	if err := json.Unmarshal([]byte(env(proxy, "PROXY_CONFIG")), &pc); err != nil {
		t.Fatal(err)
	}
	if got := pc["discoveryAddress"]; got != "istiod-canary.istio-system.svc:15012" {
		t.Errorf("discovery address %v", got)
	}
}

// TestTemplatesStandAlone checks that each template of each release carries the shared
// blocks, so a user can copy one into a ConfigMap, and parses with the template functions
// of that release's istiod.
func TestTemplatesStandAlone(t *testing.T) {
	for _, line := range builtin.Supported() {
		release := builtin.MustLookup(mustVersion(t, line))
		for name, text := range release.Templates() {
			if strings.Contains(text, `template "proxy.`) && !strings.Contains(text, `define "proxy.plan"`) {
				t.Errorf("%s: template %s lacks the shared blocks", line, name)
			}
			if _, err := templatefuncs.Parse(name, text, templatefuncs.Options{Missing: release.Rules.MissingFuncs}); err != nil {
				t.Errorf("%s: template %s: %v", line, name, err)
			}
		}
	}
}

// injectWith injects the sample pod, with classic sidecars, using only the built-in settings.
func injectWith(t *testing.T, revision string, opts builtin.Options) *corev1.Pod {
	t.Helper()
	release := builtin.MustLookup(builtin.DefaultVersion())
	s, err := inject.NewSettings(revision, release.Sources(opts), release.Rules, templatefuncs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Inject(inject.Request{
		Pod:        samplePod(),
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		DeployMeta: types.NamespacedName{Namespace: "demo", Name: "hello"},
		Variant:    inject.KubeInject,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Pod
}

func container(pod *corev1.Pod, name string) *corev1.Container {
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

func env(c *corev1.Container, name string) string {
	if c == nil {
		return ""
	}
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func TestCheckValues(t *testing.T) {
	tests := []struct {
		values map[string]any
		want   []string
	}{
		{nil, nil},
		{map[string]any{"global": map[string]any{"proxy": map[string]any{"logLevel": "debug",
			"resources": map[string]any{"requests": map[string]any{"ephemeral-storage": "1Gi"}}}},
			"pilot": map[string]any{"env": map[string]any{"ANY": "x"}, "crlConfigMapName": "crl"}}, nil},
		{map[string]any{"global": map[string]any{"proxy": map[string]any{"holdApplicationUntilProxyStarts": true, "lifecycle": map[string]any{"x": 1.0}}}}, nil},
		{map[string]any{"revision": "x", "global": map[string]any{"hub": "h", "tag": "t", "istioNamespace": "n"}},
			[]string{"v.global.hub: set by hub", "v.global.istioNamespace: set by the control-plane namespace", "v.global.tag: set by tag", "v.revision: set by the revision"}},
		{map[string]any{"global": map[string]any{"logAsJson": "yes", "proxy": map[string]any{"statusPort": "15020", "nope": 1.0}}, "extra": true},
			[]string{"v.extra: the injector does not read it", "v.global.logAsJson: expected a boolean, got a string",
				"v.global.proxy.nope: the injector does not read it", "v.global.proxy.statusPort: expected a number, got a string"}},
	}
	for _, tt := range tests {
		errs := builtin.CheckValues(tt.values, "v")
		var got []string
		for _, e := range errs {
			got = append(got, e.Error())
		}
		if len(got) != len(tt.want) {
			t.Errorf("CheckValues(%v) = %q, want %q", tt.values, got, tt.want)
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], tt.want[i]) {
				t.Errorf("CheckValues(%v)[%d] = %q, want %q", tt.values, i, got[i], tt.want[i])
			}
		}
	}
}

// TestSourcesNamespaceAndValues: a control plane outside istio-system and a revision's
// values reach the injected proxy.
func TestSourcesNamespaceAndValues(t *testing.T) {
	opts := builtin.Options{Revision: "canary", Namespace: "mesh-system",
		Values: map[string]any{"global": map[string]any{"proxy": map[string]any{"logLevel": "debug"}}}}
	proxy := container(injectWith(t, "canary", opts), "istio-proxy")
	if got := env(proxy, "CA_ADDR"); got != "istiod-canary.mesh-system.svc:15012" {
		t.Errorf("CA_ADDR %q", got)
	}
	if !slices.Contains(proxy.Args, "--proxyLogLevel=debug") {
		t.Errorf("args %v lack the revision's log level", proxy.Args)
	}
	if opts.Values["global"].(map[string]any)["hub"] != nil {
		t.Error("Sources changed the caller's values")
	}
}

func TestValueKeysAreAccepted(t *testing.T) {
	for _, k := range builtin.ValueKeys() {
		if strings.HasSuffix(k, ".*") {
			continue
		}
		v := map[string]any{}
		cur := v
		parts := strings.Split(k, ".")
		for _, p := range parts[:len(parts)-1] {
			next := map[string]any{}
			cur[p] = next
			cur = next
		}
		cur[parts[len(parts)-1]] = nil // any type: only the path is checked
		if errs := builtin.CheckValues(v, "v"); len(errs) > 0 {
			t.Errorf("documented key %s refused: %v", k, errs)
		}
	}
}
