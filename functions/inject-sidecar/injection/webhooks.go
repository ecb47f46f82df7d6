package injection

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/meshfn/meshfn/internal/controlplane"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// injectionWebhook is one sidecar-injector webhook: which pods the API server sends to
// which revision's injector.
type injectionWebhook struct {
	config    string // the MutatingWebhookConfiguration's name
	name      string // the webhook's name
	revision  string // "" for the default revision
	namespace labels.Selector
	object    labels.Selector
}

// webhookSet is every injection webhook the cluster has.
type webhookSet struct {
	hooks []injectionWebhook
	// synthesized is true when the package held none and the webhooks of the configured
	// revision are assumed.
	synthesized bool
}

// readWebhooks collects the sidecar-injector webhooks of the package's
// MutatingWebhookConfigurations. Without any, it assumes the webhooks Istio installs for
// revision (generate-revision's).
func readWebhooks(items []*yaml.RNode, revision string) (webhookSet, error) {
	var set webhookSet
	for _, it := range items {
		if it.GetKind() != "MutatingWebhookConfiguration" || krm.IsPackageMeta(it) {
			continue
		}
		hooks, err := parseWebhooks(it)
		if err != nil {
			return set, fmt.Errorf("%s: %w", krm.Describe(it), err)
		}
		set.hooks = append(set.hooks, hooks...)
	}
	if len(set.hooks) > 0 {
		return set, nil
	}
	rev := revision
	if rev == "" {
		rev = istio.DefaultRevision
	}
	spec := controlplane.Spec{Revision: &rev}
	spec.Default()
	for _, obj := range controlplane.Objects(spec) {
		if obj.GetKind() != "MutatingWebhookConfiguration" {
			continue
		}
		hooks, err := parseWebhooks(obj)
		if err != nil {
			return set, err
		}
		set.hooks = append(set.hooks, hooks...)
	}
	set.synthesized = true
	return set, nil
}

type webhookJSON struct {
	Name              string                `json:"name"`
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector"`
	ObjectSelector    *metav1.LabelSelector `json:"objectSelector"`
	ClientConfig      struct {
		Service *struct {
			Name string `json:"name"`
		} `json:"service"`
	} `json:"clientConfig"`
}

// parseWebhooks reads the injection webhooks of one MutatingWebhookConfiguration; its
// revision is its istio.io/rev label, else the istiod-REV service it calls.
func parseWebhooks(mwc *yaml.RNode) ([]injectionWebhook, error) {
	b, err := mwc.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var obj struct {
		Webhooks []webhookJSON `json:"webhooks"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("reading webhooks: %w", err)
	}
	var out []injectionWebhook
	for _, w := range obj.Webhooks {
		if !strings.HasSuffix(w.Name, "sidecar-injector.istio.io") {
			continue
		}
		rev, ok := mwc.GetLabels()[istio.RevisionLabel]
		if !ok && w.ClientConfig.Service != nil {
			rev = strings.TrimPrefix(strings.TrimPrefix(w.ClientConfig.Service.Name, "istiod"), "-")
		}
		if istio.IsDefaultRevision(rev) {
			rev = ""
		}
		h := injectionWebhook{config: mwc.GetName(), name: w.Name, revision: rev}
		if h.namespace, err = selectorOf(w.NamespaceSelector); err != nil {
			return nil, fmt.Errorf("webhook %s: namespaceSelector: %w", w.Name, err)
		}
		if h.object, err = selectorOf(w.ObjectSelector); err != nil {
			return nil, fmt.Errorf("webhook %s: objectSelector: %w", w.Name, err)
		}
		out = append(out, h)
	}
	return out, nil
}

// selectorOf converts a webhook selector; an absent one matches everything, as in the API server.
func selectorOf(s *metav1.LabelSelector) (labels.Selector, error) {
	if s == nil {
		return labels.Everything(), nil
	}
	return metav1.LabelSelectorAsSelector(s)
}

// match returns the revisions whose webhooks select a pod with podLabels in a namespace
// with nsLabels, and the webhooks that matched.
func (set webhookSet) match(nsLabels, podLabels map[string]string) (revisions []string, hooks []string) {
	seen := map[string]bool{}
	for _, h := range set.hooks {
		if h.namespace.Matches(labels.Set(nsLabels)) && h.object.Matches(labels.Set(podLabels)) {
			hooks = append(hooks, h.config+"/"+h.name)
			if !seen[h.revision] {
				seen[h.revision] = true
				revisions = append(revisions, h.revision)
			}
		}
	}
	sort.Strings(revisions)
	return revisions, hooks
}
