package validation

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshfn/meshfn/internal/fleet"
	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/inject/sidecar"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/origin"
	"github.com/meshfn/meshfn/internal/yamlnode"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// proxyContainer is the container injection adds.
const proxyContainer = "istio-proxy"

// fleetView is what the fleet checks know of the package: its control planes (read by
// internal/fleet, as inject-sidecar reads them) and its namespaces' labels.
type fleetView struct {
	mesh       *fleet.Mesh
	namespaces map[string]*yaml.RNode
	// all are the package's items, and pkgs its kpt packages, to find where a value
	// was set (origin).
	all  []*yaml.RNode
	pkgs *origin.Packages
}

// podView is what a workload's pod template says about injection.
type podView struct {
	labels, annotations map[string]string
	status              inject.Status
	injected            bool
	proxyImage          string
}

// readPodView reads what the fleet checks need of a pod template. A container that is not
// a mapping is an error, after the rest is read.
func readPodView(template *yaml.RNode) (podView, error) {
	var v podView
	var err error
	if v.labels, err = krm.Labels(template); err != nil {
		return v, err
	}
	if v.annotations, err = krm.Annotations(template); err != nil {
		return v, err
	}
	v.status, v.injected = inject.ParseStatus(v.annotations)
	for _, list := range []string{"containers", "initContainers"} {
		cs, _ := template.Pipe(yaml.Lookup("spec", list))
		if cs == nil || cs.YNode().Kind != yaml.SequenceNode {
			continue // Istio's conversion reports a list of the wrong type
		}
		for i, c := range cs.YNode().Content {
			if c.Kind != yaml.MappingNode {
				// The API server reads null as a container without name or image.
				if err == nil {
					err = fmt.Errorf("spec.%s[%d]: expected a container, got %s", list, i, yamlnode.Describe(c))
				}
				continue
			}
			name, image := yaml.NewRNode(c).Field("name"), yaml.NewRNode(c).Field("image")
			if name != nil && image != nil && yaml.GetValue(name.Value) == proxyContainer {
				v.proxyImage = yaml.GetValue(image.Value)
			}
		}
	}
	return v, err
}

// nsLabels returns a namespace's labels as the API server gives them to webhooks, and
// whether the package holds the namespace.
func (fv *fleetView) nsLabels(ns string) (map[string]string, bool) {
	var labels map[string]string
	obj, ok := fv.namespaces[ns]
	if ok {
		labels, _ = krm.Labels(obj)
	}
	return fleet.NamespaceLabels(ns, labels), ok
}

// checkNamespaces reports namespaces that select a revision no control plane serves.
func (fv *fleetView) checkNamespaces() []*finding {
	var fs []*finding
	for _, name := range sortedKeys(fv.namespaces) {
		labels, _ := fv.nsLabels(name)
		req, unserved := fv.mesh.Unserved(labels, nil)
		if !unserved || req.ByPod {
			continue
		}
		fix := "Point the namespace at a revision that exists (set-namespace-revision), or add that revision's control plane"
		if o := fv.labelOrigin(fv.namespaces[name], labels); o != (origin.Origin{}) {
			fix = "The label is " + o.String() + ": set it to a revision that exists, or add that revision's control plane"
		}
		fs = append(fs, &finding{code: codeNamespaceUnserved, level: LevelError, item: fv.namespaces[name], message: fmt.Sprintf(
			"its %s selects revision %s, which no control plane in the package serves (the revisions are: %s): its pods would not be injected. %s",
			req.Label, req.Name, fv.mesh.Names(), fix)})
	}
	return fs
}

// checkWorkload reports a workload whose pods select a revision nobody serves, that
// several revisions would inject, or whose injection is stale: made by another revision,
// or with another proxy image, than the revision that selects it now would inject.
func (fv *fleetView) checkWorkload(p podOf, v podView) []*finding {
	nsLabels, _ := fv.nsLabels(p.namespace)
	if req, unserved := fv.mesh.Unserved(nsLabels, v.labels); unserved && req.ByPod {
		return []*finding{{code: codePodUnserved, level: LevelError, item: p.workload, message: fmt.Sprintf(
			"its pods' %s selects revision %s, which no control plane in the package serves (the revisions are: %s): they would not be injected. "+
				"Set the label to a revision that exists, or add that revision's control plane", req.Label, req.Name, fv.mesh.Names())}}
	}
	revs, _ := fv.mesh.Match(nsLabels, v.labels)
	if len(revs) > 1 {
		return []*finding{{code: codeInjectedTwice, level: LevelError, item: p.workload, message: fmt.Sprintf(
			"the webhooks of revisions %s all select its pods: the API server would inject them more than once. "+
				"Label the namespace (or the pod template) for one revision only", joinLabels(revs))}}
	}
	if len(revs) == 0 || !v.injected {
		return nil
	}
	rev := revs[0]
	settings, err := fv.mesh.Settings(rev)
	if err != nil {
		return []*finding{{code: codeUnreadable, level: LevelError, item: p.workload, message: err.Error()}}
	}
	if got, want := istio.RevisionLabelValue(v.status.Revision), istio.RevisionLabelValue(rev); got != want {
		return []*finding{{code: codeStaleRevision, level: LevelError, item: p.workload, message: fmt.Sprintf(
			"stale injection: its pods carry the sidecar of revision %s, but revision %s selects them now. Render again: inject-sidecar re-injects it for %s",
			got, want, want)}}
	}
	if want := settings.ProxyImage(v.annotations); v.proxyImage != "" && imageBase(v.proxyImage) != imageBase(want) {
		return []*finding{{code: codeStaleProxy, level: LevelError, item: p.workload, message: fmt.Sprintf(
			"stale injection: its istio-proxy image is %s%s, but revision %s injects %s%s now. Render again: inject-sidecar re-injects it",
			v.proxyImage, fv.releaseOfImage(v.proxyImage, nil), istio.RevisionLabelValue(rev), want, fv.releaseOfImage(want, fv.mesh.Revision(rev)))}}
	}
	return nil
}

// releaseOfImage names, for a stale-injection message, the Istio release of a proxy
// image: its tag's, else (for the revision's own image) the revision's; "" when unknown.
func (fv *fleetView) releaseOfImage(image string, r *fleet.Revision) string {
	_, tag, _ := strings.Cut(image[strings.LastIndex(image, "/")+1:], ":")
	if v, ok := istio.VersionOfTag(tag); ok {
		return fmt.Sprintf(" (Istio %s)", v)
	}
	if r != nil && r.Release.Known {
		return fmt.Sprintf(" (Istio %s)", r.Release.Version)
	}
	return ""
}

// checkReleases reports revisions on an Istio release older than the oldest supported
// one (builtin.Supported): Istio fixes no more security issues there.
func (fv *fleetView) checkReleases() []*finding {
	var fs []*finding
	oldest := builtin.Oldest()
	for _, r := range fv.mesh.Revisions() {
		if !r.Release.Known || r.Release.Version.Compare(oldest.Line()) >= 0 {
			continue
		}
		fs = append(fs, &finding{code: codeUnsupportedRelease, level: LevelError, item: declaration(r), message: fmt.Sprintf(
			"revision %s runs Istio %s (%s), a release Istio no longer supports: the supported releases meshfn knows are %s. "+
				"Move its namespaces to a revision on a supported release (a canary upgrade), then remove it",
			r.Label(), r.Release.Version, r.Release.From, builtin.SupportedText())})
	}
	return fs
}

// checkProxyImages reports revisions that inject the same proxy image as another.
func (fv *fleetView) checkProxyImages() []*finding {
	var fs []*finding
	first := map[string]*fleet.Revision{}
	for _, r := range fv.mesh.Revisions() {
		s, err := fv.mesh.Settings(r.Name)
		if err != nil {
			continue
		}
		img := imageBase(s.ProxyImage(nil))
		other, dup := first[img]
		if !dup {
			first[img] = r
			continue
		}
		fs = append(fs, &finding{code: codeSameProxy, level: LevelWarning, item: declaration(r), message: fmt.Sprintf(
			"revisions %s and %s both inject %s: a canary that changes no proxy, or a revision left behind. "+
				"Give the new revision its own proxy tag (ControlPlaneRevision spec.tag), or remove the old revision",
			other.Label(), r.Label(), s.ProxyImage(nil))})
	}
	return fs
}

// declaration is the resource that declares a revision, for results.
func declaration(r *fleet.Revision) *yaml.RNode {
	for _, obj := range []*yaml.RNode{r.Injector, r.Webhooks, r.ConfigMap} {
		if obj != nil {
			return obj
		}
	}
	return nil
}

// imageBase is an image without the image-type suffix of its tag (-distroless, -debug),
// which ProxyConfig resources and pod annotations may change.
func imageBase(image string) string {
	for _, suffix := range []string{"-distroless", "-debug"} {
		image = strings.TrimSuffix(image, suffix)
	}
	return image
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func joinLabels(revs []string) string {
	out := make([]string, len(revs))
	for i, r := range revs {
		out[i] = istio.RevisionLabelValue(r)
	}
	return strings.Join(out, " and ")
}

// readFleet reads the package's control planes as inject-sidecar does, with the
// package's SidecarInjection config (its hub, tag and assumed revision). It returns nil
// when the package holds no control plane: an application package alone says nothing
// about which revisions exist, so the revision checks are skipped.
func readFleet(all, namespaces []*yaml.RNode, inj *sidecar.Spec) (*fleetView, []*finding) {
	opts := fleet.Options{}
	if inj != nil {
		opts = fleet.Options{Assume: inj.Revision, Hub: inj.Hub, Tag: inj.Tag, IstioVersion: inj.IstioVersion}
	}
	mesh, err := fleet.Read(all, opts)
	if err != nil {
		return nil, []*finding{{code: codeUnreadable, level: LevelError, message: fmt.Sprintf(
			"the package's control planes cannot be read: %v", err)}}
	}
	if mesh.Assumed() {
		return nil, nil
	}
	fv := &fleetView{mesh: mesh, namespaces: map[string]*yaml.RNode{}, all: all, pkgs: origin.Read(all)}
	for _, ns := range namespaces {
		fv.namespaces[ns.GetName()] = ns
	}
	return fv, nil
}

// check runs every fleet check.
func (fv *fleetView) check(pods []podOf, views []podView) []*finding {
	fs := fv.checkNamespaces()
	for i, p := range pods {
		fs = append(fs, fv.checkWorkload(p, views[i])...)
	}
	fs = append(fs, fv.checkReleases()...)
	return append(fs, fv.checkProxyImages()...)
}

// namespaceRevision is the revision whose webhooks select the namespace's pods ("" for
// the default revision), for choosing its mesh config; the label's when none or several.
func (fv *fleetView) namespaceRevision(ns *yaml.RNode) string {
	labels, _ := fv.nsLabels(ns.GetName())
	if revs, _ := fv.mesh.Match(labels, nil); len(revs) == 1 {
		return revs[0]
	}
	return namespaceRevision(ns)
}
