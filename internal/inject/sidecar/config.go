// Package sidecar injects the workloads of a package, in memory, on their YAML nodes: it
// finds them, decides per workload, as the cluster's injector would, whether and by which
// revision its pods are injected, and renders the injection into the workload's pod
// template (with a revert record, so that re-injection is exact and uninject possible).
// Its config is SidecarInjection's. inject-sidecar runs it as a KRM function;
// validate-mesh runs it to see the workloads as the cluster's webhook would admit them.
package sidecar

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/istio"
)

// Kind is the typed kind of the function config.
const Kind = "SidecarInjection"

// Modes of deciding which workloads are injected.
const (
	// ModeWebhook decides as the cluster does at admission: namespace and pod labels,
	// the revisions' webhooks, then the injector's policy.
	ModeWebhook = "webhook"
	// ModeAlways injects every workload that does not opt out, like istioctl kube-inject.
	ModeAlways = "always"
)

// Actions.
const (
	ActionInject   = "inject"
	ActionUninject = "uninject"
)

// NamespaceLabels gives the labels (and, for OpenShift, annotations) of a namespace that
// is not in the package.
type NamespaceLabels struct {
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Spec is the configuration of inject-sidecar (SidecarInjection).
type Spec struct {
	// Mode is webhook (default) or always.
	Mode string `json:"mode,omitempty"`
	// Action is inject (default) or uninject.
	Action string `json:"action,omitempty"`
	// Revision is the revision that injects in mode always, and the revision assumed
	// installed in mode webhook when the package holds no control plane at all (no
	// webhooks, RevisionInjector or injector ConfigMap). Default: the default revision.
	Revision string `json:"revision,omitempty"`
	// Namespaces gives the labels of namespaces that live outside the package.
	Namespaces []NamespaceLabels `json:"namespaces,omitempty"`
	// DefaultNamespace is the namespace of workloads that name none. Default "default".
	DefaultNamespace string `json:"defaultNamespace,omitempty"`
	// NativeSidecars is auto (default), true or false: whether istio-proxy runs as a
	// native sidecar (an init container with restartPolicy Always). auto follows
	// KubernetesVersion, as Istio follows the cluster's nodes (1.33 and later: native).
	NativeSidecars string `json:"nativeSidecars,omitempty"`
	// KubernetesVersion is the version of the cluster's nodes, e.g. "1.33", for
	// nativeSidecars auto. Without it, auto means classic sidecars.
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// CompliancePolicy is istiod's COMPLIANCE_POLICY (e.g. fips-140-3).
	CompliancePolicy string `json:"compliancePolicy,omitempty"`
	// Cluster and Network are what a remote injector reads from its URL
	// (/inject/cluster/C/net/N): ISTIO_META_CLUSTER_ID and ISTIO_META_NETWORK.
	Cluster string `json:"cluster,omitempty"`
	Network string `json:"network,omitempty"`
	// Hub and Tag set the proxy image of the built-in injector, for revisions that declare
	// none (a RevisionInjector without hub or tag) and hold no injector ConfigMaps in the
	// package. Defaults: Istio's release hub and the version of the release injected.
	Hub string `json:"hub,omitempty"`
	Tag string `json:"tag,omitempty"`
	// IstioVersion is the Istio release ("1.29" or "1.29.6") of revisions that say none:
	// no version in their proxy tag, no istioVersion of their own, no release in their
	// ConfigMaps. A Tag that is a version decides it for revisions that declare no tag.
	// Default: the newest release meshfn knows.
	IstioVersion string `json:"istioVersion,omitempty"`
	// Platform is istiod's PLATFORM: "" or openshift, where the proxy's UID and GID come
	// from the namespace's openshift.io/sa.scc.* annotations.
	Platform string `json:"platform,omitempty"`
}

var _ fnconfig.Spec = (*Spec)(nil)

// Default fills in the defaults.
func (s *Spec) Default() {
	if s.Mode == "" {
		s.Mode = ModeWebhook
	}
	if s.Action == "" {
		s.Action = ActionInject
	}
	if s.DefaultNamespace == "" {
		s.DefaultNamespace = "default"
	}
	if s.NativeSidecars == "" {
		s.NativeSidecars = "auto"
	}
}

// Validate reports every problem of the spec.
func (s *Spec) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, fnconfig.FieldError(field, format, args...))
	}
	if s.Mode != ModeWebhook && s.Mode != ModeAlways {
		add("spec.mode", "%q is not one of [webhook always]", s.Mode)
	}
	if s.Action != ActionInject && s.Action != ActionUninject {
		add("spec.action", "%q is not one of [inject uninject]", s.Action)
	}
	if s.Revision != "" && !istio.IsDefaultRevision(s.Revision) {
		if err := istio.ValidateRevision(s.Revision); err != nil {
			add("spec.revision", "%v", err)
		}
	}
	if s.Platform != "" && s.Platform != "openshift" {
		add("spec.platform", "%q is not one of [\"\" openshift]", s.Platform)
	}
	switch s.NativeSidecars {
	case "auto", "true", "false":
	default:
		add("spec.nativeSidecars", "%q is not one of [auto true false]", s.NativeSidecars)
	}
	if s.KubernetesVersion != "" {
		if _, err := kubernetesMinor(s.KubernetesVersion); err != nil {
			add("spec.kubernetesVersion", "%v", err)
		}
	}
	errs = append(errs, builtin.CheckImage(s.Hub, s.Tag, "spec.")...)
	errs = append(errs, builtin.CheckRelease(s.Tag, s.IstioVersion, "spec.")...)
	seen := map[string]bool{}
	for i, ns := range s.Namespaces {
		if err := istio.ValidateRevision(ns.Name); err != nil {
			add(fmt.Sprintf("spec.namespaces[%d].name", i), "%v", err)
		}
		if seen[ns.Name] {
			add(fmt.Sprintf("spec.namespaces[%d].name", i), "namespace %q is listed twice", ns.Name)
		}
		seen[ns.Name] = true
	}
	return errors.Join(errs...)
}

// kubernetesMinor reads the minor version of "1.33", "v1.33.2" or "1.33.0-gke.1".
func kubernetesMinor(v string) (int, error) {
	parts := strings.Split(strings.TrimPrefix(v, "v"), ".")
	if len(parts) < 2 || parts[0] != "1" {
		return 0, fmt.Errorf("%q is not a Kubernetes version like 1.33", v)
	}
	minor, err := strconv.Atoi(strings.SplitN(parts[1], "-", 2)[0])
	if err != nil {
		return 0, fmt.Errorf("%q is not a Kubernetes version like 1.33", v)
	}
	return minor, nil
}

// nativeDecision is the injector's native-sidecar decision (before the pod annotation).
func (s *Spec) nativeDecision() bool {
	switch s.NativeSidecars {
	case "true":
		return true
	case "false":
		return false
	}
	if s.KubernetesVersion == "" {
		return false
	}
	minor, _ := kubernetesMinor(s.KubernetesVersion)
	return minor >= 33
}
