package inject

import (
	"bytes"
	"fmt"

	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// defaultProxyID is the UID and GID the proxy runs as (OpenShift namespaces may say otherwise).
const defaultProxyID = 1337

// Request is one pod to inject and what Istio would know about it at admission.
type Request struct {
	// Pod is the pod (for a workload: its pod template as a Pod). It is not modified.
	Pod *corev1.Pod
	// PodValue is Pod's metadata and spec as PodValue gives them (empty resources of a
	// container may be left out), when the caller has them: the first template is merged
	// onto a copy instead of a new conversion of Pod. It is not modified.
	PodValue map[string]any
	// Namespace is the namespace the pod runs in, as the webhook sees it on the pod.
	Namespace string
	// TypeMeta and DeployMeta name the workload that owns the pod, as templates see them.
	TypeMeta   metav1.TypeMeta
	DeployMeta types.NamespacedName
	// NativeSidecars is the injector's native-sidecar decision before the pod's
	// sidecar.istio.io/nativeSidecar annotation, which templates read themselves.
	NativeSidecars bool
	// Variant is the flavour of injection: Webhook (also when unset) or KubeInject.
	Variant Variant
	// ProxyEnvs are settings the webhook reads from its URL path (ISTIO_META_CLUSTER_ID,
	// ISTIO_META_NETWORK), for a remote injector.
	ProxyEnvs map[string]string
	// CompliancePolicy is istiod's COMPLIANCE_POLICY (e.g. "fips-140-3"), or "".
	CompliancePolicy string
	// ProxyUID and ProxyGID default to 1337 (see OpenShiftProxyIDs).
	ProxyUID, ProxyGID int64
	// OpenShift applies the webhook's OpenShift rule to a user-supplied istio-proxy user.
	OpenShift bool
	// ProxyConfigs are the networking.istio.io ProxyConfig resources the webhook merges
	// into the proxy config (KubeInject does not read them).
	ProxyConfigs []ProxyConfigResource
}

// Result is an injected pod and what the templates added, for the status annotation.
type Result struct {
	Pod *corev1.Pod
	// Warnings are problems Istio tolerates and logs.
	Warnings []string
}

// Inject injects the sidecar into req.Pod with the revision's settings. The caller has
// already decided (Variant.Policy, or its own rule) that the pod is injected.
func (s *Settings) Inject(req Request) (*Result, error) { return s.inject(req, nil) }

// inject is Inject, showing each stage's result to st (tests look at them; nil in use).
func (s *Settings) inject(req Request, st *stages) (*Result, error) {
	if err := s.Rules.Annotations.Validate(req.Pod.Annotations); err != nil {
		return nil, err
	}
	if req.OpenShift {
		req.Pod = req.Pod.DeepCopy()
		dropSidecarUserMatchingApp(req.Pod)
		req.PodValue = nil
	}
	res := &Result{}
	mesh, proxyConfig, err := req.variant().config(s, req, res)
	if err != nil {
		return nil, err
	}
	proxyConfig = proxyconfig.WithoutFields(proxyConfig, s.Rules.Annotations.UnknownProxyConfigFields)
	proxyEnvs := s.clusterAndNetwork(req)

	stripped, err := reinsertOverrides(stripPod(req.Pod, mesh, s.Rules.ScrapeChecks))
	if err != nil {
		return nil, err
	}
	st.pod("stripped", stripped)
	data := s.templateData(req, stripped, mesh, proxyConfig)
	merged, templatePod, err := s.render(req, data, st)
	if err != nil {
		return nil, err
	}
	merged, err = reapplyOverrides(merged, req.Pod, templatePod, proxyConfig)
	if err != nil {
		return nil, fmt.Errorf("re-applying the pod's own istio-proxy/istio-init settings: %w", err)
	}
	st.pod("overrides", merged)
	if err := s.postProcess(merged, templatePod, req, mesh, proxyConfig, proxyEnvs); err != nil {
		return nil, err
	}
	st.pod("injected", merged)
	res.Pod = merged
	return res, nil
}

// stages receives, for tests, what each stage of injection made, in order: the pod the
// templates see ("stripped"), each template's text ("rendered-NAME") and the pod with it
// merged ("merged-NAME"), the pod with its own istio-proxy and istio-init settings applied
// again ("overrides"), and the injected pod ("injected"). A nil *stages ignores them.
type stages struct {
	onPod  func(stage string, pod *corev1.Pod)
	onText func(stage string, text []byte)
}

func (st *stages) pod(stage string, pod *corev1.Pod) {
	if st != nil {
		st.onPod(stage, pod)
	}
}

func (st *stages) text(stage string, text []byte) {
	if st != nil {
		st.onText(stage, bytes.Clone(text))
	}
}

// clusterAndNetwork returns the proxy environment the injector sets from its values, its
// URL, and the pod's topology.istio.io/network label (highest precedence).
func (s *Settings) clusterAndNetwork(req Request) map[string]string {
	env := map[string]string{}
	for k, v := range req.ProxyEnvs {
		env[k] = v
	}
	cluster := s.Values.String("global", "multiCluster", "clusterName")
	network := s.Values.String("global", "network")
	if v := env["ISTIO_META_CLUSTER_ID"]; v != "" {
		cluster = v
	}
	if v := env["ISTIO_META_NETWORK"]; v != "" {
		network = v
	}
	if n, ok := req.Pod.Labels[labelNetwork]; ok {
		network = n
	}
	if cluster != "" {
		env["ISTIO_META_CLUSTER_ID"] = cluster
	}
	if network != "" {
		env["ISTIO_META_NETWORK"] = network
	}
	return env
}
