package injection

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/controlplane"
	"github.com/meshfn/meshfn/internal/krmtest"
)

// revisionWebhooks renders the webhook configurations generate-revision generates.
func revisionWebhooks(t *testing.T, spec controlplane.Spec) []string {
	t.Helper()
	spec.Default()
	var out []string
	for _, obj := range controlplane.Objects(spec) {
		if obj.GetKind() == "MutatingWebhookConfiguration" {
			out = append(out, obj.MustString())
		}
	}
	return out
}

func strp(s string) *string { return &s }

// packageWith builds a ResourceList of the test injectors, the webhooks of the default
// revision, of canary (tagged prod) and of strict, a Namespace, and a Deployment.
func packageWith(t *testing.T, webhooks []string, namespace, podLabels, podAnnotations, extraSpec, config string) []byte {
	t.Helper()
	settings, err := os.ReadFile("testdata/test-injector.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(string(settings), "\n---\n")
	docs = append(docs, webhooks...)
	if namespace != "" {
		docs = append(docs, namespace)
	}
	docs = append(docs, fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels:
        app: web
%s      annotations:
        note: kept
%s    spec:
%s      containers:
      - name: web
        image: web:1
`, indent(podLabels, 8), indent(podAnnotations, 8), indent(extraSpec, 6)))
	var sb strings.Builder
	sb.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, d := range docs {
		d = strings.TrimSpace(stripComments(d))
		if d == "" {
			continue
		}
		sb.WriteString("- " + strings.ReplaceAll(d, "\n", "\n  ") + "\n")
	}
	sb.WriteString("functionConfig:\n  apiVersion: fn.meshfn.dev/v1alpha1\n  kind: SidecarInjection\n  metadata:\n    name: t\n  spec:\n")
	if config == "" {
		config = "mode: webhook"
	}
	sb.WriteString(indent(config, 4))
	return []byte(sb.String())
}

func stripComments(doc string) string {
	var out []string
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func indent(s string, n int) string {
	if s == "" {
		return ""
	}
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func namespace(labels string) string {
	if labels == "" {
		return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
	}
	return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n" + indent(labels, 4)
}

// deploymentResult returns the result message about Deployment shop/web and whether the
// function succeeded.
func deploymentResult(t *testing.T, input []byte) (string, bool, *fn.ResourceList) {
	t.Helper()
	out, ok := krmtest.Run(t, Run, input)
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rl.Results {
		if r.ResourceRef != nil && r.ResourceRef.Kind == "Deployment" {
			return r.Message, ok, rl
		}
	}
	return "", ok, rl
}

// TestWebhookPolicy covers the injection policy of Istio's documentation (namespace
// istio-injection and istio.io/rev labels, pod sidecar.istio.io/inject and istio.io/rev
// labels, precedence, revision tags) and the injector's own policy (neverInjectSelector,
// alwaysInjectSelector, policy disabled, host networking, ignored namespaces).
func TestWebhookPolicy(t *testing.T) {
	all := append(append(revisionWebhooks(t, controlplane.Spec{Revision: strp("default")}),
		revisionWebhooks(t, controlplane.Spec{Revision: strp("canary"), Tags: []string{"prod"}})...),
		revisionWebhooks(t, controlplane.Spec{Revision: strp("strict")})...)
	tests := []struct {
		name                        string
		nsLabels, podLabels, podAnn string
		extraSpec                   string
		want                        string
	}{
		{name: "namespace enabled", nsLabels: "istio-injection: enabled", want: "injected by revision default"},
		{name: "namespace enabled, pod opts out", nsLabels: "istio-injection: enabled", podLabels: "sidecar.istio.io/inject: \"false\"",
			want: "skipped: no injection webhook selects it"},
		{name: "namespace disabled, pod opts in", nsLabels: "istio-injection: disabled", podLabels: "sidecar.istio.io/inject: \"true\"",
			want: "skipped: no injection webhook selects it"},
		{name: "no namespace label, pod opts in", podLabels: "sidecar.istio.io/inject: \"true\"", want: "injected by revision default"},
		{name: "no labels at all", want: "skipped: no injection webhook selects it (namespace shop labels {kubernetes.io/metadata.name=shop}"},
		{name: "namespace on revision", nsLabels: "istio.io/rev: canary", want: "injected by revision canary"},
		{name: "istio-injection wins over istio.io/rev", nsLabels: "istio.io/rev: canary\nistio-injection: enabled", want: "injected by revision default"},
		{name: "namespace on revision, pod opts out", nsLabels: "istio.io/rev: canary", podLabels: "sidecar.istio.io/inject: \"false\"",
			want: "skipped: no injection webhook selects it"},
		{name: "pod on revision", podLabels: "istio.io/rev: canary", want: "injected by revision canary"},
		{name: "pod on revision and opting in", podLabels: "istio.io/rev: canary\nsidecar.istio.io/inject: \"true\"", want: "injected by revision canary"},
		{name: "namespace label wins over pod revision", nsLabels: "istio.io/rev: canary", podLabels: "istio.io/rev: strict",
			want: "injected by revision canary"},
		{name: "revision tag", nsLabels: "istio.io/rev: prod", want: "injected by revision canary"},
		{name: "namespace on the default revision", nsLabels: "istio.io/rev: default", want: "injected by revision default"},
		{name: "unknown revision", nsLabels: "istio.io/rev: nope",
			want: "skipped: its namespace label istio.io/rev=nope selects revision nope, which no control plane in the package serves (the revisions are: default, canary, strict, prod (tag of canary))"},
		{name: "neverInjectSelector", nsLabels: "istio-injection: enabled", podLabels: "batch: \"true\"",
			want: "skipped: pod labels match the injector's neverInjectSelector batch=true"},
		{name: "pod label beats neverInjectSelector", nsLabels: "istio.io/rev: default", podLabels: "batch: \"true\"\nsidecar.istio.io/inject: \"true\"",
			want: "injected by revision default"},
		{name: "pod annotation opts out", nsLabels: "istio-injection: enabled", podAnn: "sidecar.istio.io/inject: \"false\"",
			want: "skipped: pod annotation sidecar.istio.io/inject=false"},
		{name: "policy disabled", nsLabels: "istio.io/rev: strict", want: "skipped: the injector's policy is disabled"},
		{name: "policy disabled, alwaysInjectSelector", nsLabels: "istio.io/rev: strict", podLabels: "mesh: forced", want: "injected by revision strict"},
		{name: "policy disabled, pod opts in", podLabels: "istio.io/rev: strict\nsidecar.istio.io/inject: \"true\"", want: "injected by revision strict"},
		{name: "host network", nsLabels: "istio-injection: enabled", extraSpec: "hostNetwork: true", want: "skipped: the pod uses host networking"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, ok, _ := deploymentResult(t, packageWith(t, all, namespace(tt.nsLabels), tt.podLabels, tt.podAnn, tt.extraSpec, ""))
			if !ok {
				t.Fatalf("function failed: %s", msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("result %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}

func TestIgnoredNamespace(t *testing.T) {
	ns := strings.ReplaceAll(namespace("istio-injection: enabled"), "name: shop", "name: kube-system")
	in := strings.ReplaceAll(string(packageWith(t, revisionWebhooks(t, controlplane.Spec{Revision: strp("default")}), ns, "", "", "", "")),
		"namespace: shop", "namespace: kube-system")
	msg, ok, _ := deploymentResult(t, []byte(in))
	if !ok || !strings.Contains(msg, "skipped: namespace kube-system is never injected") {
		t.Errorf("ok=%v result %q", ok, msg)
	}
}

func TestNamespacesByDefault(t *testing.T) {
	hooks := revisionWebhooks(t, controlplane.Spec{Revision: strp("default"), EnableNamespacesByDefault: true})
	msg, ok, _ := deploymentResult(t, packageWith(t, hooks, namespace(""), "", "", "", ""))
	if !ok || !strings.Contains(msg, "injected by revision default") {
		t.Errorf("an unlabelled namespace with enableNamespacesByDefault: ok=%v result %q", ok, msg)
	}
	msg, _, _ = deploymentResult(t, packageWith(t, hooks, namespace(""), "sidecar.istio.io/inject: \"false\"", "", "", ""))
	if !strings.Contains(msg, "skipped") {
		t.Errorf("opted-out pod: result %q", msg)
	}
}

func TestNamespaceOutsideThePackage(t *testing.T) {
	hooks := revisionWebhooks(t, controlplane.Spec{Revision: strp("canary")})
	cfg := "namespaces:\n- name: shop\n  labels:\n    istio.io/rev: canary\n"
	msg, ok, _ := deploymentResult(t, packageWith(t, hooks, "", "", "", "", cfg))
	if !ok || !strings.Contains(msg, "injected by revision canary") {
		t.Errorf("ok=%v result %q", ok, msg)
	}
}

// TestNoWebhooksInPackage: a revision the package holds injector ConfigMaps for, but no
// webhooks, gets the webhooks Istio installs for it, and a result says so.
func TestNoWebhooksInPackage(t *testing.T) {
	msg, ok, rl := deploymentResult(t, packageWith(t, nil, namespace("istio.io/rev: canary"), "", "", "", ""))
	if !ok || !strings.Contains(msg, "injected by revision canary") {
		t.Errorf("ok=%v result %q", ok, msg)
	}
	found := false
	for _, r := range rl.Results {
		found = found || strings.Contains(r.Message, "revision canary: the package holds no MutatingWebhookConfiguration for it; using the webhooks Istio installs for it")
	}
	if !found {
		t.Errorf("no result says which webhooks were assumed: %v", rl.Results)
	}
}

func TestTwoRevisionsSelectingOnePodIsAnError(t *testing.T) {
	hooks := append(revisionWebhooks(t, controlplane.Spec{Revision: strp("default")}),
		revisionWebhooks(t, controlplane.Spec{Revision: strp("canary"), Tags: []string{"default"}})...)
	msg, ok, _ := deploymentResult(t, packageWith(t, hooks, namespace("istio-injection: enabled"), "", "", "", ""))
	if ok || !strings.Contains(msg, "the webhooks of revisions default and canary all select it") {
		t.Errorf("ok=%v result %q", ok, msg)
	}
}

// TestBuiltinInjector: a revision without injector ConfigMaps in the package is injected
// by the built-in injector, pointed at that revision's istiod, with the configured image.
func TestBuiltinInjector(t *testing.T) {
	hooks := revisionWebhooks(t, controlplane.Spec{Revision: strp("other")})
	in := packageWith(t, hooks, namespace("istio.io/rev: other"), "", "", "", "hub: registry.example.com/istio\ntag: 1.31.2")
	msg, ok, _ := deploymentResult(t, in)
	if !ok || !strings.Contains(msg, "injected by revision other") {
		t.Fatalf("ok=%v result %q", ok, msg)
	}
	d := deployment(t, render(t, in))
	for _, want := range []string{"image: registry.example.com/istio/proxyv2:1.31.2", "istiod-other.istio-system.svc:15012"} {
		if !strings.Contains(d, want) {
			t.Errorf("built-in injection lacks %q:\n%s", want, d)
		}
	}
}

func TestModeAlways(t *testing.T) {
	msg, ok, _ := deploymentResult(t, packageWith(t, nil, namespace(""), "", "", "", "mode: always\nrevision: canary"))
	if !ok || !strings.Contains(msg, "injected by revision canary") {
		t.Errorf("ok=%v result %q", ok, msg)
	}
	msg, _, _ = deploymentResult(t, packageWith(t, nil, namespace(""), "sidecar.istio.io/inject: \"false\"", "", "", "mode: always"))
	if !strings.Contains(msg, "skipped: pod label sidecar.istio.io/inject=false") {
		t.Errorf("opted-out pod in mode always: %q", msg)
	}
}
