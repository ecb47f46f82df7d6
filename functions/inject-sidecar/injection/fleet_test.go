package injection

import (
	"os"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/functions/generate-revision/revision"
	"github.com/meshfn/meshfn/internal/krmtest"
)

// mesh is a package under test: its items, as YAML documents.
type mesh struct{ docs []string }

// generate adds what generate-revision generates for a ControlPlaneRevision spec.
func (m *mesh) generate(t *testing.T, spec string) {
	t.Helper()
	in := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n" +
		"  apiVersion: fn.meshfn.dev/v1alpha1\n  kind: ControlPlaneRevision\n  metadata:\n    name: cp\n  spec:\n" + indent(spec, 4)
	out, ok := krmtest.Run(t, revision.Run, []byte(in))
	if !ok {
		t.Fatalf("generate-revision failed:\n%s", out)
	}
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range rl.Items {
		m.docs = append(m.docs, it.String())
	}
}

// namespaceWithApp adds a Namespace with labels and a Deployment "web" in it.
func (m *mesh) namespaceWithApp(name, labels string) {
	ns := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n"
	if labels != "" {
		ns += "  labels:\n" + indent(labels, 4)
	}
	m.docs = append(m.docs, ns, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: "+name+
		"\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: web:1\n")
}

// input is the ResourceList for inject-sidecar with config (SidecarInjection spec lines).
func (m *mesh) input(config string) []byte {
	var sb strings.Builder
	sb.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, d := range m.docs {
		sb.WriteString("- " + strings.ReplaceAll(strings.TrimSpace(d), "\n", "\n  ") + "\n")
	}
	if config == "" {
		config = "{}"
	}
	sb.WriteString("functionConfig:\n  apiVersion: fn.meshfn.dev/v1alpha1\n  kind: SidecarInjection\n  metadata:\n    name: t\n  spec:\n" + indent(config, 4))
	return []byte(sb.String())
}

// webIn returns the YAML of Deployment ns/web in a ResourceList.
func webIn(t *testing.T, out []byte, ns string) string {
	t.Helper()
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range rl.Items {
		if it.GetKind() == "Deployment" && it.GetNamespace() == ns {
			return it.String()
		}
	}
	t.Fatalf("no Deployment in namespace %s", ns)
	return ""
}

func results(t *testing.T, out []byte) fn.Results {
	t.Helper()
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	return rl.Results
}

func twoRevisions(t *testing.T) *mesh {
	m := &mesh{}
	m.generate(t, "revision: asm-1-29\nhub: docker.io/istio\ntag: 1.29.6\n")
	m.generate(t, "revision: asm-1-30\nhub: gcr.io/istio-release\ntag: 1.30.3\nvalues:\n  global:\n    proxy:\n      logLevel: debug\n")
	m.namespaceWithApp("stable", "istio.io/rev: asm-1-29")
	m.namespaceWithApp("canary", "istio.io/rev: asm-1-30")
	m.namespaceWithApp("orphan", "istio.io/rev: asm-1-99")
	m.namespaceWithApp("plain", "")
	return m
}

// TestEachNamespaceGetsItsRevisionsProxy: two revisions with their own proxy images in one
// package; each namespace's workload gets its own revision's image, istiod and status; the
// namespace on a revision nobody serves is not injected and warned about; nothing is assumed.
func TestEachNamespaceGetsItsRevisionsProxy(t *testing.T) {
	out := render(t, twoRevisions(t).input(""))
	want := map[string][]string{
		"stable": {"image: docker.io/istio/proxyv2:1.29.6", "istiod-asm-1-29.istio-system.svc:15012", `"revision":"asm-1-29"`,
			"- --proxyLogLevel=warning"},
		"canary": {"image: gcr.io/istio-release/proxyv2:1.30.3", "istiod-asm-1-30.istio-system.svc:15012", `"revision":"asm-1-30"`,
			"- --proxyLogLevel=debug"},
	}
	for ns, wants := range want {
		w := webIn(t, out, ns)
		for _, s := range wants {
			if !strings.Contains(w, s) {
				t.Errorf("namespace %s: the workload lacks %q:\n%s", ns, s, w)
			}
		}
	}
	for _, ns := range []string{"orphan", "plain"} {
		if w := webIn(t, out, ns); strings.Contains(w, "istio-proxy") {
			t.Errorf("namespace %s: the workload was injected:\n%s", ns, w)
		}
	}
	var warned bool
	for _, r := range results(t, out) {
		if strings.Contains(strings.ToLower(r.Message), "assum") {
			t.Errorf("a result assumes something: %s", r)
		}
		if r.Severity == fn.Warning {
			warned = true
			for _, s := range []string{"namespace orphan", "revision asm-1-99", "the revisions are: asm-1-29, asm-1-30"} {
				if !strings.Contains(r.Message, s) {
					t.Errorf("the warning lacks %q: %s", s, r)
				}
			}
			if r.ResourceRef == nil || r.ResourceRef.Kind != "Namespace" || r.ResourceRef.Name != "orphan" {
				t.Errorf("the warning is not about Namespace orphan: %s", r)
			}
		}
	}
	if !warned {
		t.Errorf("no warning about the namespace on asm-1-99:\n%v", results(t, out))
	}
}

// TestMovingANamespaceBetweenRevisions: moving a namespace to the other revision re-injects
// it with that revision's image; moving it back restores the bytes.
func TestMovingANamespaceBetweenRevisions(t *testing.T) {
	first := render(t, twoRevisions(t).input(""))
	moved := render(t, withNamespace(t, first, "stable", "istio.io/rev: asm-1-29", "istio.io/rev: asm-1-30"))
	w := webIn(t, moved, "stable")
	for _, s := range []string{"image: gcr.io/istio-release/proxyv2:1.30.3", `"revision":"asm-1-30"`, "istiod-asm-1-30.istio-system.svc:15012"} {
		if !strings.Contains(w, s) {
			t.Errorf("after the move the workload lacks %q:\n%s", s, w)
		}
	}
	if strings.Contains(w, "1.29.6") || strings.Contains(w, "asm-1-29") {
		t.Errorf("after the move the workload still refers to asm-1-29:\n%s", w)
	}
	back := render(t, withNamespace(t, moved, "stable", "istio.io/rev: asm-1-30", "istio.io/rev: asm-1-29"))
	if got, want := webIn(t, back, "stable"), webIn(t, first, "stable"); got != want {
		t.Errorf("moving back did not restore the workload:\n%s", krmtest.Diff(want, got))
	}
}

// withNamespace replaces one label line of Namespace name in a ResourceList.
func withNamespace(t *testing.T, rl []byte, name, from, to string) []byte {
	t.Helper()
	s := string(rl)
	at := strings.Index(s, "kind: Namespace\n  metadata:\n    name: "+name+"\n")
	if at < 0 || !strings.Contains(s[at:], from) {
		t.Fatalf("Namespace %s does not carry %q", name, from)
	}
	return []byte(s[:at] + strings.Replace(s[at:], from, to, 1))
}

// TestRevisionFromInjectorConfigMaps: a package that holds a revision's injector
// ConfigMaps but no webhooks injects namespaces on that revision with its settings, beside
// a revision generate-revision generated.
func TestRevisionFromInjectorConfigMaps(t *testing.T) {
	m := &mesh{}
	m.generate(t, "revision: asm-1-29\n")
	settings, err := os.ReadFile("testdata/test-injector.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range strings.Split(stripComments(string(settings)), "\n---\n") {
		if strings.Contains(d, "-canary\n") {
			m.docs = append(m.docs, d)
		}
	}
	m.namespaceWithApp("shop", "istio.io/rev: canary")
	m.namespaceWithApp("stable", "istio.io/rev: asm-1-29")
	out := render(t, m.input(""))
	if w := webIn(t, out, "shop"); !strings.Contains(w, "image: example.io/istio/proxyv2:1.29.6") || !strings.Contains(w, `"revision":"canary"`) {
		t.Errorf("the namespace on canary was not injected with canary's ConfigMaps:\n%s", w)
	}
	if w := webIn(t, out, "stable"); !strings.Contains(w, `"revision":"asm-1-29"`) {
		t.Errorf("the namespace on asm-1-29 was not injected by it:\n%s", w)
	}
}

// TestPodOnUnservedRevision: a pod that selects a revision nobody serves is not injected,
// with a warning on its workload.
func TestPodOnUnservedRevision(t *testing.T) {
	m := &mesh{}
	m.generate(t, "revision: asm-1-29\n")
	m.namespaceWithApp("shop", "")
	in := strings.Replace(string(m.input("")), "app: web", "app: web\n          istio.io/rev: asm-1-30", 1)
	out := render(t, []byte(in))
	var found bool
	for _, r := range results(t, out) {
		if r.Severity == fn.Warning && r.ResourceRef != nil && r.ResourceRef.Kind == "Deployment" &&
			strings.Contains(r.Message, "pod label istio.io/rev=asm-1-30 selects revision asm-1-30, which no control plane in the package serves") {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning on the Deployment:\n%v", results(t, out))
	}
	if w := webIn(t, out, "shop"); strings.Contains(w, "istio-proxy") {
		t.Errorf("the workload was injected:\n%s", w)
	}
}

// TestStandalonePackageAssumesARevision: without any control plane, the configured revision
// is assumed, and the results say so.
func TestStandalonePackageAssumesARevision(t *testing.T) {
	m := &mesh{}
	m.namespaceWithApp("shop", "istio.io/rev: asm-1-29")
	out := render(t, m.input("revision: asm-1-29"))
	if w := webIn(t, out, "shop"); !strings.Contains(w, `"revision":"asm-1-29"`) {
		t.Errorf("not injected by the assumed revision:\n%s", w)
	}
	var said bool
	for _, r := range results(t, out) {
		said = said || strings.Contains(r.Message, "the package holds no control plane (no injection webhooks, RevisionInjector or injector ConfigMap): assuming revision asm-1-29")
	}
	if !said {
		t.Errorf("no result says the revision is assumed:\n%v", results(t, out))
	}
}
