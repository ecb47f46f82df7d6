package fleet

import (
	"github.com/meshfn/meshfn/internal/istio"
)

// NamespaceLabels returns a copy of a namespace's labels as the API server gives them to
// webhooks and controllers: its own, and istio.NamespaceNameLabel set to name.
func NamespaceLabels(name string, labels map[string]string) map[string]string {
	l := make(map[string]string, len(labels)+1)
	for k, v := range labels {
		l[k] = v
	}
	l[istio.NamespaceNameLabel] = name
	return l
}

// Request is the revision a namespace or pod asks to be injected by.
type Request struct {
	// Name is the revision or tag, as the label holds it ("default" for the default one).
	Name string
	// Label names the label that asks, such as "namespace label istio.io/rev=canary".
	Label string
	// ByPod is set when the pod asks, its namespace asking for nothing.
	ByPod bool
}

// Requested returns what a namespace's labels, else a pod's, ask for, as Istio's webhooks
// read them: the namespace's istio-injection=enabled (the default revision) wins over its
// istio.io/rev; a pod is asked only when its namespace has neither label, by its own
// istio.io/rev, else by sidecar.istio.io/inject=true (the default revision). ok is false
// when nothing asks for injection (which a default injector may still do).
func Requested(nsLabels, podLabels map[string]string) (Request, bool) {
	if v, has := nsLabels[istio.InjectionLabel]; has {
		if v == "enabled" {
			return Request{Name: istio.DefaultRevision, Label: "namespace label " + istio.InjectionLabel + "=enabled"}, true
		}
		return Request{}, false
	}
	if v, has := nsLabels[istio.RevisionLabel]; has {
		return Request{Name: v, Label: "namespace label " + istio.RevisionLabel + "=" + v}, true
	}
	if v, has := podLabels[istio.RevisionLabel]; has {
		return Request{Name: v, Label: "pod label " + istio.RevisionLabel + "=" + v, ByPod: true}, true
	}
	if podLabels[istio.InjectLabel] == "true" {
		return Request{Name: istio.DefaultRevision, Label: "pod label " + istio.InjectLabel + "=true", ByPod: true}, true
	}
	return Request{}, false
}

// Unserved returns what a namespace or pod asks for when no revision of the mesh serves it.
func (m *Mesh) Unserved(nsLabels, podLabels map[string]string) (Request, bool) {
	req, ok := Requested(nsLabels, podLabels)
	if !ok || m.Serves(req.Name) {
		return Request{}, false
	}
	return req, true
}
