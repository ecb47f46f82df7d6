package fleet

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/meshfn/meshfn/internal/controlplane"
	"github.com/meshfn/meshfn/internal/istio"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Webhook is one sidecar-injector webhook: which pods the API server sends to which
// revision's injector.
type Webhook struct {
	Config    string // the MutatingWebhookConfiguration's name
	Name      string // the webhook's name
	Revision  string // "" for the default revision
	Namespace string // where the injector service runs ("" for a URL)
	namespace labels.Selector
	object    labels.Selector
}

// webhookConfig is what one MutatingWebhookConfiguration holds of sidecar injection.
type webhookConfig struct {
	hooks []Webhook
	tag   string // the revision tag it installs (istio.io/tag), if any
}

type webhookJSON struct {
	Name              string                `json:"name"`
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector"`
	ObjectSelector    *metav1.LabelSelector `json:"objectSelector"`
	ClientConfig      struct {
		Service *struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"service"`
	} `json:"clientConfig"`
}

// parseWebhooks reads the injection webhooks of one MutatingWebhookConfiguration; their
// revision is its istio.io/rev label, else the istiod-REV service they call.
func parseWebhooks(mwc *yaml.RNode) (webhookConfig, error) {
	var out webhookConfig
	b, err := mwc.MarshalJSON()
	if err != nil {
		return out, err
	}
	var obj struct {
		Webhooks []webhookJSON `json:"webhooks"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return out, fmt.Errorf("reading webhooks: %w", err)
	}
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
		h := Webhook{Config: mwc.GetName(), Name: w.Name, Revision: rev}
		if w.ClientConfig.Service != nil {
			h.Namespace = w.ClientConfig.Service.Namespace
		}
		if h.namespace, err = selectorOf(w.NamespaceSelector); err != nil {
			return out, fmt.Errorf("webhook %s: namespaceSelector: %w", w.Name, err)
		}
		if h.object, err = selectorOf(w.ObjectSelector); err != nil {
			return out, fmt.Errorf("webhook %s: objectSelector: %w", w.Name, err)
		}
		out.hooks = append(out.hooks, h)
	}
	if len(out.hooks) > 0 {
		out.tag = mwc.GetLabels()[istio.TagLabel]
	}
	return out, nil
}

// installedWebhooks are the webhooks Istio installs for a revision (generate-revision's),
// for a revision the package declares without its webhook configuration.
func installedWebhooks(rev, namespace string) []Webhook {
	name := istio.RevisionLabelValue(rev)
	spec := controlplane.Spec{Revision: &name, Namespace: namespace}
	spec.Default()
	var out []Webhook
	for _, obj := range controlplane.Objects(spec) {
		if obj.GetKind() != "MutatingWebhookConfiguration" {
			continue
		}
		cfg, err := parseWebhooks(obj)
		if err != nil {
			panic(fmt.Sprintf("fleet: the webhooks generate-revision generates do not parse: %v", err))
		}
		out = append(out, cfg.hooks...)
	}
	return out
}

// selectorOf converts a webhook selector; an absent one matches everything, as in the API server.
func selectorOf(s *metav1.LabelSelector) (labels.Selector, error) {
	if s == nil {
		return labels.Everything(), nil
	}
	return metav1.LabelSelectorAsSelector(s)
}

// Match returns the revisions whose webhooks select a pod with podLabels in a namespace
// with nsLabels (sorted, "" for the default revision), and the webhooks that matched.
func (m *Mesh) Match(nsLabels, podLabels map[string]string) (revisions []string, hooks []string) {
	seen := map[string]bool{}
	for _, h := range m.webhooks {
		if h.namespace.Matches(labels.Set(nsLabels)) && h.object.Matches(labels.Set(podLabels)) {
			hooks = append(hooks, h.Config+"/"+h.Name)
			if !seen[h.Revision] {
				seen[h.Revision] = true
				revisions = append(revisions, h.Revision)
			}
		}
	}
	sort.Strings(revisions)
	return revisions, hooks
}
