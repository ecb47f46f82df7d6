package istio

import (
	"slices"

	"istio.io/api/label"
)

// InjectLabel is the pod label (and legacy annotation) that opts a pod in or out of
// sidecar injection. (StatusAnnotation, on injected pods, is in ambient.go.)
var InjectLabel = label.SidecarInject.Name

// NamespaceNameLabel is the label the API server sets on every namespace to its name; the
// namespace selectors of Istio's webhooks and controllers match it.
const NamespaceNameLabel = "kubernetes.io/metadata.name"

// IgnoredNamespaces are never injected: Istio's injector skips their pods, and its charts'
// "namespaces by default" webhook excludes them by name. They are Kubernetes' own
// namespaces and kind's local-path-storage.
var IgnoredNamespaces = append(slices.Clip(SystemNamespaces), "local-path-storage")

// IsIgnoredNamespace reports whether the injector never injects pods of ns.
func IsIgnoredNamespace(ns string) bool { return slices.Contains(IgnoredNamespaces, ns) }
