package inject

import (
	"sort"

	"github.com/meshfn/meshfn/internal/inject/probes"
	"github.com/meshfn/meshfn/internal/istio"
	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// postProcess is what the injector does after merging the templates, that templates
// cannot: cluster and network env, Prometheus merge, probe rewriting, the status
// annotation, and the order of containers.
func (s *Settings) postProcess(pod, templatePod *corev1.Pod, req Request, mesh *meshv1.MeshConfig, proxyConfig *meshv1.ProxyConfig,
	proxyEnvs map[string]string) error {
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	if pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	if sidecar := findSidecar(pod); sidecar != nil && len(proxyEnvs) > 0 {
		setEnvLast(sidecar, proxyEnvs)
	}
	if err := applyPrometheusMerge(pod, mesh, s.Rules.ScrapeChecks); err != nil {
		return err
	}
	if s.Rules.SecurePortAnnotation {
		applySecurePrometheusAnnotation(pod)
	}
	rewriteDefault, _ := s.Values.Bool("sidecarInjectorWebhook", "rewriteAppHTTPProbe")
	if probes.ShouldRewrite(pod.Annotations, rewriteDefault) {
		_, previouslyInjected := pod.Annotations[istio.StatusAnnotation]
		if err := probes.Rewrite(pod, mesh.GetDefaultConfig().GetStatusPort(), previouslyInjected); err != nil {
			return err
		}
	}
	if nw, ok := proxyEnvs["ISTIO_META_NETWORK"]; ok {
		pod.Labels[labelNetwork] = nw
	}
	pod.Annotations[istio.StatusAnnotation] = statusOf(templatePod, s.Revision)
	for k, v := range req.variant().injectedAnnotations(&s.Config) {
		pod.Annotations[k] = v
	}
	return s.reorder(pod, proxyConfig)
}

// setEnvLast replaces the container's env vars named in kv and appends them, sorted.
func setEnvLast(c *corev1.Container, kv map[string]string) {
	env := make([]corev1.EnvVar, 0, len(c.Env)+len(kv))
	for _, e := range c.Env {
		if _, replaced := kv[e.Name]; !replaced {
			env = append(env, e)
		}
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, corev1.EnvVar{Name: k, Value: kv[k]})
	}
	c.Env = env
}

// reorder puts istio-proxy last among containers (first when the application must wait
// for the proxy), and orders init containers so iptables setup does not cut off others.
func (s *Settings) reorder(pod *corev1.Pod, proxyConfig *meshv1.ProxyConfig) error {
	// The effective proxy config already holds the pod's proxy.istio.io/config (ProxyConfig
	// resources cannot set holdApplicationUntilProxyStarts), so it is not parsed again.
	hold := proxyConfig.GetHoldApplicationUntilProxyStarts().GetValue()
	if v, _ := s.Values.Bool("global", "proxy", "holdApplicationUntilProxyStarts"); v {
		hold = true
	}
	where := moveLast
	if hold {
		where = moveFirst
	}
	pod.Spec.Containers = placeContainer(pod.Spec.Containers, ProxyContainer, where)
	ic := pod.Spec.InitContainers
	if hasContainer(ic, ProxyContainer) {
		// Native sidecar: iptables setup, then the proxy, then everything else.
		ic = placeContainer(ic, CoreDumpContainer, moveFirst)
		ic = placeContainer(ic, ProxyContainer, moveFirst)
		ic = placeContainer(ic, ValidationContainer, moveFirst)
		ic = placeContainer(ic, InitContainer, moveFirst)
	} else {
		ic = placeContainer(ic, ValidationContainer, moveFirst)
		ic = placeContainer(ic, InitContainer, moveLast)
		ic = placeContainer(ic, CoreDumpContainer, moveLast)
	}
	pod.Spec.InitContainers = ic
	return nil
}
