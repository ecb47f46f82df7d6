package waypoint

import (
	"errors"
	"fmt"
	"slices"

	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/istio"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Kind is the typed kind of the function config (apiVersion fn.meshfn.dev/v1alpha1).
const Kind = "Waypoint"

// DefaultName is the name istioctl gives a namespace's waypoint.
const DefaultName = "waypoint"

// The traffic a waypoint can be for (its istio.io/waypoint-for label).
const (
	ForService  = "service"
	ForWorkload = "workload"
	ForAll      = "all"
	ForNone     = "none"
)

// Spec is the function config: one waypoint, and what uses it.
type Spec struct {
	// Name of the waypoint Gateway. Default "waypoint", as istioctl's; "none" is reserved.
	Name string `json:"name,omitempty"`
	// Namespace the waypoint runs in. Required.
	Namespace string `json:"namespace"`
	// Revision labels the waypoint istio.io/rev, naming the control plane (revision or
	// tag) that deploys and configures it. Left out, no label is written, as istioctl
	// does, and Istio falls back to the namespace's istio.io/rev.
	Revision string `json:"revision,omitempty"`
	// For is the traffic the waypoint handles: service, workload, all or none (its
	// istio.io/waypoint-for label). Left out, no label is written and Istio takes service.
	For string `json:"for,omitempty"`
	// EnrollNamespace labels the waypoint's Namespace istio.io/use-waypoint=NAME, so that
	// all its traffic goes through the waypoint (istioctl waypoint apply --enroll-namespace).
	EnrollNamespace bool `json:"enrollNamespace,omitempty"`
	// EnrollServices names Services of the namespace to label istio.io/use-waypoint=NAME.
	EnrollServices []string `json:"enrollServices,omitempty"`
}

var _ fnconfig.Spec = (*Spec)(nil)

// Default fills in istioctl's default name.
func (s *Spec) Default() {
	if s.Name == "" {
		s.Name = DefaultName
	}
}

// Validate returns every problem with the settings, each naming its field.
func (s *Spec) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, fnconfig.FieldError(field, format, args...))
	}
	switch {
	case s.Name == istio.NoWaypoint:
		add("name", "%q is reserved: Istio reads istio.io/use-waypoint=none as \"no waypoint\"", s.Name)
	case len(validation.IsDNS1123Label(s.Name)) > 0:
		add("name", "%q is not a valid waypoint name: use at most 63 lower-case letters, digits and '-', "+
			"starting and ending with a letter or digit", s.Name)
	}
	if s.Namespace == "" {
		add("namespace", "required: the namespace the waypoint runs in")
	} else if len(validation.IsDNS1123Label(s.Namespace)) > 0 {
		add("namespace", "%q is not a valid namespace name", s.Namespace)
	}
	if s.Revision != "" {
		if err := istio.ValidateRevision(s.Revision); err != nil {
			add("revision", "%v", err)
		}
	}
	valid := []string{ForAll, ForNone, ForService, ForWorkload}
	if s.For != "" && !slices.Contains(valid, s.For) {
		add("for", "%q is not a traffic type: use one of %v", s.For, valid)
	}
	errs = append(errs, s.validateEnrollment()...)
	return errors.Join(errs...)
}

// validateEnrollment checks that what the config enrolls can use the waypoint: Istio
// binds a Service only to a waypoint for service (or all) traffic, and nothing to one for
// no traffic.
func (s *Spec) validateEnrollment() []error {
	var errs []error
	seen := map[string]bool{}
	for i, name := range s.EnrollServices {
		field := fmt.Sprintf("enrollServices[%d]", i)
		switch {
		case len(validation.IsDNS1035Label(name)) > 0:
			errs = append(errs, fnconfig.FieldError(field, "%q is not a valid Service name", name))
		case seen[name]:
			errs = append(errs, fnconfig.FieldError(field, "Service %s is listed twice", name))
		}
		seen[name] = true
	}
	if s.For == ForNone && (s.EnrollNamespace || len(s.EnrollServices) > 0) {
		errs = append(errs, fnconfig.FieldError("for", "a waypoint for no traffic (none) cannot be used: "+
			"enroll nothing, or let it handle service, workload or all traffic"))
	}
	if s.For == ForWorkload && len(s.EnrollServices) > 0 {
		errs = append(errs, fnconfig.FieldError("enrollServices", "waypoint %s is for workload traffic only, "+
			"and Istio binds no Service to it: set for to service or all, or enroll the namespace instead", s.Name))
	}
	return errs
}

// traffic is the traffic the waypoint handles, with Istio's default.
func (s *Spec) traffic() string {
	if s.For == "" {
		return ForService
	}
	return s.For
}
