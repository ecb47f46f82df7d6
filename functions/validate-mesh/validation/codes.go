package validation

// meshfn's own finding codes. Each is documented in functions/validate-mesh/README.md with
// its level, meaning and fix; a test keeps the two in step.
const (
	// codeUnreadable: a resource (or a workload's pod template) Istio cannot read, so no
	// analyzer saw it. Error.
	codeUnreadable = "MFN0001"
	// codeMeshConfigInvalid: a mesh config ConfigMap (istio[-REV]) istiod cannot read. Error.
	codeMeshConfigInvalid = "MFN0002"
	// codeMeshConfigWarning: what Istio's validation warns about in a mesh config. Warning.
	codeMeshConfigWarning = "MFN0003"
	// codeNamespaceUnserved: a namespace selects a revision no control plane of the
	// package serves. Error.
	codeNamespaceUnserved = "MFN0004"
	// codePodUnserved: a workload's pods select a revision no control plane serves. Error.
	codePodUnserved = "MFN0005"
	// codeStaleRevision: a workload injected by another revision than the one that
	// selects it now. Error.
	codeStaleRevision = "MFN0006"
	// codeStaleProxy: a workload injected with another proxy image than its revision
	// injects now. Error.
	codeStaleProxy = "MFN0007"
	// codeSameProxy: two revisions inject the same proxy image. Warning.
	codeSameProxy = "MFN0008"
	// codeInjectedTwice: the webhooks of several revisions select a workload. Error.
	codeInjectedTwice = "MFN0009"
	// codeCAExpiring: a CA certificate expires within expiryWarning. Warning.
	codeCAExpiring = "MFN0010"
	// codeCAExpired: a CA certificate has expired, or is not valid yet. Error.
	codeCAExpired = "MFN0011"
	// codeCARoots: the CA bundles of the package chain to different roots. Error.
	codeCARoots = "MFN0012"
	// codeCAUnreadable: a CA bundle or CA Secret whose certificates cannot be read. Error.
	codeCAUnreadable = "MFN0013"
	// codeAmbientAndSidecar: a namespace labelled for ambient mode and for sidecar
	// injection; the sidecars win. Warning.
	codeAmbientAndSidecar = "MFN0014"
	// codeL7PolicyOnAmbient: an AuthorizationPolicy with HTTP attributes (or a CUSTOM or
	// AUDIT action) that applies to workloads in ambient mode by selector, not through a
	// waypoint. Error.
	codeL7PolicyOnAmbient = "MFN0015"
	// codeRoutesWithoutWaypoint: a VirtualService for a Service without a waypoint, whose
	// namespace runs workloads in ambient mode. Warning.
	codeRoutesWithoutWaypoint = "MFN0016"
	// codeMissingWaypoint: istio.io/use-waypoint names a waypoint the package does not
	// hold in a namespace it holds. Error.
	codeMissingWaypoint = "MFN0017"
	// codeUnsupportedRelease: a revision runs an Istio release older than the oldest
	// supported one meshfn knows. Error.
	codeUnsupportedRelease = "MFN0018"
	// codeAnalyzerFailed: one of Istio's analyzers crashed on a resource. Error.
	codeAnalyzerFailed = "MFN0019"
	// codeHostNotFound: a VirtualService for the mesh whose host names a cluster-local
	// Service the package does not hold and no ServiceEntry covers. Error.
	codeHostNotFound = "MFN0020"
)

// codes lists every MFN code with its level, for the README test.
var codes = map[string]string{
	codeUnreadable:        LevelError,
	codeMeshConfigInvalid: LevelError,
	codeMeshConfigWarning: LevelWarning,
	codeNamespaceUnserved: LevelError,
	codePodUnserved:       LevelError,
	codeStaleRevision:     LevelError,
	codeStaleProxy:        LevelError,
	codeSameProxy:         LevelWarning,
	codeInjectedTwice:     LevelError,
	codeCAExpiring:        LevelWarning,
	codeCAExpired:         LevelError,
	codeCARoots:           LevelError,
	codeCAUnreadable:      LevelError,

	codeAmbientAndSidecar:     LevelWarning,
	codeL7PolicyOnAmbient:     LevelError,
	codeRoutesWithoutWaypoint: LevelWarning,
	codeMissingWaypoint:       LevelError,

	codeUnsupportedRelease: LevelError,
	codeAnalyzerFailed:     LevelError,
	codeHostNotFound:       LevelError,
}
