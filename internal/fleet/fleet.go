// Package fleet reads, from the resources of a package, the mesh they describe: which
// control-plane revisions serve it, which webhook sends a pod to which revision, and what
// each revision's injector injects.
//
// Rendered at the root of a repository, a package holds every control plane and every
// namespace of the mesh, so these decisions are made once, for the whole mesh. A package
// without any control plane (an application package rendered alone) gets an assumed
// revision, and says so.
//
// A revision exists when the package holds, in this order of evidence:
//  1. a MutatingWebhookConfiguration with sidecar-injector webhooks for it (Istio's own
//     install, or generate-revision's output); revision tags are read from these too;
//  2. a RevisionInjector generate-revision generated for it, which also declares the
//     revision's proxy image and values;
//  3. its injector ConfigMap, istio-sidecar-injector[-REV] (the revision is the
//     istio.io/rev label, else the name's suffix).
//
// A revision known only from 2 or 3 gets the webhooks Istio installs for it.
package fleet

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/meshfn/meshfn/internal/controlplane"
	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Options are what the reader of a package adds to it.
type Options struct {
	// Assume is the revision assumed installed when the package holds no control plane
	// ("" or "default": the default revision).
	Assume string
	// Hub and Tag are the proxy image of revisions that declare none (defaults: the
	// built-in injector's).
	Hub, Tag string
	// IstioVersion is the Istio release of revisions that say none ("1.29" or "1.29.6"),
	// when Tag does not name one.
	IstioVersion string
	// Env is what template functions read as istiod's environment.
	Env map[string]string
}

// Revision is one control-plane revision of the mesh.
type Revision struct {
	Name      string   // "" for the default revision
	Namespace string   // the control plane's namespace
	Tags      []string // revision tags pointing at it
	// Webhooks is the MutatingWebhookConfiguration that declares it; Injector the
	// RevisionInjector; ConfigMap its injector ConfigMap. Any may be nil, not all.
	Webhooks, Injector, ConfigMap *yaml.RNode
	// Installed is false when the package holds none of these and the revision is
	// assumed (Options.Assume).
	Installed bool
	// Release is the Istio release the revision injects as, and Tag its proxy tag when it
	// injects with the built-in injector (its ConfigMaps, when the package has them, say
	// their own).
	Release Release
	Tag     string

	declared *controlplane.Injector // what Injector declares
}

// Label is the revision as namespaces and pods select it: "default" for the default one.
func (r *Revision) Label() string { return istio.RevisionLabelValue(r.Name) }

// Mesh is what a package holds of the mesh's control planes.
type Mesh struct {
	revisions  map[string]*Revision
	tags       map[string]string // revision tag -> revision
	webhooks   []Webhook
	configMaps injectorConfigMaps
	opts       Options
	// Notes are what a function should tell its user about how the mesh was read.
	Notes []Note

	builtinMu sync.Mutex
	builtin   map[string]*inject.Settings // built once per revision, on first use
}

// Note is a message about the package's mesh, about a resource when Object is set.
type Note struct {
	Warning bool
	Object  *yaml.RNode
	Message string
}

// Read reads the mesh of a package. It fails on a resource it cannot read: a webhook
// configuration, RevisionInjector or injector ConfigMap that is malformed.
func Read(items []*yaml.RNode, opts Options) (*Mesh, error) {
	m := &Mesh{revisions: map[string]*Revision{}, tags: map[string]string{}, opts: opts}
	for _, it := range items {
		switch {
		case it.GetKind() == "MutatingWebhookConfiguration" && !krm.IsPackageMeta(it):
			if err := m.addWebhooks(it); err != nil {
				return nil, fmt.Errorf("%s: %w", krm.Describe(it), err)
			}
		case controlplane.IsInjector(it):
			if err := m.addInjector(it); err != nil {
				return nil, fmt.Errorf("%s: %w", krm.Describe(it), err)
			}
		}
	}
	var err error
	if m.configMaps, err = readConfigMaps(items); err != nil {
		return nil, err
	}
	for _, rev := range slices.Sorted(maps.Keys(m.configMaps.source)) {
		cm := m.configMaps.source[rev]
		r := m.revision(rev, cm.GetNamespace())
		r.ConfigMap = cm
		if err := m.parseConfigMaps(r); err != nil {
			return nil, err
		}
		for _, w := range m.configMaps.settings[rev].Warnings {
			m.Notes = append(m.Notes, Note{Warning: true, Object: cm, Message: w})
		}
		if r.Injector != nil && (r.declared.Hub != "" || r.declared.Tag != "" || len(r.declared.Values) > 0) {
			m.Notes = append(m.Notes, Note{Object: r.Injector, Message: fmt.Sprintf(
				"revision %s injects with the settings of %s, which win over the proxy image and values declared here",
				r.Label(), krm.Describe(cm))})
		}
	}
	if len(m.revisions) == 0 {
		rev := opts.Assume
		if istio.IsDefaultRevision(rev) {
			rev = ""
		}
		r := m.revision(rev, "")
		r.Installed = false
		m.Notes = append(m.Notes, Note{Message: fmt.Sprintf(
			"the package holds no control plane (no injection webhooks, RevisionInjector or injector ConfigMap): assuming revision %s and the webhooks Istio installs for it",
			r.Label())})
	}
	m.addInstalledWebhooks()
	for _, r := range m.Revisions() {
		if r.ConfigMap != nil {
			continue
		}
		if r.Tag, r.Release, err = m.builtinRelease(r); err != nil {
			return nil, err
		}
		if b, err := builtin.Lookup(r.Release.Version); err == nil {
			m.noteRelease(r, b, declaration(r), "as")
		}
	}
	return m, nil
}

// revision returns the revision, adding it on first sight.
func (m *Mesh) revision(name, namespace string) *Revision {
	r, ok := m.revisions[name]
	if !ok {
		r = &Revision{Name: name, Installed: true}
		m.revisions[name] = r
	}
	if r.Namespace == "" {
		r.Namespace = namespace
	}
	return r
}

func (m *Mesh) addWebhooks(mwc *yaml.RNode) error {
	cfg, err := parseWebhooks(mwc)
	if err != nil {
		return err
	}
	if len(cfg.hooks) == 0 {
		return nil
	}
	m.webhooks = append(m.webhooks, cfg.hooks...)
	r := m.revision(cfg.hooks[0].Revision, cfg.hooks[0].Namespace)
	if cfg.tag != "" {
		if other, dup := m.tags[cfg.tag]; dup && other != r.Name {
			return fmt.Errorf("revision tag %s points at revision %s here and at %s elsewhere in the package",
				cfg.tag, r.Label(), istio.RevisionLabelValue(other))
		}
		m.tags[cfg.tag] = r.Name
		if !slices.Contains(r.Tags, cfg.tag) {
			r.Tags = append(r.Tags, cfg.tag)
			slices.Sort(r.Tags)
		}
	} else if r.Webhooks == nil {
		r.Webhooks = mwc
	}
	return nil
}

func (m *Mesh) addInjector(obj *yaml.RNode) error {
	in, err := controlplane.ReadInjector(obj)
	if err != nil {
		return err
	}
	if prev := m.revisions[in.Revision]; prev != nil && prev.Injector != nil {
		return fmt.Errorf("revision %s is also declared by %s", prev.Label(), krm.Describe(prev.Injector))
	}
	r := m.revision(in.Revision, "")
	r.Namespace = in.Namespace // the declaration wins over where a webhook calls
	r.Injector, r.declared = obj, &in
	return nil
}

// addInstalledWebhooks gives every revision without its webhook configuration in the
// package (a tag's does not count) those Istio installs for it.
func (m *Mesh) addInstalledWebhooks() {
	for _, r := range m.Revisions() {
		if r.Namespace == "" {
			r.Namespace = istio.DefaultNamespace
		}
		if r.Webhooks != nil {
			continue
		}
		m.webhooks = append(m.webhooks, installedWebhooks(r.Name, r.Namespace)...)
		if r.Installed {
			m.Notes = append(m.Notes, Note{Object: declaration(r), Message: fmt.Sprintf(
				"revision %s: the package holds no MutatingWebhookConfiguration for it; using the webhooks Istio installs for it",
				r.Label())})
		}
	}
}

// declaration is the resource that declares a revision.
func declaration(r *Revision) *yaml.RNode {
	for _, obj := range []*yaml.RNode{r.Webhooks, r.Injector, r.ConfigMap} {
		if obj != nil {
			return obj
		}
	}
	return nil
}

// Revisions returns the mesh's revisions, the default one first, then by name.
func (m *Mesh) Revisions() []*Revision {
	out := make([]*Revision, 0, len(m.revisions))
	for _, name := range slices.Sorted(maps.Keys(m.revisions)) {
		out = append(out, m.revisions[name])
	}
	return out
}

// Revision returns the named revision ("" or "default" for the default one), or nil.
func (m *Mesh) Revision(name string) *Revision {
	if istio.IsDefaultRevision(name) {
		name = ""
	}
	return m.revisions[name]
}

// Assumed reports whether the package holds no control plane and Options.Assume stands in.
func (m *Mesh) Assumed() bool {
	for _, r := range m.revisions {
		if !r.Installed {
			return true
		}
	}
	return false
}

// Serves reports whether a namespace or pod label istio.io/rev=name selects a revision of
// the mesh: name is a revision ("default" for the default one) or a revision tag.
func (m *Mesh) Serves(name string) bool {
	if _, ok := m.tags[name]; ok {
		return true
	}
	return name != "" && m.Revision(name) != nil // istio.io/rev="" selects nothing
}

// Names lists what namespaces can select: every revision and tag, for messages.
func (m *Mesh) Names() string {
	var names []string
	for _, r := range m.Revisions() {
		names = append(names, r.Label())
	}
	for _, tag := range slices.Sorted(maps.Keys(m.tags)) {
		names = append(names, fmt.Sprintf("%s (tag of %s)", tag, istio.RevisionLabelValue(m.tags[tag])))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Settings returns a revision's injector: its ConfigMaps in the package, else the
// built-in injector with the proxy image and values the revision declares (built once
// per revision; safe for concurrent use). A revision the mesh does not know gets the
// built-in injector with the defaults.
func (m *Mesh) Settings(rev string) (*inject.Settings, error) {
	if istio.IsDefaultRevision(rev) {
		rev = ""
	}
	if s, ok := m.configMaps.settings[rev]; ok {
		return s, nil
	}
	m.builtinMu.Lock()
	defer m.builtinMu.Unlock()
	if s, ok := m.builtin[rev]; ok {
		return s, nil
	}
	r := m.revisions[rev]
	if r == nil { // a revision the mesh does not know: the function's settings
		r = &Revision{Name: rev, Namespace: istio.DefaultNamespace}
		var err error
		if r.Tag, r.Release, err = m.builtinRelease(r); err != nil {
			return nil, err
		}
	}
	release, err := builtin.Lookup(r.Release.Version)
	if err != nil {
		return nil, fmt.Errorf("revision %s: %w (%s): it has no built-in injector; put the release's injector ConfigMaps (%s and %s) in the package, or use a supported release (%s)",
			istio.RevisionLabelValue(rev), err, r.Release.From, istio.Suffixed(injectorConfigMap, rev), istio.Suffixed(meshConfigMap, rev),
			builtin.SupportedText())
	}
	opts := builtin.Options{Hub: m.opts.Hub, Tag: r.Tag, Revision: rev, Namespace: r.Namespace}
	if d := r.declared; d != nil {
		opts.Values = d.Values
		if d.Hub != "" {
			opts.Hub = d.Hub
		}
	}
	s, err := inject.NewSettings(rev, release.Sources(opts), release.Rules, templatefuncs.Options{})
	if err != nil {
		return nil, fmt.Errorf("the built-in injector of Istio %s for revision %s: %w", release.Version, istio.RevisionLabelValue(rev), err)
	}
	if m.builtin == nil {
		m.builtin = map[string]*inject.Settings{}
	}
	m.builtin[rev] = s
	return s, nil
}
