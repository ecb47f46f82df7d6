package waypoint

import (
	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
)

// report records the results of a successful run: the waypoint generated, updated or
// pruned, each label set or removed, the enrolled objects the package lacks, whether the
// namespace is in ambient mode, and a summary.
func report(rl *krm.ResourceList, s *Spec, gen krm.Generator, ch krm.Changes, u users) {
	for _, obj := range ch.Added {
		rl.Infof(obj, "generated waypoint %s/%s for %s traffic", s.Namespace, s.Name, s.traffic())
	}
	for _, obj := range ch.Updated {
		rl.Infof(obj, "updated waypoint %s/%s", s.Namespace, s.Name)
	}
	for _, obj := range ch.Pruned {
		rl.Infof(obj, "pruned: %s no longer generates it", gen.Config)
	}
	for _, e := range u.edits {
		switch {
		case e.enrolled && e.old != "":
			rl.Infof(e.obj, "set %s=%s (was %s)", istio.UseWaypointLabel, s.Name, e.old)
		case e.enrolled:
			rl.Infof(e.obj, "set %s=%s", istio.UseWaypointLabel, s.Name)
		default:
			rl.Infof(e.obj, "removed %s=%s: %s does not enroll it", istio.UseWaypointLabel, e.old, gen.Config)
		}
	}
	for _, m := range u.missing {
		rl.Warningf(rl.Config, "there is no %s in the package; nothing labelled %s for it", m, istio.UseWaypointLabel)
	}
	noteMode(rl, s)
	rl.Infof(nil, "waypoint %s/%s: %d generated, %d updated, %d unchanged, %d pruned; %d labels set, %d removed",
		s.Namespace, s.Name, len(ch.Added), len(ch.Updated), len(ch.Unchanged), len(ch.Pruned), u.count(true), u.count(false))
}

// noteMode says so when the waypoint's Namespace, in the package, is not in ambient mode,
// as `istioctl waypoint apply` warns; a migration adds the waypoint first on purpose.
func noteMode(rl *krm.ResourceList, s *Spec) {
	for _, obj := range rl.Items {
		if userKind(obj) != "Namespace" || obj.GetName() != s.Namespace {
			continue
		}
		if mode := obj.GetLabels()[istio.DataplaneModeLabel]; mode != istio.DataplaneModeAmbient {
			rl.Infof(obj, "namespace %s is not in ambient mode yet (no %s=%s label); Istio's migration guide adds "+
				"waypoints before it moves a namespace (set-namespace-revision dataplaneMode: ambient)",
				s.Namespace, istio.DataplaneModeLabel, istio.DataplaneModeAmbient)
		}
	}
}

func (u users) count(enrolled bool) int {
	n := 0
	for _, e := range u.edits {
		if e.enrolled == enrolled {
			n++
		}
	}
	return n
}
