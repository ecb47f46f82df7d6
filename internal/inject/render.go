package inject

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// TemplateData is what injection templates render with (templatefuncs.TemplateData).
type TemplateData = templatefuncs.TemplateData

func (s *Settings) templateData(req Request, pod *corev1.Pod, mesh *meshv1.MeshConfig, proxyConfig *meshv1.ProxyConfig) *TemplateData {
	uid, gid := req.ProxyUID, req.ProxyGID
	if uid == 0 {
		uid = defaultProxyID
	}
	if gid == 0 {
		gid = defaultProxyID
	}
	meta := pod.ObjectMeta
	meta.Namespace = req.variant().namespace(meta.Namespace, req.Namespace)
	return &TemplateData{
		TypeMeta:                 req.TypeMeta,
		DeploymentMeta:           req.DeployMeta,
		ObjectMeta:               meta,
		Spec:                     pod.Spec,
		ProxyConfig:              proxyConfig,
		MeshConfig:               mesh,
		Values:                   s.Values,
		Revision:                 s.Revision,
		NativeSidecars:           req.NativeSidecars,
		ProxyImage:               s.proxyImage(proxyConfig.GetImage(), pod.Annotations),
		ProxyInitImage:           s.proxyInitImage(proxyConfig.GetImage(), pod.Annotations),
		ProxyUID:                 uid,
		ProxyGID:                 gid,
		InboundTrafficPolicyMode: inboundTrafficPolicyMode(mesh),
		CompliancePolicy:         req.CompliancePolicy,
	}
}

func inboundTrafficPolicyMode(mesh *meshv1.MeshConfig) string {
	if mesh.GetInboundTrafficPolicy().GetMode() == meshv1.MeshConfig_InboundTrafficPolicy_LOCALHOST {
		return "localhost"
	}
	return "passthrough"
}

// renderBuffers hold the text templates render, one at a time each.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render runs the selected templates in order. It returns the pod with every template
// merged on top, and what the templates alone inject, by name.
func (s *Settings) render(req Request, data *TemplateData, st *stages) (merged, templatePod *corev1.Pod, err error) {
	defaults, aliases := req.variant().templates(&s.Config)
	merged, templatePod = req.Pod, &corev1.Pod{}
	value := req.PodValue // merged's value while merged is req.Pod
	for _, name := range s.selectTemplates(req.Pod.Annotations, defaults, aliases) {
		t, ok := s.templates[name]
		if !ok {
			return nil, nil, fmt.Errorf("requested template %q not found; have %s", name, strings.Join(s.TemplateNames(), ", "))
		}
		out := renderBuffers.Get().(*bytes.Buffer)
		out.Reset()
		if err := t.Execute(out, data); err != nil {
			renderBuffers.Put(out)
			return nil, nil, fmt.Errorf("rendering injection template %q: %w", name, err)
		}
		st.text("rendered-"+name, out.Bytes())
		patch, err := parseOverlay(out.Bytes()) // holds no part of the text
		renderBuffers.Put(out)
		if err != nil {
			return nil, nil, fmt.Errorf("applying injection template %q: %w", name, err)
		}
		if templatePod, err = s.overlayTemplate(templatePod, patch); err != nil {
			return nil, nil, fmt.Errorf("applying injection template %q: %w", name, err)
		}
		// With native sidecars the template puts istio-proxy under initContainers; a pod
		// that customizes istio-proxy has it under containers: move it, so the two merge.
		if nativeFor(req) && findContainer(ProxyContainer, templatePod.Spec.InitContainers) != nil &&
			findContainer(ProxyContainer, merged.Spec.Containers) != nil {
			merged = merged.DeepCopy()
			merged.Spec.Containers, merged.Spec.InitContainers = moveContainer(merged.Spec.Containers, merged.Spec.InitContainers, ProxyContainer)
			value = nil
		}
		if merged, err = overlayValue(merged, value, patch); err != nil {
			return nil, nil, fmt.Errorf("merging injection template %q onto the pod: %w", name, err)
		}
		value = nil
		st.pod("merged-"+name, merged)
	}
	return merged, templatePod, nil
}

// overlayTemplate adds a rendered template to what the templates inject. Only the names
// of what they inject are used (the status annotation, overrides, the native-sidecar move),
// so onto an empty pod a patch without strategic-merge directives, which merges to itself,
// is read for names only.
func (s *Settings) overlayTemplate(templatePod *corev1.Pod, patch map[string]any) (*corev1.Pod, error) {
	if isEmptyPod(templatePod) && !hasDirectives(patch) {
		return injectedNames(patch), nil
	}
	return overlayMap(templatePod, runtime.DeepCopyJSON(patch))
}

// injectedNames is a pod holding only the names of the containers, init containers,
// volumes and image pull secrets of a rendered template.
func injectedNames(patch map[string]any) *corev1.Pod {
	spec, _ := patch["spec"].(map[string]any)
	names := func(key string) []string {
		var out []string
		list, _ := spec[key].([]any)
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				if n, ok := m["name"].(string); ok {
					out = append(out, n)
				}
			}
		}
		return out
	}
	pod := &corev1.Pod{}
	for _, n := range names("containers") {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: n})
	}
	for _, n := range names("initContainers") {
		pod.Spec.InitContainers = append(pod.Spec.InitContainers, corev1.Container{Name: n})
	}
	for _, n := range names("volumes") {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: n})
	}
	for _, n := range names("imagePullSecrets") {
		pod.Spec.ImagePullSecrets = append(pod.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: n})
	}
	return pod
}

func isEmptyPod(p *corev1.Pod) bool {
	return len(p.Labels) == 0 && len(p.Annotations) == 0 && len(p.Spec.Containers) == 0 &&
		len(p.Spec.InitContainers) == 0 && len(p.Spec.Volumes) == 0 && p.Spec.SecurityContext == nil
}

// hasDirectives reports whether a patch holds strategic-merge directives ("$patch",
// "$setElementOrder/…", "$retainKeys", …) or nulls (deletions), which only a merge applies.
func hasDirectives(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.HasPrefix(k, "$") || e == nil || hasDirectives(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasDirectives(e) {
				return true
			}
		}
	}
	return false
}

// nativeFor is the native-sidecar decision for the pod: its annotation, else the injector's.
func nativeFor(req Request) bool {
	switch req.Pod.Annotations[annotationNativeSidecar] {
	case "true":
		return true
	case "false":
		return false
	}
	return req.NativeSidecars
}
