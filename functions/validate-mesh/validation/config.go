package validation

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/istio"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Kind is the typed kind of the function config (apiVersion fn.meshfn.dev/v1alpha1).
const Kind = "MeshValidation"

// Levels a finding can have, from the most to the least severe, and "never" for failOn.
const (
	LevelError   = check.LevelError
	LevelWarning = check.LevelWarning
	LevelInfo    = check.LevelInfo
	LevelNever   = "never"
)

// DefaultExpiryWarning is expiryWarning when the config leaves it out: 30 days.
const DefaultExpiryWarning = "720h"

// Spec is the configuration of validate-mesh. Every field is optional: a validator
// without a config runs with the defaults.
type Spec struct {
	// FailOn is the least severe level of finding that fails the function: error (the
	// default), warning, info, or never.
	FailOn string `json:"failOn,omitempty"`
	// Suppress leaves out findings of a code on the resources a pattern matches, as
	// istioctl analyze -S does.
	Suppress Suppressions `json:"suppress,omitempty"`
	// IstioNamespace is the control plane's namespace, where the mesh config ConfigMaps
	// are read: istio-system by default.
	IstioNamespace string `json:"istioNamespace,omitempty"`
	// ValidAt is the time certificates must be valid at, RFC 3339 ("2027-01-31T00:00:00Z")
	// or a date ("2027-01-31"). Default: the time of the run.
	ValidAt string `json:"validAt,omitempty"`
	// DefaultNamespace is the namespace of namespaced resources that name none. Default:
	// the defaultNamespace of the package's SidecarInjection config, where inject-sidecar
	// put them; without one, they are analysed without a namespace, as Istio's own tests do.
	DefaultNamespace string `json:"defaultNamespace,omitempty"`
	// ExpiryWarning is how long before a certificate expires it is a warning (a Go
	// duration, 720h by default; "0s" turns the warning off).
	ExpiryWarning string `json:"expiryWarning,omitempty"`

	validAt time.Time
	expiry  time.Duration
}

var _ fnconfig.Spec = (*Spec)(nil)

// Default fills in what the config left out.
func (s *Spec) Default() {
	if s.FailOn == "" {
		s.FailOn = LevelError
	}
	if s.IstioNamespace == "" {
		s.IstioNamespace = istio.DefaultNamespace
	}
	if s.ExpiryWarning == "" {
		s.ExpiryWarning = DefaultExpiryWarning
	}
}

// Validate reports every problem of the spec, each naming its field.
func (s *Spec) Validate() error {
	var errs []error
	switch s.FailOn {
	case LevelError, LevelWarning, LevelInfo, LevelNever:
	default:
		errs = append(errs, fnconfig.FieldError("failOn", "%q is not a level: use error, warning, info or never", s.FailOn))
	}
	if msgs := validation.IsDNS1123Label(s.IstioNamespace); len(msgs) > 0 {
		errs = append(errs, fnconfig.FieldError("istioNamespace", "%q is not a namespace name: %s", s.IstioNamespace, strings.Join(msgs, "; ")))
	}
	if msgs := validation.IsDNS1123Label(s.DefaultNamespace); s.DefaultNamespace != "" && len(msgs) > 0 {
		errs = append(errs, fnconfig.FieldError("defaultNamespace", "%q is not a namespace name: %s", s.DefaultNamespace, strings.Join(msgs, "; ")))
	}
	if s.ValidAt != "" {
		t, err := parseTime(s.ValidAt)
		if err != nil {
			errs = append(errs, fnconfig.FieldError("validAt", "%v", err))
		}
		s.validAt = t
	}
	d, err := time.ParseDuration(s.ExpiryWarning)
	switch {
	case err != nil:
		errs = append(errs, fnconfig.FieldError("expiryWarning", "%q is not a duration: use hours, e.g. 720h for 30 days", s.ExpiryWarning))
	case d < 0:
		errs = append(errs, fnconfig.FieldError("expiryWarning", "%q is negative", s.ExpiryWarning))
	}
	s.expiry = d
	for i, sup := range s.Suppress {
		if err := sup.validate(); err != nil {
			errs = append(errs, fnconfig.FieldError(fmt.Sprintf("suppress[%d]", i), "%v", err))
		}
	}
	return errors.Join(errs...)
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2027-01-31T00:00:00Z) nor a date (2027-01-31)", s)
}

// failsOn reports whether a finding at level fails the function.
func (s *Spec) failsOn(level string) bool {
	return s.FailOn != LevelNever && rank(level) <= rank(s.FailOn)
}

// rank orders levels: error 0, warning 1, info 2.
func rank(level string) int {
	switch level {
	case LevelError:
		return 0
	case LevelWarning:
		return 1
	}
	return 2
}

// Suppression leaves out the findings of one code on the resources Resource matches.
type Suppression struct {
	// Code is a finding code, IST0xxx or MFN0xxx.
	Code string `json:"code"`
	// Resource is "Kind namespace/name" (or "Kind name" for a cluster-scoped resource),
	// istioctl's "Kind name.namespace" form also accepted; '*' matches any text.
	Resource string `json:"resource"`
}

var codePattern = regexp.MustCompile(`^(IST|MFN)\d{4}$`)

func (s Suppression) validate() error {
	var errs []error
	if !codePattern.MatchString(s.Code) {
		errs = append(errs, fmt.Errorf("code %q is not a finding code (IST0101, MFN0001)", s.Code))
	}
	if strings.TrimSpace(s.Resource) == "" {
		errs = append(errs, errors.New(`resource: required, e.g. "Deployment shop/*" or "*"`))
	}
	return errors.Join(errs...)
}

// Suppressions is a list of suppressions. Besides a YAML list of {code, resource} it reads
// the form a ConfigMap or `kpt fn eval -- suppress=...` gives: a string of
// "CODE=RESOURCE" entries separated by commas, as istioctl analyze -S takes them.
type Suppressions []Suppression

// UnmarshalJSON reads a list of objects or of "CODE=RESOURCE" strings, or one string of
// comma-separated entries.
func (s *Suppressions) UnmarshalJSON(b []byte) error {
	var flat string
	if err := json.Unmarshal(b, &flat); err == nil {
		return s.fromStrings(strings.Split(flat, ","))
	}
	var list []json.RawMessage
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New(`expected a list of {code, resource} or "CODE=RESOURCE" entries`)
	}
	*s = nil
	for i, raw := range list {
		var str string
		if err := json.Unmarshal(raw, &str); err == nil {
			if err := s.fromStrings([]string{str}); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
			continue
		}
		var one Suppression
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&one); err != nil {
			return fmt.Errorf("[%d]: expected {code, resource} or \"CODE=RESOURCE\": %v", i, err)
		}
		*s = append(*s, one)
	}
	return nil
}

// ConfigShape declares the field names of the list form's objects (Suppression's), which
// fnconfig checks letter for letter before decoding.
func (Suppressions) ConfigShape() any { return []Suppression{} }

func (s *Suppressions) fromStrings(entries []string) error {
	for _, e := range entries {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		code, res, ok := strings.Cut(e, "=")
		if !ok {
			return fmt.Errorf("%q: expected CODE=RESOURCE, e.g. IST0102=Namespace default", e)
		}
		*s = append(*s, Suppression{Code: strings.TrimSpace(code), Resource: strings.TrimSpace(res)})
	}
	return nil
}
