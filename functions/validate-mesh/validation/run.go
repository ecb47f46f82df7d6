// Package validation is the validate-mesh function: it reads a package, with each workload
// analysed as the pod its controller would create (injected as the cluster's webhook would
// admit it), runs every family of checks over it (checks: meshfn's fleet, ambient, host
// and CA checks, then Istio's analyzers; each a package implementing check.Check), and
// reports every finding as a result. It never changes the items.
package validation

import (
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/fleet"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/inject/sidecar"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Run is the function. Certificates are checked against the time of the run unless the
// config sets validAt.
func Run(rl *krm.ResourceList) error { return run(rl, time.Now()) }

// Stream is the function reading the items one at a time (krm.MainStream).
func Stream(rl *krm.ResourceList, items iter.Seq[*yaml.RNode]) error {
	return validate(rl, items, time.Now())
}

func run(rl *krm.ResourceList, now time.Time) error {
	return validate(rl, slices.Values(rl.Items), now)
}

func validate(rl *krm.ResourceList, all iter.Seq[*yaml.RNode], now time.Time) error {
	rl.Unchanged = true // a validator: the items go out as they came in
	spec, ok := decode(rl)
	if !ok {
		return nil
	}
	if spec.validAt.IsZero() {
		spec.validAt = now
	}
	pv := readPackage(all)
	injCfg := injectionConfig(pv.all)
	injSpec := decodeInjection(injCfg)
	if spec.DefaultNamespace == "" && injSpec != nil {
		spec.DefaultNamespace = injSpec.DefaultNamespace
	}
	if err := pv.namePods(spec.DefaultNamespace); err != nil {
		return err
	}
	var fs []*check.Finding
	for _, err := range pv.templateErrs {
		fs = append(fs, &check.Finding{Code: check.CodeUnreadable, Level: check.LevelError, Message: err.Error()})
	}
	fs = append(fs, pv.viewErrs...)
	mesh, found := readMesh(pv.all, injSpec)
	fs = append(fs, found...)
	admitted, err := admittedTemplates(pv.all, pv.pods, pv.views, injCfg)
	if err != nil {
		return fmt.Errorf("injecting workloads as the cluster would admit them: %w", err)
	}
	for i, t := range admitted {
		pv.pods[i].Admitted = t
	}
	pv.markAmbient()
	resources, workloads := len(pv.items), len(pv.pods)
	p := &check.Package{
		Settings: check.Settings{IstioNamespace: spec.IstioNamespace, DefaultNamespace: spec.DefaultNamespace,
			ValidAt: spec.validAt, ExpiryWarning: spec.expiry},
		All: pv.all, Items: pv.items, Namespaces: pv.namespaces, Pods: pv.pods, Views: pv.views,
		Mesh: mesh, Converted: pv.converted,
	}
	for _, c := range checks {
		found, err := c.Run(p)
		if err != nil {
			return err
		}
		fs = append(fs, found...)
	}
	report(rl, spec, fs, resources, workloads, mesh == nil)
	return nil
}

// readMesh reads the package's control planes as inject-sidecar does, with the package's
// SidecarInjection config (its hub, tag and assumed revision). It returns nil when the
// package holds no control plane: an application package alone says nothing about which
// revisions exist, so the revision checks are skipped.
func readMesh(all []*yaml.RNode, inj *sidecar.Spec) (*fleet.Mesh, []*check.Finding) {
	opts := fleet.Options{}
	if inj != nil {
		opts = fleet.Options{Assume: inj.Revision, Hub: inj.Hub, Tag: inj.Tag, IstioVersion: inj.IstioVersion}
	}
	mesh, err := fleet.Read(all, opts)
	if err != nil {
		return nil, []*check.Finding{{Code: check.CodeUnreadable, Level: check.LevelError, Message: fmt.Sprintf(
			"the package's control planes cannot be read: %v", err)}}
	}
	if mesh.Assumed() {
		return nil, nil
	}
	return mesh, nil
}

// decode reads the config; a validator may run without one (every setting has a default).
func decode(rl *krm.ResourceList) (*Spec, bool) {
	spec := &Spec{}
	if rl.Config == nil || rl.Config.IsNilOrEmpty() {
		spec.Default()
		if err := spec.Validate(); err != nil {
			rl.ConfigError(err)
			return nil, false
		}
		return spec, true
	}
	if _, err := fnconfig.Decode(rl.Config, Kind, spec); err != nil {
		rl.ConfigError(err)
		return nil, false
	}
	return spec, true
}

// report writes one result per finding that is not suppressed, then the summary, which is
// an error when a finding at or above failOn remains.
func report(rl *krm.ResourceList, spec *Spec, fs []*check.Finding, resources, pods int, noControlPlane bool) {
	sortFindings(fs)
	var counts [3]int
	suppressed, failing := 0, 0
	for _, f := range fs {
		if suppressedBy(f, spec.Suppress) {
			suppressed++
			continue
		}
		counts[rank(f.Level)]++
		if spec.failsOn(f.Level) {
			failing++
		}
		rl.Results = append(rl.Results, result(f, spec))
	}
	summary := fmt.Sprintf("validate-mesh: %s, %s, %s (%d suppressed) in %s and %s analysed as pods",
		plural(counts[0], "error"), plural(counts[1], "warning"), plural(counts[2], "info"), suppressed,
		plural(resources, "resource"), plural(pods, "workload"))
	if noControlPlane {
		summary += "; the package holds no control plane, so the revision checks were skipped"
	}
	if failing > 0 {
		rl.Errorf(nil, "%s: failed, failOn is %s", summary, spec.FailOn)
		return
	}
	rl.Infof(nil, "%s: passed (failOn %s)", summary, spec.FailOn)
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
