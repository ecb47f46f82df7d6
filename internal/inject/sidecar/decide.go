package sidecar

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/meshfn/meshfn/internal/fleet"
	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// verdict is what the function decided for one workload.
type verdict struct {
	settings *inject.Settings // nil: not injected
	reason   string
	// unserved is set when the pod itself selects a revision nobody serves (a warning).
	unserved bool
	// precedence says, for an injected pod that labels put in ambient mode, why it runs
	// with a sidecar instead; conflictFix, when the pod did not opt into the sidecar
	// itself, how to resolve the conflict (a warning).
	precedence  string
	conflictFix string
	request     inject.Request
}

// decider decides per workload, with everything read from the package and the config.
type decider struct {
	spec   *Spec
	mode   mode
	action action
	// mesh is the package's control planes (nil when uninjecting).
	mesh       *fleet.Mesh
	namespaces map[string]map[string]string
	// nsAnnotations are namespace annotations, read on OpenShift.
	nsAnnotations map[string]map[string]string
	// proxyConfigs are the package's ProxyConfig resources, which the webhook applies.
	proxyConfigs []inject.ProxyConfigResource
}

// decideWebhook decides as the cluster does at admission: the revision whose webhook
// selects the pod's namespace and labels, then that injector's policy.
func (d *decider) decideWebhook(w workload, pod *corev1.Pod) (verdict, error) {
	ns := w.meta.Namespace
	if ns == "" {
		ns = d.spec.DefaultNamespace
	}
	nsLabels := fleet.NamespaceLabels(ns, d.namespaces[ns])
	revs, _ := d.mesh.Match(nsLabels, pod.Labels)
	ambient := fleet.AmbientOf(nsLabels, pod.Labels, pod.Spec.HostNetwork)
	switch {
	case len(revs) == 0:
		if req, unserved := d.mesh.Unserved(nsLabels, pod.Labels); unserved {
			return verdict{unserved: req.ByPod, reason: fmt.Sprintf("its %s selects revision %s, which no control plane in the package serves (the revisions are: %s)",
				req.Label, req.Name, d.mesh.Names())}, nil
		}
		return verdict{reason: ambientReason(ambient, fmt.Sprintf("no injection webhook selects it (namespace %s labels %s, pod labels %s)",
			ns, formatLabels(nsLabels), formatLabels(pod.Labels)))}, nil
	case len(revs) > 1:
		return verdict{}, fmt.Errorf("the webhooks of revisions %s all select it; the API server would inject it more than once",
			joinRevisions(revs))
	}
	settings, err := d.mesh.Settings(revs[0])
	if err != nil {
		return verdict{}, err
	}
	decision := d.mode.variant.Policy(settings, &pod.Spec, &pod.ObjectMeta, ns)
	if !decision.Inject {
		return verdict{reason: ambientReason(ambient, decision.Reason)}, nil
	}
	typeMeta, deployMeta := webhookOwner(w, pod, ns)
	v := verdict{settings: settings, reason: decision.Reason, request: d.request(pod, typeMeta, deployMeta, ns)}
	if ambient.Captured {
		v.precedence, v.conflictFix = sidecarPrecedence(ambient, nsLabels, pod.Labels)
	}
	return v, nil
}

// ambientReason says why a pod no injector injects is not injected, leading with the
// ambient mode its labels put it in, if any (Istio's pod selection rules for ambient and
// sidecar modes).
func ambientReason(a fleet.Ambient, why string) string {
	if a.Label == "" {
		return why
	}
	return a.String() + "; " + why
}

// sidecarPrecedence says why a pod that labels put in ambient mode runs with a sidecar:
// an injector selects it, and Istio gives the sidecar precedence (ztunnel leaves pods
// with sidecar.istio.io/status alone). Unless the pod itself opted into the sidecar, it
// also says how to resolve the conflict: the namespace asks for both modes (which
// Istio's documentation says never to do), or for a sidecar the pod's ambient label
// cannot override.
func sidecarPrecedence(a fleet.Ambient, nsLabels, podLabels map[string]string) (why, fix string) {
	req, _ := fleet.Requested(nsLabels, podLabels)
	asker := "an injection webhook that selects every namespace"
	if req.Label != "" {
		asker = "its " + req.Label
	}
	why = fmt.Sprintf("sidecar mode: %s asks for a sidecar, which takes precedence over its %s", asker, a.Label)
	switch {
	case req.ByPod:
		return why, ""
	case a.ByPod:
		return why, fmt.Sprintf("for ambient mode, label the pod template %s: \"false\" too; for a sidecar, remove its %s label",
			istio.InjectLabel, istio.DataplaneModeLabel)
	}
	return why, fmt.Sprintf("for ambient mode, label the namespace %s=disabled (set-namespace-revision dataplaneMode: ambient does); "+
		"for sidecars, remove its %s label", istio.InjectionLabel, istio.DataplaneModeLabel)
}

// modeNote is what the result of an injected workload adds about its data-plane mode.
func (v verdict) modeNote() string {
	if v.precedence == "" {
		return ""
	}
	return " (" + v.precedence + ")"
}

// warnConflict warns about a workload that labels put in ambient mode but that gets a
// sidecar it did not ask for itself: the ambient label has no effect.
func (v verdict) warnConflict(rl *krm.ResourceList, w workload) {
	if v.conflictFix == "" {
		return
	}
	rl.Warningf(w.item, w.prefix()+"runs with a sidecar, not in ambient mode: %s. To resolve it: %s",
		strings.TrimPrefix(v.precedence, "sidecar mode: "), v.conflictFix)
}

// decideAlways decides as istioctl kube-inject does: spec.revision injects every pod that
// does not opt out.
func (d *decider) decideAlways(w workload, pod *corev1.Pod) (verdict, error) {
	rev := d.spec.Revision
	if istio.IsDefaultRevision(rev) {
		rev = ""
	}
	settings, err := d.mesh.Settings(rev)
	if err != nil {
		return verdict{}, err
	}
	ns := pod.Namespace
	if ns == "" {
		ns = w.meta.Namespace
	}
	decision := d.mode.variant.Policy(settings, &pod.Spec, &pod.ObjectMeta, ns)
	if !decision.Inject {
		return verdict{reason: decision.Reason}, nil
	}
	if ns == "" {
		ns = d.spec.DefaultNamespace
	}
	typeMeta, deployMeta := w.typeMeta, w.meta
	if w.typeMeta.Kind == "Pod" {
		deployMeta, typeMeta = deployMetaFromPod(pod)
	}
	return verdict{settings: settings, reason: "mode always", request: d.request(pod, typeMeta, deployMeta, ns)}, nil
}

func (d *decider) request(pod *corev1.Pod, typeMeta metav1.TypeMeta, deployMeta types.NamespacedName, ns string) inject.Request {
	env := map[string]string{}
	if d.spec.Cluster != "" {
		env["ISTIO_META_CLUSTER_ID"] = d.spec.Cluster
	}
	if d.spec.Network != "" {
		env["ISTIO_META_NETWORK"] = d.spec.Network
	}
	req := inject.Request{
		Pod: pod, Namespace: ns, TypeMeta: typeMeta, DeployMeta: deployMeta,
		NativeSidecars: d.spec.nativeDecision(), Variant: d.mode.variant,
		ProxyEnvs: env, CompliancePolicy: d.spec.CompliancePolicy, ProxyConfigs: d.proxyConfigs,
	}
	if d.spec.Platform == "openshift" {
		req.OpenShift = true
		req.ProxyUID, req.ProxyGID = inject.OpenShiftProxyIDs(d.nsAnnotations[ns])
	}
	return req
}

// webhookOwner is what the webhook derives from a pod created by the workload's
// controller: the controller's owner (a Deployment for a ReplicaSet with a pod-template-hash,
// a CronJob for its Jobs, a DeploymentConfig for its ReplicationControllers).
func webhookOwner(w workload, pod *corev1.Pod, ns string) (metav1.TypeMeta, types.NamespacedName) {
	meta := types.NamespacedName{Namespace: ns, Name: w.meta.Name}
	switch w.typeMeta.Kind {
	case "Pod":
		p := pod.DeepCopy()
		p.Namespace = ns
		owner, tm := deployMetaFromPod(p)
		return tm, owner
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet":
		return metav1.TypeMeta{APIVersion: "apps/v1", Kind: w.typeMeta.Kind}, meta
	case "Job", "CronJob":
		return metav1.TypeMeta{APIVersion: "batch/v1", Kind: w.typeMeta.Kind}, meta
	case "DeploymentConfig":
		return metav1.TypeMeta{APIVersion: "v1", Kind: "DeploymentConfig"}, meta
	}
	return metav1.TypeMeta{APIVersion: "v1", Kind: w.typeMeta.Kind}, meta
}

var cronJobName = regexp.MustCompile(`(.+)-\d{8,10}$`)

// deployMetaFromPod names a bare pod's owner as Istio does from its owner references.
func deployMetaFromPod(pod *corev1.Pod) (types.NamespacedName, metav1.TypeMeta) {
	meta := types.NamespacedName{Name: pod.Name, Namespace: pod.Namespace}
	tm := metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"}
	if pod.GenerateName != "" {
		for _, ref := range pod.OwnerReferences {
			if ref.Controller == nil || !*ref.Controller {
				continue
			}
			tm = metav1.TypeMeta{APIVersion: ref.APIVersion, Kind: ref.Kind}
			meta.Name = ref.Name
			hash, rolloutHash := pod.Labels["pod-template-hash"], pod.Labels["rollouts-pod-template-hash"]
			switch {
			case ref.Kind == "ReplicaSet" && hash != "" && strings.HasSuffix(ref.Name, hash):
				meta.Name, tm.Kind = strings.TrimSuffix(ref.Name, "-"+hash), "Deployment"
			case ref.Kind == "ReplicaSet" && rolloutHash != "" && strings.HasSuffix(ref.Name, rolloutHash):
				meta.Name, tm.Kind, tm.APIVersion = strings.TrimSuffix(ref.Name, "-"+rolloutHash), "Rollout", "v1alpha1"
			case ref.Kind == "ReplicationController" && pod.Labels["deploymentconfig"] != "":
				meta.Name, tm.Kind = pod.Labels["deploymentconfig"], "DeploymentConfig"
			case ref.Kind == "Job":
				if m := cronJobName.FindStringSubmatch(ref.Name); len(m) == 2 {
					meta.Name, tm.Kind, tm.APIVersion = m[1], "CronJob", "batch/v1"
				}
			}
			break
		}
	}
	if meta.Name == "" {
		meta.Name = pod.Name
	}
	return meta, tm
}

func formatLabels(l map[string]string) string {
	if len(l) == 0 {
		return "{}"
	}
	keys := slices.Sorted(maps.Keys(l))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + l[k]
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func joinRevisions(revs []string) string {
	out := make([]string, len(revs))
	for i, r := range revs {
		out[i] = istio.RevisionLabelValue(r)
	}
	return strings.Join(out, " and ")
}
