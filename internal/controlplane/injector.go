package controlplane

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// The RevisionInjector resource: what generate-revision records of a revision's sidecar
// injector, so that a function later in the same render (inject-sidecar, validate-mesh)
// knows the proxy the revision injects without Istio's own ConfigMaps. It is local
// configuration, never applied to a cluster.
const (
	InjectorAPIVersion = "meshfn.dev/v1alpha1"
	InjectorKind       = "RevisionInjector"
)

// Injector is a revision's injector as a RevisionInjector declares it.
type Injector struct {
	Revision  string // "" for the default revision
	Namespace string // the control plane's namespace
	Hub, Tag  string // the proxy image; "" where the revision leaves it to the injecting function
	// IstioVersion is the Istio release the revision injects as ("1.29" or "1.29.6"), when
	// the revision declares one: its tag's version, else its own istioVersion.
	IstioVersion string
	Values       map[string]any
}

// revisionInjector is the RevisionInjector of the revision: named for the revision, in
// the control-plane namespace, labelled with istio.io/rev like the revision's other objects.
func (r revision) revisionInjector() *yaml.RNode {
	var values any
	if len(r.Values) > 0 {
		values = valuesNode(r.Values)
	}
	return krm.Map(
		krm.F("apiVersion", InjectorAPIVersion),
		krm.F("kind", InjectorKind),
		krm.F("metadata", krm.Map(
			krm.F("name", r.revLabel),
			krm.F("namespace", r.Namespace),
			krm.F("labels", krm.Map(krm.F(istio.RevisionLabel, r.revLabel))),
			krm.F("annotations", krm.Map(krm.F(krm.LocalConfigAnnotation, krm.Quoted("true")))))),
		krm.F("spec", krm.Map(
			krm.F("hub", emptyAsNil(r.Hub)),
			krm.F("tag", emptyAsNil(r.Tag)),
			krm.F("istioVersion", emptyAsNil(r.release())),
			krm.F("values", values))))
}

// release is the Istio release the revision declares: its tag's, else its istioVersion.
func (r revision) release() string {
	if v, ok := istio.VersionOfTag(r.Tag); ok {
		return v.String()
	}
	return r.IstioVersion
}

// valuesNode writes values as YAML with sorted keys, so the output never depends on map order.
func valuesNode(values map[string]any) *yaml.RNode {
	b, err := sigsyaml.Marshal(values)
	if err != nil {
		panic(fmt.Sprintf("controlplane: values: %v", err)) // decoded from JSON: cannot fail
	}
	return yaml.MustParse(string(b))
}

func emptyAsNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// IsInjector reports whether obj is a RevisionInjector.
func IsInjector(obj *yaml.RNode) bool {
	return obj.GetKind() == InjectorKind && obj.GetApiVersion() == InjectorAPIVersion
}

// ReadInjector reads a RevisionInjector, checking it as generate-revision checks its
// config: the package is input, and a hand-edited one must not slip through.
func ReadInjector(obj *yaml.RNode) (Injector, error) {
	rev, ok := obj.GetLabels()[istio.RevisionLabel]
	if !ok {
		return Injector{}, fmt.Errorf("label %s is missing", istio.RevisionLabel)
	}
	if !istio.IsDefaultRevision(rev) {
		if err := istio.ValidateRevision(rev); err != nil {
			return Injector{}, fmt.Errorf("label %s: %w", istio.RevisionLabel, err)
		}
	} else {
		rev = ""
	}
	in := Injector{Revision: rev, Namespace: obj.GetNamespace()}
	if in.Namespace == "" {
		in.Namespace = istio.DefaultNamespace
	}
	var spec struct {
		Hub          string         `json:"hub"`
		Tag          string         `json:"tag"`
		IstioVersion string         `json:"istioVersion"`
		Values       map[string]any `json:"values"`
	}
	if s := obj.Field("spec"); s != nil && !s.Value.IsNilOrEmpty() {
		raw, err := s.Value.MarshalJSON()
		if err != nil {
			return in, fmt.Errorf("spec: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&spec); err != nil {
			return in, fmt.Errorf("spec: %w", err)
		}
	}
	errs := append(builtin.CheckImage(spec.Hub, spec.Tag, "spec."), builtin.CheckValues(spec.Values, "spec.values")...)
	errs = append(errs, builtin.CheckRelease(spec.Tag, spec.IstioVersion, "spec.")...)
	if err := errors.Join(errs...); err != nil {
		return in, err
	}
	in.Hub, in.Tag, in.IstioVersion, in.Values = spec.Hub, spec.Tag, spec.IstioVersion, spec.Values
	return in, nil
}
