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
)

// codes lists every MFN code with its level, for the README test.
var codes = map[string]string{
	codeUnreadable:        LevelError,
	codeMeshConfigInvalid: LevelError,
	codeMeshConfigWarning: LevelWarning,
}
