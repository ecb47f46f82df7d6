package sidecar

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/meshfn/meshfn/internal/jsonvalue"
	"github.com/meshfn/meshfn/internal/podtemplate"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// workload is one pod template found in the package: a Pod, the template of a workload
// controller, or one inside a v1 List.
type workload struct {
	item     *yaml.RNode // the package item (for results: the List, when inside one)
	object   *yaml.RNode // the workload itself
	template *yaml.RNode // the mapping holding the pod's metadata and spec
	path     string      // where template is in object, for messages ("spec.template")
	// metaHolder holds the metadata injection reads and writes: the template, except for
	// a CronJob in mode always, where istioctl kube-inject uses spec.jobTemplate.metadata.
	metaHolder *yaml.RNode
	typeMeta   metav1.TypeMeta
	meta       types.NamespacedName
}

// findWorkloads lists the pod templates of item (several for a List).
func findWorkloads(item *yaml.RNode) ([]workload, error) {
	if item.GetKind() == "List" && item.GetApiVersion() == "v1" {
		return listWorkloads(item)
	}
	path, ok := podtemplate.Path(item.GetApiVersion(), item.GetKind())
	if !ok {
		return nil, nil
	}
	w := workload{item: item, object: item, path: strings.Join(path, ".")}
	w.typeMeta = metav1.TypeMeta{APIVersion: item.GetApiVersion(), Kind: item.GetKind()}
	w.meta = types.NamespacedName{Namespace: item.GetNamespace(), Name: item.GetName()}
	if len(path) == 0 {
		w.template, w.metaHolder = item, item
		return []workload{w}, nil
	}
	t, err := item.Pipe(yaml.Lookup(path...))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.path, err)
	}
	if t == nil || yaml.IsMissingOrNull(t) {
		return nil, fmt.Errorf("%s is required", w.path)
	}
	if t.YNode().Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: expected a mapping", w.path)
	}
	w.template, w.metaHolder = t, t
	return []workload{w}, nil
}

// useJobTemplateMetadata makes a CronJob's injection read and write
// spec.jobTemplate.metadata instead of the pod template's, as istioctl kube-inject does.
func (w *workload) useJobTemplateMetadata() error {
	if w.typeMeta.Kind != "CronJob" {
		return nil
	}
	jt, err := w.object.Pipe(yaml.Lookup("spec", "jobTemplate"))
	if err != nil || jt == nil {
		return fmt.Errorf("spec.jobTemplate: missing")
	}
	w.metaHolder = jt
	return nil
}

func listWorkloads(list *yaml.RNode) ([]workload, error) {
	items, err := list.Pipe(yaml.Lookup("items"))
	if err != nil || items == nil {
		return nil, err
	}
	elems, err := items.Elements()
	if err != nil {
		return nil, fmt.Errorf("items: %w", err)
	}
	var out []workload
	for i, e := range elems {
		ws, err := findWorkloads(e)
		if err != nil {
			return nil, fmt.Errorf("items[%d] (%s %s): %w", i, e.GetKind(), e.GetName(), err)
		}
		for j := range ws {
			ws[j].item = list
			ws[j].path = fmt.Sprintf("items[%d].%s", i, ws[j].path)
		}
		out = append(out, ws...)
	}
	return out, nil
}

// pod reads the template as a typed Pod (metadata and spec): straight from the YAML
// values when they convert cleanly, else through JSON, whose errors name the field.
func (w workload) pod() (*corev1.Pod, error) {
	if pod, ok := w.podFromValues(); ok {
		return pod, nil
	}
	return w.podFromJSON()
}

// podFromValues converts the YAML, decoded by yaml.v3, with the unstructured converter,
// without JSON text.
func (w workload) podFromValues() (*corev1.Pod, bool) {
	values := map[string]any{}
	for key, holder := range map[string]*yaml.RNode{"metadata": w.metaHolder, "spec": w.template} {
		f := holder.Field(key)
		if f == nil || f.Value.IsNil() {
			continue
		}
		var v any
		if err := f.Value.YNode().Decode(&v); err != nil {
			return nil, false
		}
		if _, ok := v.(map[string]any); !ok {
			return nil, false
		}
		values[key] = v
	}
	pod := &corev1.Pod{}
	if jsonvalue.Into(values, pod) {
		return pod, true
	}
	pod = &corev1.Pod{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(values, pod); err != nil {
		return nil, false
	}
	return pod, true
}

func (w workload) podFromJSON() (*corev1.Pod, error) {
	var raw struct {
		Metadata json.RawMessage `json:"metadata"`
		Spec     json.RawMessage `json:"spec"`
	}
	b, err := w.template.MarshalJSON()
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	if w.metaHolder != w.template {
		var holder struct {
			Metadata json.RawMessage `json:"metadata"`
		}
		if b, err = w.metaHolder.MarshalJSON(); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &holder); err != nil {
			return nil, err
		}
		raw.Metadata = holder.Metadata
	}
	pod := &corev1.Pod{}
	if len(raw.Metadata) > 0 {
		if err := json.Unmarshal(raw.Metadata, &pod.ObjectMeta); err != nil {
			return nil, fmt.Errorf("%s: metadata: %w", w.where(), err)
		}
	}
	if len(raw.Spec) > 0 {
		if err := json.Unmarshal(raw.Spec, &pod.Spec); err != nil {
			return nil, fmt.Errorf("%s: spec: %w", w.where(), err)
		}
	}
	return pod, nil
}

func (w workload) where() string {
	if w.path == "" {
		return "the pod"
	}
	return w.path
}

// describe names the workload for messages: "Deployment shop/web".
func (w workload) describe() string {
	if w.meta.Namespace != "" {
		return w.typeMeta.Kind + " " + w.meta.Namespace + "/" + w.meta.Name
	}
	return w.typeMeta.Kind + " " + w.meta.Name
}

// prefix starts a result message about the workload: empty when the result's resource is
// the workload itself, its name when the result is about the List holding it.
func (w workload) prefix() string {
	if w.item == w.object {
		return ""
	}
	return w.describe() + ": "
}
