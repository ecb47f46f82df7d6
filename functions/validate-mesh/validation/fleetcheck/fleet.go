package fleetcheck

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/fleet"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/origin"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Check is the fleet checks: revisions nobody serves, stale injection, revisions on
// releases Istio no longer supports, revisions that inject the same proxy.
var Check = check.Check{Name: "fleet", Run: run, Codes: []string{
	check.CodeNamespaceUnserved, check.CodePodUnserved, check.CodeStaleRevision, check.CodeStaleProxy,
	check.CodeSameProxy, check.CodeInjectedTwice, check.CodeUnsupportedRelease,
}}

// run runs every fleet check; none when the package holds no control plane (an
// application package alone says nothing about which revisions exist).
func run(p *check.Package) ([]*check.Finding, error) {
	if p.Mesh == nil {
		return nil, nil
	}
	return readFleet(p).check(p.Pods, p.Views), nil
}

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
func (fv *fleetView) checkNamespaces() []*check.Finding {
	var fs []*check.Finding
	for _, name := range slices.Sorted(maps.Keys(fv.namespaces)) {
		labels, _ := fv.nsLabels(name)
		req, unserved := fv.mesh.Unserved(labels, nil)
		if !unserved || req.ByPod {
			continue
		}
		fix := "Point the namespace at a revision that exists (set-namespace-revision), or add that revision's control plane"
		if o := fv.labelOrigin(fv.namespaces[name], labels); o != (origin.Origin{}) {
			fix = "The label is " + o.String() + ": set it to a revision that exists, or add that revision's control plane"
		}
		fs = append(fs, &check.Finding{Code: check.CodeNamespaceUnserved, Level: check.LevelError, Item: fv.namespaces[name], Message: fmt.Sprintf(
			"its %s selects revision %s, which no control plane in the package serves (the revisions are: %s): its pods would not be injected. %s",
			req.Label, req.Name, fv.mesh.Names(), fix)})
	}
	return fs
}

// checkWorkload reports a workload whose pods select a revision nobody serves, that
// several revisions would inject, or whose injection is stale: made by another revision,
// or with another proxy image, than the revision that selects it now would inject.
func (fv *fleetView) checkWorkload(p check.Pod, v check.PodView) []*check.Finding {
	nsLabels, _ := fv.nsLabels(p.Namespace)
	if req, unserved := fv.mesh.Unserved(nsLabels, v.Labels); unserved && req.ByPod {
		return []*check.Finding{{Code: check.CodePodUnserved, Level: check.LevelError, Item: p.Workload, Message: fmt.Sprintf(
			"its pods' %s selects revision %s, which no control plane in the package serves (the revisions are: %s): they would not be injected. "+
				"Set the label to a revision that exists, or add that revision's control plane", req.Label, req.Name, fv.mesh.Names())}}
	}
	revs, _ := fv.mesh.Match(nsLabels, v.Labels)
	if len(revs) > 1 {
		return []*check.Finding{{Code: check.CodeInjectedTwice, Level: check.LevelError, Item: p.Workload, Message: fmt.Sprintf(
			"the webhooks of revisions %s all select its pods: the API server would inject them more than once. "+
				"Label the namespace (or the pod template) for one revision only", joinLabels(revs))}}
	}
	if len(revs) == 0 || !v.Injected {
		return nil
	}
	rev := revs[0]
	settings, err := fv.mesh.Settings(rev)
	if err != nil {
		return []*check.Finding{{Code: check.CodeUnreadable, Level: check.LevelError, Item: p.Workload, Message: err.Error()}}
	}
	if got, want := istio.RevisionLabelValue(v.Status.Revision), istio.RevisionLabelValue(rev); got != want {
		return []*check.Finding{{Code: check.CodeStaleRevision, Level: check.LevelError, Item: p.Workload, Message: fmt.Sprintf(
			"stale injection: its pods carry the sidecar of revision %s, but revision %s selects them now. Render again: inject-sidecar re-injects it for %s",
			got, want, want)}}
	}
	if want := settings.ProxyImage(v.Annotations); v.ProxyImage != "" && imageBase(v.ProxyImage) != imageBase(want) {
		return []*check.Finding{{Code: check.CodeStaleProxy, Level: check.LevelError, Item: p.Workload, Message: fmt.Sprintf(
			"stale injection: its istio-proxy image is %s%s, but revision %s injects %s%s now. Render again: inject-sidecar re-injects it",
			v.ProxyImage, fv.releaseOfImage(v.ProxyImage, nil), istio.RevisionLabelValue(rev), want, fv.releaseOfImage(want, fv.mesh.Revision(rev)))}}
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
func (fv *fleetView) checkReleases() []*check.Finding {
	var fs []*check.Finding
	oldest := builtin.Oldest()
	for _, r := range fv.mesh.Revisions() {
		if !r.Release.Known || r.Release.Version.Compare(oldest.Line()) >= 0 {
			continue
		}
		fs = append(fs, &check.Finding{Code: check.CodeUnsupportedRelease, Level: check.LevelError, Item: declaration(r), Message: fmt.Sprintf(
			"revision %s runs Istio %s (%s), a release Istio no longer supports: the supported releases meshfn knows are %s. "+
				"Move its namespaces to a revision on a supported release (a canary upgrade), then remove it",
			r.Label(), r.Release.Version, r.Release.From, builtin.SupportedText())})
	}
	return fs
}

// checkProxyImages reports revisions that inject the same proxy image as another.
func (fv *fleetView) checkProxyImages() []*check.Finding {
	var fs []*check.Finding
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
		fs = append(fs, &check.Finding{Code: check.CodeSameProxy, Level: check.LevelWarning, Item: declaration(r), Message: fmt.Sprintf(
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

func joinLabels(revs []string) string {
	out := make([]string, len(revs))
	for i, r := range revs {
		out[i] = istio.RevisionLabelValue(r)
	}
	return strings.Join(out, " and ")
}

// readFleet reads what the fleet checks need besides the package's control planes.
func readFleet(p *check.Package) *fleetView {
	fv := &fleetView{mesh: p.Mesh, namespaces: map[string]*yaml.RNode{}, all: p.All, pkgs: origin.Read(p.All)}
	for _, ns := range p.Namespaces {
		fv.namespaces[ns.GetName()] = ns
	}
	return fv
}

// check runs every fleet check.
func (fv *fleetView) check(pods []check.Pod, views []check.PodView) []*check.Finding {
	fs := fv.checkNamespaces()
	for i, p := range pods {
		fs = append(fs, fv.checkWorkload(p, views[i])...)
	}
	fs = append(fs, fv.checkReleases()...)
	return append(fs, fv.checkProxyImages()...)
}
