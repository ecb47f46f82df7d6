package controlplane

import (
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// requirement is one matchExpressions entry of a label selector.
func requirement(key, op string, values ...string) *yaml.RNode {
	var v any
	if len(values) > 0 {
		v = values
	}
	return krm.Map(krm.F("key", key), krm.F("operator", op), krm.F("values", v))
}

func selector(reqs ...any) *yaml.RNode {
	return krm.Map(krm.F("matchExpressions", krm.List(reqs...)))
}

// injectionWebhook is one webhook of the injector: the chart's "core" block plus selectors.
func (r revision) injectionWebhook(prefix string, namespaceSelector, objectSelector *yaml.RNode) *yaml.RNode {
	var client *yaml.RNode
	var caBundle any
	if r.CABundle != "" {
		caBundle = r.CABundle
	}
	if r.InjectionURL != "" {
		client = krm.Map(krm.F("url", r.InjectionURL), krm.F("caBundle", caBundle))
	} else {
		client = krm.Map(
			krm.F("service", krm.Map(
				krm.F("name", r.service),
				krm.F("namespace", r.Namespace),
				krm.F("path", r.InjectionPath),
				krm.F("port", 443))),
			krm.F("caBundle", caBundle))
	}
	return krm.Map(
		krm.F("name", prefix+injectorWebhookSuffix),
		krm.F("clientConfig", client),
		krm.F("sideEffects", "None"),
		krm.F("rules", krm.List(krm.Map(
			krm.F("operations", []string{"CREATE"}),
			krm.F("apiGroups", []string{""}),
			krm.F("apiVersions", []string{"v1"}),
			krm.F("resources", []string{"pods"})))),
		krm.F("failurePolicy", r.FailurePolicy),
		krm.F("reinvocationPolicy", r.ReinvocationPolicy),
		krm.F("admissionReviewVersions", []string{"v1"}),
		krm.F("namespaceSelector", namespaceSelector),
		krm.F("objectSelector", objectSelector))
}

// revisionWebhooks select namespaces labelled istio.io/rev=value (unless they also carry
// the legacy istio-injection label, which wins), and pods labelled istio.io/rev=value in
// namespaces with neither label. Pods labelled sidecar.istio.io/inject=false are left out.
func (r revision) revisionWebhooks(value string) []any {
	notDisabled := requirement(istio.InjectLabel, "NotIn", "false")
	return []any{
		r.injectionWebhook("rev.namespace.",
			selector(requirement(istio.RevisionLabel, "In", value), requirement(istio.InjectionLabel, "DoesNotExist")),
			selector(notDisabled)),
		r.injectionWebhook("rev.object.",
			selector(requirement(istio.RevisionLabel, "DoesNotExist"), requirement(istio.InjectionLabel, "DoesNotExist")),
			selector(requirement(istio.InjectLabel, "NotIn", "false"), requirement(istio.RevisionLabel, "In", value))),
	}
}

// defaultWebhooks are the default injector's: namespaces labelled istio-injection=enabled,
// pods labelled sidecar.istio.io/inject=true in unlabelled namespaces, and with
// enableNamespacesByDefault every pod of every unlabelled namespace but the system ones.
func (r revision) defaultWebhooks() []any {
	webhooks := []any{
		r.injectionWebhook("namespace.",
			selector(requirement(istio.InjectionLabel, "In", "enabled")),
			selector(requirement(istio.InjectLabel, "NotIn", "false"))),
		r.injectionWebhook("object.",
			selector(requirement(istio.InjectionLabel, "DoesNotExist"), requirement(istio.RevisionLabel, "DoesNotExist")),
			selector(requirement(istio.InjectLabel, "In", "true"), requirement(istio.RevisionLabel, "DoesNotExist"))),
	}
	if r.EnableNamespacesByDefault {
		webhooks = append(webhooks, r.injectionWebhook("auto.",
			selector(
				requirement(istio.InjectionLabel, "DoesNotExist"),
				requirement(istio.RevisionLabel, "DoesNotExist"),
				requirement(istio.NamespaceNameLabel, "NotIn", istio.IgnoredNamespaces...)),
			selector(requirement(istio.InjectLabel, "DoesNotExist"), requirement(istio.RevisionLabel, "DoesNotExist"))))
	}
	return webhooks
}

// validator is the revision's ValidatingWebhookConfiguration for Istio's config APIs.
func (r revision) validator() *yaml.RNode {
	var caBundle any
	if r.CABundle != "" {
		caBundle = r.CABundle
	}
	client := krm.Map(
		krm.F("service", krm.Map(
			krm.F("name", r.service),
			krm.F("namespace", r.Namespace),
			krm.F("path", "/validate"))),
		krm.F("caBundle", caBundle))
	if r.ValidationURL != "" {
		client = krm.Map(krm.F("url", r.ValidationURL), krm.F("caBundle", caBundle))
	}
	labels := append([]krm.Field{
		krm.F("app", "istiod"),
		krm.F("release", releaseName),
		krm.F("istio", "istiod"),
		krm.F(istio.RevisionLabel, r.revLabel),
		krm.F("app.kubernetes.io/name", "istiod"),
	}, commonLabels()...)
	webhook := krm.Map(
		krm.F("name", validationWebhookName),
		krm.F("clientConfig", client),
		krm.F("rules", krm.List(krm.Map(
			krm.F("operations", []string{"CREATE", "UPDATE"}),
			krm.F("apiGroups", []string{"security.istio.io", "networking.istio.io", "telemetry.istio.io", "extensions.istio.io"}),
			krm.F("apiVersions", []string{"*"}),
			krm.F("resources", []string{"*"})))),
		krm.F("failurePolicy", r.ValidationFailurePolicy),
		krm.F("sideEffects", "None"),
		krm.F("admissionReviewVersions", []string{"v1"}),
		krm.F("objectSelector", selector(requirement(istio.RevisionLabel, "In", r.revLabel))))
	return krm.Map(
		krm.F("apiVersion", "admissionregistration.k8s.io/v1"),
		krm.F("kind", "ValidatingWebhookConfiguration"),
		krm.F("metadata", metadata(istio.Suffixed("istio-validator", r.name)+"-"+r.Namespace, "", labels)),
		krm.F("webhooks", krm.List(webhook)))
}
