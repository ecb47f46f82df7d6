package waypoint

import (
	"fmt"
	"slices"

	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ref names a waypoint: its namespace and name.
type ref struct{ namespace, name string }

// user is a Namespace or Service of the package whose istio.io/use-waypoint label the
// function set or removed, edited on a copy.
type user struct {
	index    int // in the items
	obj      *yaml.RNode
	old      string // the label's value before, "" when it had none
	enrolled bool   // set (true) or removed (false)
}

// users are the edits relabelling made, and the enrolled objects it did not find.
type users struct {
	edits   []user
	missing []string // "Namespace shop", "Service shop/cart"
}

// apply puts the edited copies into items.
func (u users) apply(items []*yaml.RNode) {
	for _, e := range u.edits {
		items[e.index] = e.obj
	}
}

// labelError is a Namespace or Service whose labels cannot be read.
type labelError struct {
	obj *yaml.RNode
	err error
}

func (e *labelError) Error() string { return fmt.Sprintf("%s: %v", krm.Describe(e.obj), e.err) }

// relabel labels istio.io/use-waypoint=NAME on what the config enrolls, and removes the
// label from every other Namespace or Service that points it at a waypoint of its own
// namespace that the config owns (generates now, or generated before and pruned): the
// config decides what of a waypoint's namespace uses it. Objects of other namespaces that
// use the waypoint through istio.io/use-waypoint-namespace are left alone. Edits are made
// on copies; items are not changed.
func relabel(items []*yaml.RNode, s *Spec, owned []ref) (users, *labelError) {
	var out users
	found := map[string]bool{}
	for i, obj := range items {
		kind := userKind(obj)
		if kind == "" {
			continue
		}
		labels, err := krm.Labels(obj)
		if err != nil {
			return users{}, &labelError{obj: obj, err: err}
		}
		ns := obj.GetNamespace()
		if kind == "Namespace" {
			ns = obj.GetName()
		}
		enroll := ns == s.Namespace && (kind == "Namespace" && s.EnrollNamespace ||
			kind == "Service" && slices.Contains(s.EnrollServices, obj.GetName()))
		if enroll {
			found[kind+"/"+obj.GetName()] = true
		}
		old, has := labels[istio.UseWaypointLabel]
		switch {
		case enroll && (old != s.Name || labels[istio.UseWaypointNamespaceLabel] != ""):
			// The namespace label would send the traffic to a waypoint elsewhere.
		case !enroll && has && ownedHere(owned, ns, old, labels[istio.UseWaypointNamespaceLabel]):
		default:
			continue
		}
		c := obj.Copy()
		if err := setUse(c, enroll, s.Name); err != nil {
			return users{}, &labelError{obj: obj, err: err}
		}
		out.edits = append(out.edits, user{index: i, obj: c, old: old, enrolled: enroll})
	}
	if s.EnrollNamespace && !found["Namespace/"+s.Namespace] {
		out.missing = append(out.missing, "Namespace "+s.Namespace)
	}
	for _, svc := range s.EnrollServices {
		if !found["Service/"+svc] {
			out.missing = append(out.missing, "Service "+s.Namespace+"/"+svc)
		}
	}
	return out, nil
}

// userKind is "Namespace" or "Service" for the objects that can use a waypoint, "" for
// any other (local configuration included).
func userKind(obj *yaml.RNode) string {
	if obj.GetApiVersion() != "v1" || krm.IsPackageMeta(obj) {
		return ""
	}
	switch k := obj.GetKind(); k {
	case "Namespace", "Service":
		return k
	}
	return ""
}

// ownedHere reports whether a use-waypoint label (value, and the use-waypoint-namespace
// label) on an object of namespace ns names one of the waypoints, in ns itself.
func ownedHere(waypoints []ref, ns, value, otherNamespace string) bool {
	return (otherNamespace == "" || otherNamespace == ns) && slices.Contains(waypoints, ref{namespace: ns, name: value})
}

// setUse sets istio.io/use-waypoint=name (and removes use-waypoint-namespace, which would
// point it elsewhere), or removes it.
func setUse(obj *yaml.RNode, enroll bool, name string) error {
	if _, err := krm.RemoveLabel(obj, istio.UseWaypointNamespaceLabel); err != nil {
		return err
	}
	var err error
	if enroll {
		_, err = krm.SetLabel(obj, istio.UseWaypointLabel, name)
	} else {
		_, err = krm.RemoveLabel(obj, istio.UseWaypointLabel)
	}
	return err
}
