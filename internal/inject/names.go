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
	annotationNativeSidecar   = annotation.SidecarNativeSidecar.Name
	annotationInterception    = annotation.SidecarInterceptionMode.Name
	annotationMergeMetrics    = annotation.PrometheusMergeMetrics.Name
	labelNetwork              = label.TopologyNetwork.Name
)
