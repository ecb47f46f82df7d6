package probes

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/istiocorpus"
	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// corpusSettings are the two injector settings Rewrite depends on.
type corpusSettings struct {
	statusPort    int32
	rewriteByDflt bool
}

func loadSettings(t *testing.T, id string) corpusSettings {
	t.Helper()
	s := istiocorpus.ReadSettings(t, id)
	var mesh struct {
		DefaultConfig struct {
			StatusPort int32 `json:"statusPort"`
		} `json:"defaultConfig"`
	}
	istiocorpus.ReadYAML(t, filepath.Join(s.Dir, istiocorpus.MeshEffectiveFile), &mesh)
	var values struct {
		SidecarInjectorWebhook struct {
			RewriteAppHTTPProbe bool `json:"rewriteAppHTTPProbe"`
		} `json:"sidecarInjectorWebhook"`
	}
	if err := json.Unmarshal([]byte(s.Values), &values); err != nil {
		t.Fatalf("%s values: %v", s.Dir, err)
	}
	return corpusSettings{mesh.DefaultConfig.StatusPort, values.SidecarInjectorWebhook.RewriteAppHTTPProbe}
}

// podTemplates returns the pod (templates) of every workload in a manifest
// file, in document order.
func podTemplates(t *testing.T, path string) []*corev1.Pod {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pods []*corev1.Pod
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return pods
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		pods = append(pods, podsOf(t, obj)...)
	}
}

func podsOf(t *testing.T, obj map[string]any) []*corev1.Pod {
	t.Helper()
	if obj == nil {
		return nil
	}
	var tmpl any
	switch obj["kind"] {
	case "List":
		var out []*corev1.Pod
		items, _ := obj["items"].([]any)
		for _, it := range items {
			item, _ := it.(map[string]any)
			out = append(out, podsOf(t, item)...)
		}
		return out
	case "Pod":
		tmpl = obj
	case "CronJob":
		tmpl = dig(obj, "spec", "jobTemplate", "spec", "template")
	default:
		tmpl = dig(obj, "spec", "template")
	}
	if tmpl == nil {
		return nil
	}
	b, err := json.Marshal(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{}
	if err := json.Unmarshal(b, pod); err != nil {
		t.Fatal(err)
	}
	return []*corev1.Pod{pod}
}

func dig(obj map[string]any, keys ...string) any {
	var cur any = obj
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func proberValue(c *corev1.Container) (string, bool) {
	for _, e := range c.Env {
		if e.Name == EnvName {
			return e.Value, true
		}
	}
	return "", false
}

// TestCorpus recomputes, for every corpus case with an expected output, the
// ISTIO_KUBE_APP_PROBERS value from the input's probes and compares it (and
// the rewritten probes of the application containers) with the expected
// output. The annotations deciding the rewrite are taken from the expected
// pod, since injection templates may add them.
func TestCorpus(t *testing.T) {
	var cases []istiocorpus.Case
	for _, c := range istiocorpus.Cases(t) {
		if c.ExpectedError == "" {
			cases = append(cases, c)
		}
	}
	withProbers := 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			settings := loadSettings(t, c.Settings)
			inputs := podTemplates(t, c.InputPath())
			outputs := podTemplates(t, c.ExpectedPath())
			if len(inputs) != len(outputs) {
				t.Skipf("%d input workloads, %d expected", len(inputs), len(outputs))
			}
			for i := range inputs {
				if checkCorpusPod(t, inputs[i], outputs[i], settings) {
					withProbers++
				}
			}
		})
	}
	if withProbers == 0 && len(cases) > 0 {
		t.Error("no corpus case carried ISTIO_KUBE_APP_PROBERS")
	}
}

// checkCorpusPod compares one workload; it reports whether the expected
// output carries the probers variable.
func checkCorpusPod(t *testing.T, in, want *corev1.Pod, s corpusSettings) bool {
	t.Helper()
	wantSidecar := FindSidecar(want)
	if wantSidecar == nil {
		return false
	}
	pod := in.DeepCopy()
	_, previously := in.Annotations[istio.StatusAnnotation]
	if FindSidecar(pod) == nil {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: ProxyContainerName})
	}
	pod.Annotations = want.Annotations
	if ShouldRewrite(pod.Annotations, s.rewriteByDflt) {
		if err := Rewrite(pod, s.statusPort, previously); err != nil {
			t.Fatal(err)
		}
	}
	wantValue, wantFound := proberValue(wantSidecar)
	gotValue, gotFound := proberValue(FindSidecar(pod))
	if gotFound != wantFound || gotValue != wantValue {
		t.Errorf("%s:\n got  %q (present %v)\n want %q (present %v)", EnvName, gotValue, gotFound, wantValue, wantFound)
	}
	compareAppProbes(t, pod, want)
	return wantFound
}

func compareAppProbes(t *testing.T, got, want *corev1.Pod) {
	t.Helper()
	index := map[string]corev1.Container{}
	for _, c := range append(append([]corev1.Container{}, want.Spec.InitContainers...), want.Spec.Containers...) {
		index[c.Name] = c
	}
	for _, c := range append(append([]corev1.Container{}, got.Spec.InitContainers...), got.Spec.Containers...) {
		w, ok := index[c.Name]
		if !ok || c.Name == ProxyContainerName || strings.HasPrefix(c.Name, "istio-") {
			continue
		}
		for _, p := range []struct {
			what      string
			got, want any
		}{
			{"livenessProbe", c.LivenessProbe, w.LivenessProbe},
			{"readinessProbe", c.ReadinessProbe, w.ReadinessProbe},
			{"startupProbe", c.StartupProbe, w.StartupProbe},
			{"lifecycle", c.Lifecycle, w.Lifecycle},
		} {
			if !reflect.DeepEqual(p.got, p.want) {
				t.Errorf("container %s %s:\n got  %s\n want %s", c.Name, p.what, js(p.got), js(p.want))
			}
		}
	}
}
