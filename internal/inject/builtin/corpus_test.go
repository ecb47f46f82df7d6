package builtin_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/functions/inject-sidecar/injection"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/inject/sidecar"
	"github.com/meshfn/meshfn/internal/istiocorpus"
	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// How many cases of Istio's corpus must come out as Istio's, per group (see caseGroup).
// They are the results reached: fewer is a regression.
var minPassing = map[string]int{
	groupSidecar:      115,
	groupGateway:      3,
	groupGRPC:         2,
	groupUserTemplate: 2,
}

// minPassingBuiltinSettings is how many of the default-settings cases the built-in
// settings alone reproduce (all of them).
const minPassingBuiltinSettings = 84

// Groups of corpus cases, by the templates the pods select.
const (
	groupSidecar      = "sidecar"              // no inject.istio.io/templates, or only sidecar
	groupGateway      = "gateway"              // gateway (with sidecar at most)
	groupUserTemplate = "sidecar+user"         // a built-in template with one from values.sidecarInjectorWebhook.templates
	groupGRPC         = "grpc"                 // grpc-agent or grpc-simple
	groupOther        = "other Istio template" // waypoint, ...: not measured
)

// TestCorpusWithBuiltinTemplates renders Istio's corpus with the built-in templates of the
// newest line in place of Istio's, keeping each case's policy, values and mesh config,
// and reports how many cases come out as Istio's. The corpus is Istio's master after the
// 1.31 branch, read as the 1.31 line writes it (istiocorpus.AsRelease131).
func TestCorpusWithBuiltinTemplates(t *testing.T) {
	passed := map[string][]string{}
	failed := map[string][]string{}
	for _, c := range injectedCases(t) {
		s := istiocorpus.ReadSettings(t, c.Settings)
		group := caseGroup(t, c, s)
		if group == groupOther {
			continue
		}
		settings := []*yaml.RNode{injectorWithBuiltinTemplates(t, s), s.MeshConfigMap(t)}
		if diff := runCase(t, c, settings); diff != "" {
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
	src := builtin.MustLookup(builtin.Newest()).Sources(builtin.Options{Hub: "registry.istio.io/testing", Tag: "latest"})
	settings := []*yaml.RNode{
		configMap(t, "istio-sidecar-injector", map[string]string{"config": src.Config, "values": src.Values}),
		configMap(t, "istio", map[string]string{"mesh": src.Mesh}),
	}
	var passed, failed []string
	for _, c := range injectedCases(t) {
		if c.Settings != "default" {
			continue
		}
		if g := caseGroup(t, c, istiocorpus.ReadSettings(t, c.Settings)); g != groupSidecar && g != groupGateway && g != groupGRPC {
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
	for _, g := range []string{groupSidecar, groupGateway, groupGRPC, groupUserTemplate} {
		p, f := len(passed[g]), len(failed[g])
		total, totalPassed = total+p+f, totalPassed+p
		t.Logf("%-14s %3d of %3d cases as Istio's; failing: %v", g, p, p+f, failed[g])
		if p < minPassing[g] {
			t.Errorf("%s: %d cases pass, fewer than the %d reached before", g, p, minPassing[g])
		}
	}
	t.Logf("total: %d of %d measured cases as Istio's", totalPassed, total)
}

// injectedCases are the cases of the corpus that expect an injected output.
func injectedCases(t *testing.T) []istiocorpus.Case {
	t.Helper()
	var out []istiocorpus.Case
	for _, c := range istiocorpus.Cases(t) {
		if c.ExpectedError == "" {
			out = append(out, c)
		}
	}
	return out
}

// caseGroup classifies a case by the templates its pods select.
func caseGroup(t *testing.T, c istiocorpus.Case, s istiocorpus.Settings) string {
	t.Helper()
	userTemplates := valuesTemplates(t, s)
	selected := map[string]bool{}
	for _, doc := range istiocorpus.ReadDocs(t, c.InputPath()) {
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
		case name == builtin.GRPCAgentTemplate || name == builtin.GRPCSimpleTemplate:
			builtinUsed = true
			if group == groupSidecar {
				group = groupGRPC
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
func injectorWithBuiltinTemplates(t *testing.T, s istiocorpus.Settings) *yaml.RNode {
	t.Helper()
	var config map[string]any
	if err := sigsyaml.Unmarshal([]byte(s.Config), &config); err != nil {
		t.Fatal(err)
	}
	templates := map[string]any{}
	for name, text := range valuesTemplates(t, s) {
		templates[name] = text
	}
	for name, text := range builtin.MustLookup(builtin.Newest()).Templates() {
		templates[name] = text
	}
	config["templates"] = templates
	b, err := sigsyaml.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	cm := s.InjectorConfigMap(t)
	data := cm.GetDataMap()
	data["config"] = string(b)
	cm.SetDataMap(data)
	return cm
}

// valuesTemplates are the templates a settings' values add
// (values.sidecarInjectorWebhook.templates).
func valuesTemplates(t *testing.T, s istiocorpus.Settings) map[string]string {
	t.Helper()
	var values struct {
		SidecarInjectorWebhook struct {
			Templates map[string]string `json:"templates"`
		} `json:"sidecarInjectorWebhook"`
	}
	if err := sigsyaml.Unmarshal([]byte(s.Values), &values); err != nil {
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

// runCase injects the case's input with the given settings ConfigMaps, as the function
// does in mode always, and returns how the output differs from Istio's ("" if not).
func runCase(t *testing.T, c istiocorpus.Case, settings []*yaml.RNode) string {
	t.Helper()
	out, ok := krmtest.Run(t, injection.Run, istiocorpus.FunctionInput(t, c, settings))
	if !ok {
		return "the function failed:\n" + istiocorpus.Results(out)
	}
	diffs := istiocorpus.CompareOutputWith(t, c, istiocorpus.Items(t, out), istiocorpus.AsRelease131, "builtin", sidecar.RevertAnnotation)
	if again, ok := krmtest.Run(t, injection.Run, out); !ok || istiocorpus.ItemsYAML(t, again) != istiocorpus.ItemsYAML(t, out) {
		diffs = append(diffs, "a second run changes the output")
	}
	return strings.Join(diffs, "\n")
}
