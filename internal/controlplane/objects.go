package controlplane

import (
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Webhook and service names, as the istio-discovery chart spells them.
const (
	injectorWebhookSuffix = "sidecar-injector.istio.io"
	validationWebhookName = "rev.validation.istio.io"
	releaseName           = "istiod" // the chart's documented release name
)

// revision is a Spec with its derived names.
type revision struct {
	Spec
	name     string // "" for the default revision
	revLabel string // value of istio.io/rev: the revision, or "default"
	service  string // istiod or istiod-REV
}

func newRevision(s Spec) revision {
	r := revision{Spec: s, revLabel: istio.RevisionLabelValue(*s.Revision), service: istio.Suffixed("istiod", *s.Revision)}
	if !istio.IsDefaultRevision(*s.Revision) {
		r.name = *s.Revision
	}
	return r
}

// Objects returns everything the chart renders for the revision, in the chart's order,
// and the revision's RevisionInjector.
func Objects(s Spec) []*yaml.RNode {
	r := newRevision(s)
	var objs []*yaml.RNode
	if r.InjectionURL == "" {
		objs = append(objs, r.istiodService(r.service, nil))
	}
	objs = append(objs, r.injector())
	if *r.Validation {
		objs = append(objs, r.validator())
	}
	for _, tag := range r.Tags {
		// The chart renders a tag's Service even for a remote control plane.
		objs = append(objs, r.tagInjector(tag), r.istiodService("istiod-revision-tag-"+tag, &tag))
	}
	return append(objs, r.revisionInjector())
}

// commonLabels are the chart's istio.labels (those that do not name Helm itself).
func commonLabels() []krm.Field {
	return []krm.Field{
		krm.F("app.kubernetes.io/instance", releaseName),
		krm.F("app.kubernetes.io/part-of", "istio"),
	}
}

func metadata(name, namespace string, labels []krm.Field) *yaml.RNode {
	var ns any
	if namespace != "" {
		ns = namespace
	}
	return krm.Map(krm.F("name", name), krm.F("namespace", ns), krm.F("labels", krm.Map(labels...)))
}

// istiodService is the istiod Service of the revision, or of a tag when tag is set.
func (r revision) istiodService(name string, tag *string) *yaml.RNode {
	labels := []krm.Field{krm.F(istio.RevisionLabel, r.revLabel)}
	if tag != nil {
		labels = append(labels, krm.F(istio.TagLabel, *tag))
	}
	labels = append(labels,
		krm.F("install.operator.istio.io/owning-resource", "unknown"),
		krm.F("operator.istio.io/component", "Pilot"),
		krm.F("app", "istiod"),
		krm.F("istio", "pilot"),
		krm.F("release", releaseName),
		krm.F("app.kubernetes.io/name", "istiod"))
	labels = append(labels, commonLabels()...)

	selector := krm.Map(krm.F("app", "istiod"), krm.F(istio.RevisionLabel, r.name))
	if r.name == "" {
		// The default Service selects by "istio: pilot" so it never picks a canary's pods.
		selector = krm.Map(krm.F("app", "istiod"), krm.F("istio", "pilot"))
	}
	port := func(port int, name string, target int) *yaml.RNode {
		var t any
		if target != 0 {
			t = target
		}
		return krm.Map(krm.F("port", port), krm.F("name", name), krm.F("targetPort", t), krm.F("protocol", "TCP"))
	}
	return krm.Map(
		krm.F("apiVersion", "v1"),
		krm.F("kind", "Service"),
		krm.F("metadata", metadata(name, r.Namespace, labels)),
		krm.F("spec", krm.Map(
			krm.F("ports", krm.List(
				port(15010, "grpc-xds", 0),
				port(15012, "https-dns", 0),
				port(443, "https-webhook", 15017),
				port(15014, "http-monitoring", 0))),
			krm.F("selector", selector))))
}

// nameInNamespace adds the namespace to a cluster-scoped name outside istio-system, as the
// chart does so that control planes in several namespaces do not collide.
func (r revision) nameInNamespace(name string) string {
	if r.Namespace == istio.DefaultNamespace {
		return name
	}
	return name + "-" + r.Namespace
}

func (r revision) injectorLabels(tag *string) []krm.Field {
	var labels []krm.Field
	if tag != nil {
		labels = append(labels, krm.F(istio.TagLabel, *tag))
	}
	labels = append(labels,
		krm.F(istio.RevisionLabel, r.revLabel),
		krm.F("install.operator.istio.io/owning-resource", "unknown"),
		krm.F("operator.istio.io/component", "Pilot"),
		krm.F("app", "sidecar-injector"),
		krm.F("release", releaseName),
		krm.F("app.kubernetes.io/name", "istiod"))
	return append(labels, commonLabels()...)
}

func mutatingWebhookConfiguration(name string, labels []krm.Field, webhooks []any) *yaml.RNode {
	return krm.Map(
		krm.F("apiVersion", "admissionregistration.k8s.io/v1"),
		krm.F("kind", "MutatingWebhookConfiguration"),
		krm.F("metadata", metadata(name, "", labels)),
		krm.F("webhooks", krm.List(webhooks...)))
}

// injector is the revision's MutatingWebhookConfiguration.
func (r revision) injector() *yaml.RNode {
	webhooks := r.revisionWebhooks(r.revLabel)
	if r.name == "" {
		webhooks = append(webhooks, r.defaultWebhooks()...)
	}
	return mutatingWebhookConfiguration(r.nameInNamespace(istio.Suffixed("istio-sidecar-injector", r.name)),
		r.injectorLabels(nil), webhooks)
}

// tagInjector is the MutatingWebhookConfiguration of a revision tag: the revision's webhooks
// selecting on the tag's name, and the default webhooks for the tag "default".
func (r revision) tagInjector(tag string) *yaml.RNode {
	webhooks := r.revisionWebhooks(tag)
	if tag == istio.DefaultRevision {
		webhooks = append(webhooks, r.defaultWebhooks()...)
	}
	return mutatingWebhookConfiguration(r.nameInNamespace("istio-revision-tag-"+tag), r.injectorLabels(&tag), webhooks)
}
