package nsrevision

import (
	"errors"
	"fmt"

	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/istio"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Kind is the typed form of the function config (apiVersion fn.meshfn.dev/v1alpha1).
const Kind = fnconfig.NamespaceRevisionKind

// Spec is the function config: which Namespaces to point at which revision.
type Spec struct {
	// Revision is written as is into the istio.io/rev label of every selected Namespace:
	// a revision name ("canary", "1-24-0"), a revision tag ("stable"), or "default".
	// Required.
	Revision string `json:"revision"`
	// Namespaces names Namespaces of the package to relabel. Names listed here are
	// relabelled even when they are Kubernetes system namespaces or the control plane's.
	Namespaces []string `json:"namespaces,omitempty"`
	// Selector selects further Namespaces of the package by their labels. System
	// namespaces and the control-plane namespace it matches are left alone.
	Selector *Selector `json:"selector,omitempty"`
	// ControlPlaneNamespace is the namespace Istio's control plane runs in, which a
	// selector never relabels. Defaults to istio-system.
	ControlPlaneNamespace string `json:"controlPlaneNamespace,omitempty"`
	// DataplaneMode is how the selected Namespaces' pods join the mesh: sidecar (the
	// default), ambient or none. See modes for the labels each one writes.
	DataplaneMode string `json:"dataplaneMode,omitempty"`
}

// Default fills in the control-plane namespace when it was left out.
func (s *Spec) Default() {
	if s.ControlPlaneNamespace == "" {
		s.ControlPlaneNamespace = istio.DefaultNamespace
	}
	if s.DataplaneMode == "" {
		s.DataplaneMode = ModeSidecar
	}
}

// Validate returns every problem with the settings, each naming its field, and compiles
// the selector.
func (s *Spec) Validate() error {
	var errs []error
	switch {
	case s.Revision == "":
		errs = append(errs, fnconfig.FieldError("revision",
			"required: the revision or revision tag the namespaces should use, e.g. canary or default"))
	default:
		if err := istio.ValidateRevision(s.Revision); err != nil {
			errs = append(errs, fnconfig.FieldError("revision", "%v", err))
		}
	}
	for i, name := range s.Namespaces {
		if err := validateNamespaceName(name); err != nil {
			errs = append(errs, fnconfig.FieldError(fmt.Sprintf("namespaces[%d]", i), "%v", err))
		}
	}
	if s.Selector != nil {
		if err := s.Selector.compile(); err != nil {
			errs = append(errs, fnconfig.FieldError("selector", "%v", err))
		}
	}
	if len(s.Namespaces) == 0 && s.Selector == nil {
		errs = append(errs, fnconfig.FieldError("namespaces or selector", "at least one is required to say which Namespaces to relabel"))
	}
	if err := validateNamespaceName(s.ControlPlaneNamespace); err != nil {
		errs = append(errs, fnconfig.FieldError("controlPlaneNamespace", "%v", err))
	}
	if _, ok := modes[s.DataplaneMode]; !ok {
		errs = append(errs, fnconfig.FieldError("dataplaneMode", "%q is not a data-plane mode: use sidecar, ambient or none", s.DataplaneMode))
	}
	return errors.Join(errs...)
}

// validateNamespaceName checks that name can name a Namespace: a DNS-1123 label.
func validateNamespaceName(name string) error {
	if len(validation.IsDNS1123Label(name)) > 0 {
		return fmt.Errorf("%q is not a valid namespace name: use at most 63 lower-case letters, digits and '-', "+
			"starting and ending with a letter or digit", name)
	}
	return nil
}

// named reports whether the config names ns explicitly.
func (s *Spec) named(ns string) bool {
	for _, n := range s.Namespaces {
		if n == ns {
			return true
		}
	}
	return false
}

// matches reports whether the selector (if any) matches a Namespace with these labels.
func (s *Spec) matches(set labels.Set) bool {
	return s.Selector != nil && s.Selector.Matches(set)
}

// protected reports why a Namespace the selector matched must not be relabelled unless it
// is named: it is a Kubernetes system namespace or the control plane's. "" when it may be.
func (s *Spec) protected(ns string) string {
	switch {
	case istio.IsSystemNamespace(ns):
		return "it is a Kubernetes system namespace"
	case ns == s.ControlPlaneNamespace:
		return "it is the control-plane namespace (controlPlaneNamespace)"
	}
	return ""
}
