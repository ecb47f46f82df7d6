package validation

import (
	"maps"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/ambientcheck"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/cacheck"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/fleetcheck"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/hostcheck"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/istiocheck"
)

// checks are the families of checks, in the order they run. Istio's analyzers run last:
// they shrink the items to what findings name. Each family's MFN codes are documented in
// functions/validate-mesh/README.md with their level, meaning and fix; a test keeps the
// two in step.
var checks = []check.Check{
	fleetcheck.Check{},
	ambientcheck.Check{},
	hostcheck.Check{},
	cacheck.Check{},
	istiocheck.Check{},
}

// codes lists every MFN code with its level: reading the package reports
// check.CodeUnreadable, and each family its own.
func codes() map[string]string {
	all := map[string]string{check.CodeUnreadable: check.LevelError}
	for _, c := range checks {
		maps.Copy(all, c.Codes())
	}
	return all
}
