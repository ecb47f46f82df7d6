// Package check is what every family of validate-mesh's checks shares: the package as
// validate-mesh read it (Package), the findings they report (Finding), meshfn's finding
// codes, and what each family gives (Check: its name, codes and Run). A new family is a
// package giving a Check, listed in the validation package's checks; its codes go in
// codes.go (and the README's table, which a test keeps in step).
package check

import (
	"time"

	"github.com/meshfn/meshfn/internal/fleet"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Check is one family of checks (meshfn's fleet checks, the CA checks, Istio's
// analyzers...).
type Check struct {
	// Name names the family, for tests.
	Name string
	// Codes are the MFN codes the family reports (Levels has their levels).
	Codes []string
	// Run reports the family's findings about the package. An error is a failure that
	// has no better place in the results.
	Run func(p *Package) ([]*Finding, error)
}

// Levels a finding can have, from the most to the least severe.
const (
	LevelError   = "error"
	LevelWarning = "warning"
	LevelInfo    = "info"
)

// Settings are the settings of the config the checks read.
type Settings struct {
	// IstioNamespace is the control plane's namespace.
	IstioNamespace string
	// DefaultNamespace is the namespace of namespaced resources that name none ("" for
	// none).
	DefaultNamespace string
	// ValidAt is the time certificates must be valid at; ExpiryWarning how long before
	// they expire they are a warning.
	ValidAt       time.Time
	ExpiryWarning time.Duration
}

// Package is the package as the checks read it, in the order of its items.
type Package struct {
	Settings Settings
	// All are every item; Items the resources (all but package meta: the Kptfile,
	// functions' local configs); Namespaces the v1 Namespaces among them.
	All, Items, Namespaces []*yaml.RNode
	// Pods are the workloads analysed as their pods, and Views what each pod template
	// says about injection (Views[i] is Pods[i]'s). Istio's analyzers, which run last,
	// drop the views.
	Pods  []Pod
	Views []PodView
	// Mesh is the package's control planes, as inject-sidecar reads them; nil when the
	// package holds none (the revision checks are then skipped).
	Mesh *fleet.Mesh
	// Converted are the items and pods converted for Istio's store while reading, by
	// document name (ItemDoc, PodDoc).
	Converted map[string]Conversion
}
