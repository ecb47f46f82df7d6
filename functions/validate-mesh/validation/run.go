// Package validation is the validate-mesh function: it runs Istio's analyzers over a
// package offline, with each workload analysed as the pod its controller would create, adds
// meshfn's fleet checks (MFN codes), and reports every finding as a result. It never
// changes the items.
package validation

import (
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Run is the function. Certificates are checked against the time of the run unless the
// config sets validAt.
func Run(rl *krm.ResourceList) error { return run(rl, time.Now()) }

// Stream is the function reading the items one at a time (krm.MainStream).
func Stream(rl *krm.ResourceList, items iter.Seq[*yaml.RNode]) error {
	return check(rl, items, time.Now())
}

func run(rl *krm.ResourceList, now time.Time) error {
	return check(rl, slices.Values(rl.Items), now)
}

func check(rl *krm.ResourceList, all iter.Seq[*yaml.RNode], now time.Time) error {
	rl.Unchanged = true // a validator: the items go out as they came in
	spec, ok := decode(rl)
	if !ok {
		return nil
	}
	if spec.validAt.IsZero() {
		spec.validAt = now
	}
	pv := readPackage(all)
	items, namespaces, pods, views := pv.items, pv.namespaces, pv.pods, pv.views
	injCfg := injectionConfig(pv.all)
	injSpec := decodeInjection(injCfg)
	if spec.DefaultNamespace == "" && injSpec != nil {
		spec.DefaultNamespace = injSpec.DefaultNamespace
	}
	if err := pv.namePods(spec.DefaultNamespace); err != nil {
		return err
	}
	var fs []*finding
	for _, err := range pv.templateErrs {
		fs = append(fs, &finding{code: codeUnreadable, level: LevelError, message: err.Error()})
	}
	fs = append(fs, pv.viewErrs...)

	fv, found := readFleet(pv.all, namespaces, injSpec)
	fs = append(fs, found...)
	revisionOf := namespaceRevision
	if fv != nil {
		fs = append(fs, fv.check(pods, views)...)
		revisionOf = fv.namespaceRevision
	}
	admitted, err := admittedTemplates(pv.all, pods, views, injCfg)
	if err != nil {
		return fmt.Errorf("injecting workloads as the cluster would admit them: %w", err)
	}
	for i, t := range admitted {
		pods[i].admitted = t
	}
	av := readAmbient(items, namespaces, pods, views, spec.IstioNamespace)
	for i, w := range av.workloads {
		pods[i].ambient = w.ambient
	}
	fs = append(fs, av.check(items)...)
	fs = append(fs, readHosts(items, spec, fv.clusterDomains()).check(items)...)

	sources, found := caSources(pv.all)
	fs = append(fs, found...)
	fs = append(fs, checkCA(sources, spec.validAt, spec.expiry)...)

	runs := planRuns(meshConfigs(items, spec.IstioNamespace), namespaces, revisionOf)
	in, found := newAnalysisInput(items, pods, pv.converted) // shrinks the items: everything reading them runs before
	fs = append(fs, found...)
	if found, err = in.analyze(spec, runs); err != nil {
		return fmt.Errorf("running Istio's analyzers: %w", err)
	}
	fs = append(fs, found...)
	report(rl, spec, fs, len(items), len(pods), fv == nil)
	return nil
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
func report(rl *krm.ResourceList, spec *Spec, fs []*finding, resources, pods int, noControlPlane bool) {
	sortFindings(fs)
	var counts [3]int
	suppressed, failing := 0, 0
	for _, f := range fs {
		if f.suppressedBy(spec.Suppress) {
			suppressed++
			continue
		}
		counts[rank(f.level)]++
		if spec.failsOn(f.level) {
			failing++
		}
		rl.Results = append(rl.Results, f.result(spec))
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
