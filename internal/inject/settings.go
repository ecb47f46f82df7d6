// Package inject renders Istio's sidecar injection into a pod, as Istio's injector does at
// admission: it runs the injection templates with Istio's template data, merges them onto
// the pod with a strategic merge patch, re-applies user overrides of the injected
// containers, and post-processes the pod (probes, Prometheus, container order, status).
//
// It works on typed Kubernetes objects; callers convert the YAML of a workload's pod
// template to a Pod and write back only the difference (see internal/yamlpatch).
package inject

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshfn/meshfn/internal/inject/meshconfig"
	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	"github.com/meshfn/meshfn/internal/yamlnode"
	meshv1 "istio.io/api/mesh/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	sigsyaml "sigs.k8s.io/yaml"
)

// Injection policies of the injector config.
const (
	PolicyEnabled  = "enabled"
	PolicyDisabled = "disabled"
)

// SidecarTemplate is the template used when nothing selects another.
const SidecarTemplate = "sidecar"

// Config is the injector configuration: the `config` key of the istio-sidecar-injector
// ConfigMap, with Istio's field names.
type Config struct {
	Policy               string                 `json:"policy"`
	DefaultTemplates     []string               `json:"defaultTemplates"`
	Templates            map[string]string      `json:"templates"`
	Aliases              map[string][]string    `json:"aliases"`
	NeverInjectSelector  []metav1.LabelSelector `json:"neverInjectSelector"`
	AlwaysInjectSelector []metav1.LabelSelector `json:"alwaysInjectSelector"`
	InjectedAnnotations  map[string]string      `json:"injectedAnnotations"`
}

// Settings are one revision's injector: its config with parsed templates, its values and
// its mesh config.
type Settings struct {
	Revision string // "" for the default revision
	Config   Config
	Values   Values
	Mesh     *meshv1.MeshConfig
	// Rules are the engine rules of the release of istiod that injects.
	Rules Rules

	templates    map[string]*templatefuncs.Template
	neverInject  []labels.Selector
	alwaysInject []labels.Selector
	// Warnings lists problems Istio tolerates (it logs them): invalid selectors, an unknown policy.
	Warnings []string
}

// Sources are the texts a cluster's ConfigMaps hold for one revision.
type Sources struct {
	Config string // istio-sidecar-injector: data.config (YAML)
	Values string // istio-sidecar-injector: data.values (JSON or YAML)
	Mesh   string // istio: data.mesh (YAML), applied over Istio's mesh defaults
}

// NewSettings parses a revision's injector settings, injected with the engine rules of
// the release of its istiod (templates parse without the functions that release lacks).
// Template functions that Istio lets read istiod's environment read opts.Env instead.
func NewSettings(revision string, src Sources, rules Rules, opts templatefuncs.Options) (*Settings, error) {
	s := &Settings{Revision: revision, Rules: rules}
	opts.Missing = append(opts.Missing, rules.MissingFuncs...)
	if err := yamlnode.TextNoAliases(src.Config); err != nil {
		return nil, fmt.Errorf("parsing the injector config: %w", err)
	}
	if err := sigsyaml.Unmarshal([]byte(src.Config), &s.Config); err != nil {
		return nil, fmt.Errorf("parsing the injector config: %w", err)
	}
	if len(s.Config.DefaultTemplates) == 0 {
		s.Config.DefaultTemplates = []string{SidecarTemplate}
	}
	if s.Config.Policy != PolicyEnabled && s.Config.Policy != PolicyDisabled {
		s.Warnings = append(s.Warnings, fmt.Sprintf("injection policy %q is neither %q nor %q: Istio then injects nothing automatically",
			s.Config.Policy, PolicyEnabled, PolicyDisabled))
	}
	var err error
	if s.templates, err = parseTemplates(s.Config.Templates, opts); err != nil {
		return nil, err
	}
	s.neverInject = s.selectors("neverInjectSelector", s.Config.NeverInjectSelector)
	s.alwaysInject = s.selectors("alwaysInjectSelector", s.Config.AlwaysInjectSelector)
	if s.Values, err = ParseValues(src.Values); err != nil {
		return nil, err
	}
	if s.Mesh, err = meshconfig.Apply(src.Mesh, meshconfig.Default()); err != nil {
		return nil, fmt.Errorf("parsing the mesh config: %w", err)
	}
	return s, nil
}

func parseTemplates(raw map[string]string, opts templatefuncs.Options) (map[string]*templatefuncs.Template, error) {
	out := make(map[string]*templatefuncs.Template, len(raw))
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		t, err := templatefuncs.Parse(name, raw[name], opts)
		if err != nil {
			return nil, fmt.Errorf("parsing injection template %q: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// selectors converts label selectors, skipping (with a warning, as Istio logs) invalid
// and empty ones, which never match.
func (s *Settings) selectors(field string, in []metav1.LabelSelector) []labels.Selector {
	var out []labels.Selector
	for i := range in {
		sel, err := metav1.LabelSelectorAsSelector(&in[i])
		if err != nil {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s[%d] is invalid and never matches: %v", field, i, err))
			continue
		}
		if !sel.Empty() {
			out = append(out, sel)
		}
	}
	return out
}

// TemplateNames lists the templates the settings define.
func (s *Settings) TemplateNames() []string { return slices.Sorted(maps.Keys(s.Config.Templates)) }

// HasTemplate reports whether the settings define a template of that name.
func (s *Settings) HasTemplate(name string) bool { _, ok := s.templates[name]; return ok }

// selectTemplates returns the templates to render for a pod: those named by the
// inject.istio.io/templates annotation, else the defaults; aliases expanded once.
func (s *Settings) selectTemplates(annotations map[string]string, defaults []string, aliases map[string][]string) []string {
	names := defaults
	if a, ok := annotations[annotationInjectTemplates]; ok {
		names = nil
		for _, n := range strings.Split(a, ",") {
			names = append(names, strings.TrimSpace(n))
		}
	}
	var out []string
	for _, n := range names {
		if expanded, ok := aliases[n]; ok {
			out = append(out, expanded...)
		} else {
			out = append(out, n)
		}
	}
	return out
}
