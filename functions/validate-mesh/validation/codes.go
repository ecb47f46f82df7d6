package validation

import (
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/ambientcheck"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/cacheck"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/fleetcheck"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/hostcheck"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/istiocheck"
)

// checks are the families of checks, in the order they run. Istio's analyzers run last:
// they shrink the items to what findings name, and drop the pods' views.
var checks = []check.Check{
	fleetcheck.Check,
	ambientcheck.Check,
	hostcheck.Check,
	cacheck.Check,
	istiocheck.Check,
}
