package builtin_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/functions/inject-sidecar/injection"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// How many cases of Istio's corpus must come out as Istio's, per group (see caseGroup).
// They are the results reached: fewer is a regression.
var minPassing = map[string]int{
	groupSidecar:      115,
	groupGateway:      3,
	groupUserTemplate: 2,
}

// minPassingBuiltinSettings is how many of the default-settings cases the built-in
// settings alone reproduce (all of them).
const minPassingBuiltinSettings = 82

// Groups of corpus cases, by the templates the pods select.
const (
	groupSidecar      = "sidecar"              // no inject.istio.io/templates, or only sidecar
	groupGateway      = "gateway"              // gateway (with sidecar at most)
	groupUserTemplate = "sidecar+user"         // a built-in template with one from values.sidecarInjectorWebhook.templates
	groupOther        = "other Istio template" // grpc-agent, waypoint, ...: not measured
)

// corpusDir locates Istio's injection corpus: MESHFN_ISTIO_CORPUS, or shared/ beside the
// repository.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MESHFN_ISTIO_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "istio-inject-corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "cases")); err != nil {
		t.Skipf("Istio's injection corpus is not at %s (set MESHFN_ISTIO_CORPUS): %v", dir, err)
	}
	return dir
}

// corpusCase is a case.yaml of the corpus, and where the case lives.
type corpusCase struct {
	Name           string            `json:"name"`
	Settings       string            `json:"settings"`
	Revision       string            `json:"revision"`
	NativeSidecars bool              `json:"nativeSidecars"`
	ExpectedError  string            `json:"expectedError"`
	Environment    map[string]string `json:"environment"`

	dir string
}

// TestCorpusWithBuiltinTemplates renders Istio's corpus with the built-in templates in
// place of Istio's, keeping each case's policy, values and mesh config, and reports how
// many cases come out as Istio's.
func TestCorpusWithBuiltinTemplates(t *testing.T) {
	corpus := corpusDir(t)
	passed := map[string][]string{}
	failed := map[string][]string{}
	for _, c := range corpusCases(t, corpus) {
		group := caseGroup(t, corpus, c)
		if group == groupOther {
			continue
		}
		config := injectorWithBuiltinTemplates(t, filepath.Join(corpus, "settings", c.Settings))
		mesh := readDocs(t, filepath.Join(corpus, "settings", c.Settings, "istio.yaml"))
		if diff := runCase(t, c, append([]*yaml.RNode{config}, mesh...)); diff != "" {
			failed[group] = append(failed[group], c.Name)
			t.Logf("FAIL %s [%s, settings %s]:\n%s", c.Name, group, c.Settings, diff)
		} else {
			passed[group] = append(passed[group], c.Name)
			t.Logf("pass %s [%s, settings %s]", c.Name, group, c.Settings)
		}
	}
	report(t, passed, failed)
}

// TestCorpusWithBuiltinSettings renders the cases of the corpus's default settings with
// nothing but the built-in injector (Sources), with the hub and tag Istio's tests use.
func TestCorpusWithBuiltinSettings(t *testing.T) {
	corpus := corpusDir(t)
	src := builtin.Sources(builtin.Options{Hub: "registry.istio.io/testing", Tag: "latest"})
	settings := []*yaml.RNode{
		configMap(t, "istio-sidecar-injector", map[string]string{"config": src.Config, "values": src.Values}),
		configMap(t, "istio", map[string]string{"mesh": src.Mesh}),
	}
	var passed, failed []string
	for _, c := range corpusCases(t, corpus) {
		if c.Settings != "default" {
			continue
		}
		if g := caseGroup(t, corpus, c); g != groupSidecar && g != groupGateway {
			continue
		}
		if diff := runCase(t, c, settings); diff != "" {
			failed = append(failed, c.Name)
			t.Logf("FAIL %s:\n%s", c.Name, diff)
		} else {
			passed = append(passed, c.Name)
		}
	}
	t.Logf("built-in settings: %d of %d default-settings cases as Istio's; failing: %v",
		len(passed), len(passed)+len(failed), failed)
	if len(passed) < minPassingBuiltinSettings {
		t.Errorf("%d cases pass, fewer than the %d reached before", len(passed), minPassingBuiltinSettings)
	}
}

func report(t *testing.T, passed, failed map[string][]string) {
	t.Helper()
	total, totalPassed := 0, 0
	for _, g := range []string{groupSidecar, groupGateway, groupUserTemplate} {
		p, f := len(passed[g]), len(failed[g])
		total, totalPassed = total+p+f, totalPassed+p
		t.Logf("%-14s %3d of %3d cases as Istio's; failing: %v", g, p, p+f, failed[g])
		if p < minPassing[g] {
			t.Errorf("%s: %d cases pass, fewer than the %d reached before", g, p, minPassing[g])
		}
	}
	t.Logf("total: %d of %d measured cases as Istio's", totalPassed, total)
}

// corpusCases reads every case that expects an injected output.
func corpusCases(t *testing.T, corpus string) []corpusCase {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(corpus, "cases"))
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusCase
	for _, e := range entries {
		var c corpusCase
		c.dir = filepath.Join(corpus, "cases", e.Name())
		b, err := os.ReadFile(filepath.Join(c.dir, "case.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := sigsyaml.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", c.dir, err)
		}
		if c.ExpectedError == "" {
			out = append(out, c)
		}
	}
	return out
}

// caseGroup classifies a case by the templates its pods select.
func caseGroup(t *testing.T, corpus string, c corpusCase) string {
	t.Helper()
	userTemplates := valuesTemplates(t, filepath.Join(corpus, "settings", c.Settings))
	selected := map[string]bool{}
	for _, doc := range readDocs(t, filepath.Join(c.dir, "input.yaml")) {
		var v any
		if err := doc.YNode().Decode(&v); err != nil {
			t.Fatal(err)
		}
		for _, names := range selectedTemplates(v) {
			for _, n := range strings.Split(names, ",") {
				selected[strings.TrimSpace(n)] = true
			}
		}
	}
	group := groupSidecar
	builtinUsed := len(selected) == 0
	for name := range selected {
		switch {
		case name == builtin.SidecarTemplate:
			builtinUsed = true
		case name == builtin.GatewayTemplate:
			builtinUsed = true
			if group == groupSidecar {
				group = groupGateway
			}
		case userTemplates[name] != "":
			group = groupUserTemplate
		default:
			return groupOther
		}
	}
	if !builtinUsed {
		return groupOther
	}
	return group
}

// selectedTemplates finds the inject.istio.io/templates annotations anywhere in v.
func selectedTemplates(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if a, ok := x["annotations"].(map[string]any); ok {
			if s, ok := a["inject.istio.io/templates"].(string); ok {
				out = append(out, s)
			}
		}
		for _, e := range x {
			out = append(out, selectedTemplates(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, selectedTemplates(e)...)
		}
	}
	return out
}

// injectorWithBuiltinTemplates is the settings' istio-sidecar-injector ConfigMap with
// the built-in templates in place of Istio's; templates the values add stay.
func injectorWithBuiltinTemplates(t *testing.T, settingsDir string) *yaml.RNode {
	t.Helper()
	cm := readDocs(t, filepath.Join(settingsDir, "istio-sidecar-injector.yaml"))[0]
	var config map[string]any
	if err := sigsyaml.Unmarshal([]byte(cm.GetDataMap()["config"]), &config); err != nil {
		t.Fatal(err)
	}
	templates := map[string]any{}
	for name, text := range valuesTemplates(t, settingsDir) {
		templates[name] = text
	}
	for name, text := range builtin.Templates() {
		templates[name] = text
	}
	config["templates"] = templates
	b, err := sigsyaml.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	data := cm.GetDataMap()
	data["config"] = string(b)
	cm.SetDataMap(data)
	return cm
}

// valuesTemplates are the templates a settings' values add
// (values.sidecarInjectorWebhook.templates).
func valuesTemplates(t *testing.T, settingsDir string) map[string]string {
	t.Helper()
	cm := readDocs(t, filepath.Join(settingsDir, "istio-sidecar-injector.yaml"))[0]
	var values struct {
		SidecarInjectorWebhook struct {
			Templates map[string]string `json:"templates"`
		} `json:"sidecarInjectorWebhook"`
	}
	if err := sigsyaml.Unmarshal([]byte(cm.GetDataMap()["values"]), &values); err != nil {
		t.Fatal(err)
	}
	return values.SidecarInjectorWebhook.Templates
}

func configMap(t *testing.T, name string, data map[string]string) *yaml.RNode {
	t.Helper()
	cm, err := yaml.Parse(fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: istio-system\n", name))
	if err != nil {
		t.Fatal(err)
	}
	cm.SetDataMap(data)
	return cm
}

// readDocs reads the YAML documents of a file, skipping empty ones.
func readDocs(t *testing.T, path string) []*yaml.RNode {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(b), OmitReaderAnnotations: true, DisableUnwrapping: true}).Read()
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return nodes
}

// runCase injects the case's input with the given settings ConfigMaps, as the function
// does in mode always, and returns how the output differs from Istio's ("" if not).
func runCase(t *testing.T, c corpusCase, settings []*yaml.RNode) string {
	t.Helper()
	out, ok := krmtest.Run(t, injection.Run, resourceList(t, c, settings))
	if !ok {
		return "the function failed:\n" + results(out)
	}
	got := map[string]*yaml.RNode{}
	for _, it := range parseItems(t, out) {
		got[idOf(it)] = it
	}
	var diffs []string
	for _, want := range readDocs(t, filepath.Join(c.dir, "expected.yaml")) {
		g, found := got[idOf(want)]
		if !found {
			diffs = append(diffs, "output lacks "+idOf(want))
			continue
		}
		if wv, gv := docValue(t, want), docValue(t, g); !reflect.DeepEqual(wv, gv) {
			wb, _ := sigsyaml.Marshal(wv)
			gb, _ := sigsyaml.Marshal(gv)
			diffs = append(diffs, fmt.Sprintf("%s (-istio +builtin):\n%s", idOf(want), krmtest.Diff(string(wb), string(gb))))
		}
	}
	if again, ok := krmtest.Run(t, injection.Run, out); !ok || itemsYAML(t, again) != itemsYAML(t, out) {
		diffs = append(diffs, "a second run changes the output")
	}
	return strings.Join(diffs, "\n")
}

// resourceList is the function's input for a case: its documents, the settings, and a
// SidecarInjection in mode always with the case's revision, native-sidecar decision,
// compliance policy and platform.
func resourceList(t *testing.T, c corpusCase, settings []*yaml.RNode) []byte {
	t.Helper()
	items := append(readDocs(t, filepath.Join(c.dir, "input.yaml")), settings...)
	var sb strings.Builder
	sb.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, it := range items {
		s, err := it.String()
		if err != nil {
			t.Fatal(err)
		}
		sb.WriteString("- " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n")
	}
	fmt.Fprintf(&sb, "functionConfig:\n  apiVersion: fn.meshfn.dev/v1alpha1\n  kind: SidecarInjection\n  metadata:\n    name: corpus\n"+
		"  spec:\n    mode: always\n    revision: %q\n    nativeSidecars: \"%t\"\n", c.Revision, c.NativeSidecars)
	if p := c.Environment["COMPLIANCE_POLICY"]; p != "" {
		fmt.Fprintf(&sb, "    compliancePolicy: %s\n", p)
	}
	if c.Environment["PLATFORM"] == "openshift" {
		ns := c.Environment["namespace"]
		fmt.Fprintf(&sb, "    platform: openshift\n    defaultNamespace: %s\n    namespaces:\n    - name: %s\n      annotations:\n", ns, ns)
		for _, k := range sortedKeys(c.Environment) {
			if a, ok := strings.CutPrefix(k, "namespaceAnnotation."); ok {
				fmt.Fprintf(&sb, "        %s: %q\n", a, c.Environment[k])
			}
		}
	}
	return []byte(sb.String())
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func parseItems(t *testing.T, out []byte) []*yaml.RNode {
	t.Helper()
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	var items []*yaml.RNode
	for _, it := range rl.Items {
		items = append(items, it.CopyToResourceNode())
	}
	return items
}

func itemsYAML(t *testing.T, out []byte) string {
	t.Helper()
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	rl.Results = nil
	b, err := rl.ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func results(out []byte) string {
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		return string(out)
	}
	var lines []string
	for _, r := range rl.Results {
		lines = append(lines, r.String())
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func idOf(n *yaml.RNode) string { return n.GetKind() + "/" + n.GetNamespace() + "/" + n.GetName() }
