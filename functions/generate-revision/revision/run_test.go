package revision

import (
	"os"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/krmtest"
)

func TestGolden(t *testing.T) {
	krmtest.RunGoldenDir(t, "testdata", Run)
}

// renderWith runs the function over items with a ControlPlaneRevision config named name.
func renderWith(t *testing.T, items []*fn.KubeObject, name, spec string) *fn.ResourceList {
	t.Helper()
	rl := &fn.ResourceList{Items: items}
	cfg, err := fn.ParseKubeObject([]byte("apiVersion: fn.meshfn.dev/v1alpha1\nkind: ControlPlaneRevision\nmetadata:\n  name: " +
		name + "\nspec:\n" + spec))
	if err != nil {
		t.Fatal(err)
	}
	rl.FunctionConfig = cfg
	in, err := rl.ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	out, ok := krmtest.Run(t, Run, in)
	if !ok {
		t.Fatalf("function failed:\n%s", out)
	}
	parsed, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

func names(rl *fn.ResourceList) []string {
	var out []string
	for _, it := range rl.Items {
		out = append(out, it.GetKind()+"/"+it.GetName())
	}
	return out
}

func TestRenamedRevisionPrunesOldObjects(t *testing.T) {
	first := renderWith(t, nil, "main", "  revision: asm-1-26\n  tags: [prod]\n")
	second := renderWith(t, first.Items, "main", "  revision: asm-1-29\n")
	got := strings.Join(names(second), " ")
	want := "MutatingWebhookConfiguration/istio-sidecar-injector-asm-1-29 " +
		"ValidatingWebhookConfiguration/istio-validator-asm-1-29-istio-system RevisionInjector/asm-1-29 Service/istiod-asm-1-29"
	if got != want {
		t.Errorf("after renaming the revision, items are\n%s\nwant\n%s", got, want)
	}
	var pruned int
	for _, r := range second.Results {
		if strings.HasPrefix(r.Message, "pruned") {
			pruned++
		}
	}
	if pruned != 6 {
		t.Errorf("want 6 pruned results (4 revision objects, tag webhook and Service), got %d: %v", pruned, second.Results)
	}
}

func TestTwoConfigsKeepEachOthersObjects(t *testing.T) {
	stable := renderWith(t, nil, "stable", "  revision: asm-1-26\n  tags: [default]\n")
	both := renderWith(t, stable.Items, "canary", "  revision: asm-1-29\n")
	if len(both.Items) != len(stable.Items)+4 {
		t.Fatalf("canary config should add 4 objects beside stable's %d, got %v", len(stable.Items), names(both))
	}
	again := renderWith(t, both.Items, "canary", "  revision: asm-1-29\n")
	if strings.Join(names(again), " ") != strings.Join(names(both), " ") {
		t.Errorf("re-render changed the items: %v -> %v", names(both), names(again))
	}
	for _, r := range again.Results {
		if strings.HasPrefix(r.Message, "generated") || strings.HasPrefix(r.Message, "updated") || strings.HasPrefix(r.Message, "pruned") {
			t.Errorf("re-render reported a change: %s", r)
		}
	}
}

func TestSettingChangeUpdatesInPlace(t *testing.T) {
	first := renderWith(t, nil, "main", "  revision: canary\n")
	second := renderWith(t, first.Items, "main", "  revision: canary\n  failurePolicy: Ignore\n")
	var updated []string
	for _, r := range second.Results {
		if strings.HasPrefix(r.Message, "updated") {
			updated = append(updated, r.ResourceRef.Kind+"/"+r.ResourceRef.Name)
		}
	}
	if strings.Join(updated, " ") != "MutatingWebhookConfiguration/istio-sidecar-injector-canary" {
		t.Errorf("only the injector should be updated, got %v", updated)
	}
	for _, it := range second.Items {
		if it.GetKind() != "MutatingWebhookConfiguration" {
			continue
		}
		hooks, _, _ := it.NestedSlice("webhooks")
		for _, h := range hooks {
			if p := h.GetString("failurePolicy"); p != "Ignore" {
				t.Errorf("webhook %s failurePolicy = %q", h.GetString("name"), p)
			}
		}
	}
}

// TestREADMEListsTheValues keeps the function's README in step with the values a revision
// may set.
func TestREADMEListsTheValues(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	for _, k := range builtin.ValueKeys() {
		if !strings.Contains(readme, "`"+k+"`") {
			t.Errorf("functions/generate-revision/README.md does not list the value %s", k)
		}
	}
}
