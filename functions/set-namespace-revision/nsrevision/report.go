package nsrevision

import (
	"fmt"

	"github.com/meshfn/meshfn/internal/istio"
	"github.com/meshfn/meshfn/internal/krm"
)

// report records the results of a successful run, in package order: the Namespaces the
// selector matched but that are protected, what changed in each relabelled Namespace,
// the names the config gave that are not in the package, and a summary.
func report(rl *krm.ResourceList, spec *Spec, pkg namespaces, sel selection, edits []edit) {
	skippedAt := map[int]string{}
	for _, s := range sel.Skipped {
		skippedAt[s.Index] = s.Reason
	}
	editAt := map[int]edit{}
	for _, e := range edits {
		editAt[e.cand] = e
	}
	changed, current := 0, 0
	for i, obj := range pkg.objs {
		if reason, ok := skippedAt[i]; ok {
			rl.Infof(obj, "not relabelled: the selector %q matches %s, but %s; name it in namespaces to relabel it",
				spec.Selector.String(), pkg.cands[i].Name, reason)
			continue
		}
		e, ok := editAt[i]
		if !ok {
			continue
		}
		if !e.change.changed() {
			current++
			continue
		}
		changed++
		rl.Infof(obj, "%s", e.change)
		if e.change.optedOut() {
			rl.Warningf(obj, "removed %s=disabled: namespace %s had opted out of sidecar injection; "+
				"pods created in it from now on get sidecars from revision %s",
				istio.InjectionLabel, pkg.cands[i].Name, spec.Revision)
		}
	}
	reportMissing(rl, pkg, sel.Missing)
	mode := ""
	if spec.DataplaneMode != ModeSidecar {
		mode = " in " + spec.DataplaneMode + " mode"
	}
	rl.Infof(nil, "%s changed to %s=%s%s, %d already on it",
		plural(changed, "namespace"), istio.RevisionLabel, spec.Revision, mode, current)
}

// reportMissing warns about every name in namespaces that is not a Namespace the
// function may relabel.
func reportMissing(rl *krm.ResourceList, pkg namespaces, missing []string) {
	for _, name := range missing {
		if pkg.local[name] {
			rl.Warningf(rl.Config, "namespaces: Namespace %s is in the package only as local config "+
				"(%s: \"true\"), which is not deployed; it was not relabelled", name, krm.LocalConfigAnnotation)
			continue
		}
		rl.Warningf(rl.Config, "namespaces: there is no Namespace %s in the package; nothing relabelled for it", name)
	}
}

// plural returns "1 namespace" or "n namespaces".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
