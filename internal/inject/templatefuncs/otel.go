package templatefuncs

import (
	"strings"

	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// Annotations a workload can set to override the OpenTelemetry service
// attributes, and the label used for the version.
const (
	otelNamespaceAnnotation  = "resource.opentelemetry.io/service.namespace"
	otelVersionAnnotation    = "resource.opentelemetry.io/service.version"
	otelInstanceIDAnnotation = "resource.opentelemetry.io/service.instance.id"
	appVersionLabel          = "app.kubernetes.io/version"
)

// otelResourceAttributes computes the value of OTEL_RESOURCE_ATTRIBUTES for
// the sidecar: "" unless some OpenTelemetry extension provider of mc asks for
// OTEL_SEMANTIC_CONVENTIONS enrichment; otherwise a comma-separated list of
//
//   - service.namespace: its annotation, else namespace (omitted if empty);
//   - service.version: its annotation, else the app.kubernetes.io/version
//     label, else, for a pod with exactly one container, that image's
//     "tag@digest", digest or tag (omitted if none applies);
//   - service.instance.id: its annotation, else
//     "<namespace>.$(POD_NAME).<first container name>" when there are
//     containers ($(POD_NAME) is expanded by the kubelet).
//
// Empty annotation and label values count as absent.
func otelResourceAttributes(mc *meshv1.MeshConfig, annotations, labels map[string]string,
	namespace string, containers []corev1.Container,
) string {
	if !wantsOtelSemanticConventions(mc) {
		return ""
	}
	var attrs []string
	add := func(key, value string) { attrs = append(attrs, key+"="+value) }

	if v := annotations[otelNamespaceAnnotation]; v != "" {
		add("service.namespace", v)
	} else if namespace != "" {
		add("service.namespace", namespace)
	}

	if v := otelServiceVersion(annotations, labels, containers); v != "" {
		add("service.version", v)
	}

	if v := annotations[otelInstanceIDAnnotation]; v != "" {
		add("service.instance.id", v)
	} else if len(containers) > 0 {
		add("service.instance.id", namespace+".$(POD_NAME)."+containers[0].Name)
	}
	return strings.Join(attrs, ",")
}

// wantsOtelSemanticConventions reports whether any OpenTelemetry provider of
// mc (nil allowed) enables OTEL_SEMANTIC_CONVENTIONS enrichment.
func wantsOtelSemanticConventions(mc *meshv1.MeshConfig) bool {
	for _, p := range mc.GetExtensionProviders() {
		otel := p.GetOpentelemetry()
		if otel != nil && otel.GetServiceAttributeEnrichment() ==
			meshv1.MeshConfig_ExtensionProvider_OTEL_SEMANTIC_CONVENTIONS {
			return true
		}
	}
	return false
}

// otelServiceVersion picks service.version, or "" when none applies.
func otelServiceVersion(annotations, labels map[string]string, containers []corev1.Container) string {
	if v := annotations[otelVersionAnnotation]; v != "" {
		return v
	}
	if v := labels[appVersionLabel]; v != "" {
		return v
	}
	if len(containers) != 1 {
		return ""
	}
	tag, digest := imageTagDigest(containers[0].Image)
	switch {
	case tag != "" && digest != "":
		return tag + "@" + digest
	case digest != "":
		return digest
	default:
		return tag
	}
}

// imageTagDigest splits an image reference [registry[:port]/]name[:tag][@digest]
// into its tag and digest (either may be ""). The digest is everything after
// the first "@"; the tag is what follows a ":" after the last "/".
func imageTagDigest(image string) (tag, digest string) {
	if at := strings.IndexByte(image, '@'); at >= 0 {
		image, digest = image[:at], image[at+1:]
	}
	colon := strings.LastIndexByte(image, ':')
	if colon > strings.LastIndexByte(image, '/') {
		tag = image[colon+1:]
	}
	return tag, digest
}
