package check

// meshfn's own finding codes. Each is documented in functions/validate-mesh/README.md with
// its level, meaning and fix; a test keeps the two in step. Reading the package reports
// CodeUnreadable (as every family may); each other code is one family's (Check.Codes).
const (
	// CodeUnreadable: a resource (or a workload's pod template) Istio cannot read, so no
	// analyzer saw it. Error.
	CodeUnreadable = "MFN0001"
	// CodeMeshConfigInvalid: a mesh config ConfigMap (istio[-REV]) istiod cannot read. Error.
	CodeMeshConfigInvalid = "MFN0002"
	// CodeMeshConfigWarning: what Istio's validation warns about in a mesh config. Warning.
	CodeMeshConfigWarning = "MFN0003"
	// CodeNamespaceUnserved: a namespace selects a revision no control plane of the
	// package serves. Error.
	CodeNamespaceUnserved = "MFN0004"
	// CodePodUnserved: a workload's pods select a revision no control plane serves. Error.
	CodePodUnserved = "MFN0005"
	// CodeStaleRevision: a workload injected by another revision than the one that
	// selects it now. Error.
	CodeStaleRevision = "MFN0006"
	// CodeStaleProxy: a workload injected with another proxy image than its revision
	// injects now. Error.
	CodeStaleProxy = "MFN0007"
	// CodeSameProxy: two revisions inject the same proxy image. Warning.
	CodeSameProxy = "MFN0008"
	// CodeInjectedTwice: the webhooks of several revisions select a workload. Error.
	CodeInjectedTwice = "MFN0009"
	// CodeCAExpiring: a CA certificate expires within expiryWarning. Warning.
	CodeCAExpiring = "MFN0010"
	// CodeCAExpired: a CA certificate has expired, or is not valid yet. Error.
	CodeCAExpired = "MFN0011"
	// CodeCARoots: the CA bundles of the package chain to different roots. Error.
	CodeCARoots = "MFN0012"
	// CodeCAUnreadable: a CA bundle or CA Secret whose certificates cannot be read. Error.
	CodeCAUnreadable = "MFN0013"
	// CodeAmbientAndSidecar: a namespace labelled for ambient mode and for sidecar
	// injection; the sidecars win. Warning.
	CodeAmbientAndSidecar = "MFN0014"
	// CodeL7PolicyOnAmbient: an AuthorizationPolicy with HTTP attributes (or a CUSTOM or
	// AUDIT action) that applies to workloads in ambient mode by selector, not through a
	// waypoint. Error.
	CodeL7PolicyOnAmbient = "MFN0015"
	// CodeRoutesWithoutWaypoint: a VirtualService for a Service without a waypoint, whose
	// namespace runs workloads in ambient mode. Warning.
	CodeRoutesWithoutWaypoint = "MFN0016"
	// CodeMissingWaypoint: istio.io/use-waypoint names a waypoint the package does not
	// hold in a namespace it holds. Error.
	CodeMissingWaypoint = "MFN0017"
	// CodeUnsupportedRelease: a revision runs an Istio release older than the oldest
	// supported one meshfn knows. Error.
	CodeUnsupportedRelease = "MFN0018"
	// CodeAnalyzerFailed: one of Istio's analyzers crashed on a resource. Error.
	CodeAnalyzerFailed = "MFN0019"
	// CodeHostNotFound: a VirtualService for the mesh whose host names a cluster-local
	// Service the package does not hold and no ServiceEntry covers. Error.
	CodeHostNotFound = "MFN0020"
)

// Levels are the levels of the findings of each MFN code.
var Levels = map[string]string{
	CodeUnreadable:        LevelError,
	CodeMeshConfigInvalid: LevelError,
	CodeMeshConfigWarning: LevelWarning,
	CodeNamespaceUnserved: LevelError,
	CodePodUnserved:       LevelError,
	CodeStaleRevision:     LevelError,
	CodeStaleProxy:        LevelError,
	CodeSameProxy:         LevelWarning,
	CodeInjectedTwice:     LevelError,
	CodeCAExpiring:        LevelWarning,
	CodeCAExpired:         LevelError,
	CodeCARoots:           LevelError,
	CodeCAUnreadable:      LevelError,

	CodeAmbientAndSidecar:     LevelWarning,
	CodeL7PolicyOnAmbient:     LevelError,
	CodeRoutesWithoutWaypoint: LevelWarning,
	CodeMissingWaypoint:       LevelError,

	CodeUnsupportedRelease: LevelError,
	CodeAnalyzerFailed:     LevelError,
	CodeHostNotFound:       LevelError,
}
