package inject

import (
	"istio.io/api/annotation"
	"istio.io/api/label"
)

// Container names the injector knows.
const (
	ProxyContainer      = "istio-proxy"
	InitContainer       = "istio-init"
	ValidationContainer = "istio-validation"
	CoreDumpContainer   = "enable-core-dump"
)

// autoImage in a user-supplied istio-proxy container keeps the injected image.
const autoImage = "auto"

// Annotation and label names, from istio.io/api.
var (
	annotationInjectTemplates = annotation.InjectTemplates.Name
	annotationProxyConfig     = annotation.ProxyConfig.Name
	annotationProxyOverrides  = annotation.ProxyOverrides.Name
	annotationProxyImageType  = annotation.SidecarProxyImageType.Name
	annotationStatus          = annotation.SidecarStatus.Name
	annotationNativeSidecar   = annotation.SidecarNativeSidecar.Name
	annotationInterception    = annotation.SidecarInterceptionMode.Name
	annotationMergeMetrics    = annotation.PrometheusMergeMetrics.Name
	// InjectKey is sidecar.istio.io/inject: a pod label, or (legacy) annotation.
	InjectKey        = label.SidecarInject.Name
	labelNetwork     = label.TopologyNetwork.Name
	annotationInject = annotation.SidecarInject.Name
)

// IgnoredNamespaces are never injected.
var IgnoredNamespaces = []string{"kube-system", "kube-public", "kube-node-lease", "local-path-storage"}
