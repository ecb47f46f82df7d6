package istioanalysis

import (
	"testing"

	"istio.io/istio/pilot/pkg/config/file"
	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/legacy/util/kuberesource"
	"istio.io/istio/pkg/config/schema/gvk"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestPodSharesItsTemplateSpec: Istio's store holds a pod equal to its workload's
// template with the workload's spec; a pod that differs keeps its own.
func TestPodSharesItsTemplateSpec(t *testing.T) {
	const spec = "  containers:\n  - {name: web, image: web:1}\n"
	deployment := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n" +
		"  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n" +
		"      containers:\n      - {name: web, image: web:1}\n"
	pods := map[string]string{
		"same":  "apiVersion: v1\nkind: Pod\nmetadata: {name: same, namespace: shop}\nspec:\n" + spec,
		"other": "apiVersion: v1\nkind: Pod\nmetadata: {name: other, namespace: shop}\nspec:\n  containers:\n  - {name: web, image: web:2}\n",
	}
	src := file.NewKubeSource(kuberesource.ConvertInputsToSchemas(analyzers.AllCombined().Metadata().Inputs))
	store := newObjectStore(src, "")
	add := func(name, text, templateOf string) {
		o, err := ObjectOf(name, yaml.MustParse(text).YNode())
		if err != nil {
			t.Fatal(err)
		}
		o.TemplateOf = templateOf
		if err := store.add(o); err != nil {
			t.Fatal(err)
		}
	}
	add("i0", deployment, "")
	add("p0", pods["same"], "i0")
	add("p1", pods["other"], "i0")
	template := store.templates["i0"]
	for name, shared := range map[string]bool{"same": true, "other": false} {
		cfg := src.Get(gvk.Pod, name, "shop")
		if cfg == nil {
			t.Fatalf("pod %s not stored", name)
		}
		if got := cfg.Spec.(*corev1.PodSpec) == template; got != shared {
			t.Errorf("pod %s shares the template's spec: %v, want %v", name, got, shared)
		}
	}
}
