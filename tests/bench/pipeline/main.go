// Command pipeline measures a whole `kpt fn render` of a synthetic repository: two
// control-plane revision packages (asm-1-29 and asm-1-30, each declaring its proxy tag)
// and namespace packages holding the workloads, on the two revisions in turn. Two layouts
// of the same repository are rendered, alternating run by run:
//
//   - root: the namespace packages label their namespace (apply-setters,
//     set-namespace-revision) and the root package injects every workload (inject-sidecar),
//     as blueprints/fleet does;
//   - per-package: each namespace package also injects its own workloads, on its assumed
//     revision, and the root has no pipeline (the layout before the fleet view).
//
// Both are rendered in exec mode (the functions as binaries) and, when a container runtime
// is given, the root layout in container mode (the function images). It prints the wall
// time and peak memory of each, next to the functions' own processing time: in exec mode
// every function runs under timefn, which logs its wall time, and the ratio of the whole
// render to the sum of those times is what kpt's orchestration costs. Container mode runs
// the same binaries on the same input, so its ratio is taken against the same sum.
//
// Peak memory is the largest single process of kpt's process tree (wait4's ru_maxrss): in
// exec mode the largest of kpt and the functions; in container mode the functions run
// under the runtime's monitor, outside kpt's tree, so it is kpt's and the runtime CLI's.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/meshfn/meshfn/tests/bench/fleet"
	"github.com/meshfn/meshfn/tests/bench/procstat"
	"github.com/meshfn/meshfn/tests/bench/synth"
)

var functions = []string{"apply-setters", "generate-revision", "set-namespace-revision", "inject-sidecar"}

type options struct {
	bin, timefn, runtime, version string
	workloads, packages, runs     int
}

// Layouts of the repository.
const (
	layoutRoot       = "root"
	layoutPerPackage = "per-package"
)

// variant is one way of rendering: a layout in a mode.
type variant struct {
	layout, mode string
	command      func(dir, log string) *exec.Cmd
}

func (v variant) String() string { return v.mode + ", " + v.layout }

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin", "folder with the function binaries")
	flag.StringVar(&o.timefn, "timefn", "bin/timefn", "the timefn binary")
	flag.StringVar(&o.runtime, "runtime", "", "container runtime for container mode (podman or docker); empty skips it")
	flag.StringVar(&o.version, "version", "", "image tag (default: the VERSION file)")
	flag.IntVar(&o.workloads, "workloads", 10000, "Deployments in the package")
	flag.IntVar(&o.packages, "packages", 10, "namespace packages the Deployments are spread over")
	flag.IntVar(&o.runs, "runs", 3, "renders per mode (the median time is reported)")
	flag.Parse()
	if o.version == "" {
		b, err := os.ReadFile("VERSION")
		if err != nil {
			fail(err)
		}
		o.version = strings.TrimSpace(string(b))
	}
	if err := run(o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pipeline bench:", err)
	os.Exit(1)
}

// result is one mode's measurement.
type result struct {
	wall     time.Duration // median over the runs
	treeRSS  int64         // KiB, largest over the runs
	fnWall   time.Duration // median of the runs' sums of function wall times
	fnRSS    int64         // KiB, the largest function process
	fnCalls  int
	byName   map[string]time.Duration // from the median run
	rendered map[string][]byte        // the first run's output
}

func run(o options) error {
	tmp, err := os.MkdirTemp("", "meshfn-pipeline-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	wrappers, err := procstat.TimefnWrappers(tmp, o.timefn, functions)
	if err != nil {
		return err
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}

	fmt.Printf("kpt fn render of a repository: %d Deployments in %d namespace packages on two revisions, 2 control-plane packages; median of %d renders, variants alternating\n",
		o.workloads, o.packages, o.runs)
	execCmd := func(dir, log string) *exec.Cmd {
		cmd := exec.Command("kpt", "fn", "render", "--allow-exec", ".")
		cmd.Env = append(os.Environ(), "PATH="+wrappers+":"+os.Getenv("PATH"), "MESHFN_TIMEFN_BIN="+bin, "MESHFN_TIMEFN_LOG="+log)
		return cmd
	}
	variants := []variant{{layoutRoot, "exec", execCmd}, {layoutPerPackage, "exec", execCmd}}
	if o.runtime != "" {
		variants = append(variants, variant{layoutRoot, "container", func(dir, log string) *exec.Cmd {
			cmd := exec.Command("kpt", "fn", "render", "--image-pull-policy", "never", ".")
			cmd.Env = append(os.Environ(), "KPT_FN_RUNTIME="+o.runtime)
			return cmd
		}})
	}
	results, err := measure(o, tmp, variants)
	if err != nil {
		return err
	}
	fmt.Printf("%-22s %10s %16s %18s %12s %16s\n", "variant", "render", "peak RSS (tree)", "functions' own time", "render/fns", "largest function")
	for i, v := range variants {
		r := results[i]
		if v.mode == "exec" {
			fmt.Printf("%-22s %10s %12d KiB %18s %11.2fx %12d KiB\n", v, r.wall.Round(time.Millisecond), r.treeRSS,
				r.fnWall.Round(time.Millisecond), float64(r.wall)/float64(r.fnWall), r.fnRSS)
			continue
		}
		fmt.Printf("%-22s %10s %12d KiB %18s %11.2fx %16s\n", v, r.wall.Round(time.Millisecond), r.treeRSS,
			"(as exec)", float64(r.wall)/float64(results[0].fnWall), "(outside tree)")
	}
	root, perPackage := results[0], results[1]
	fmt.Printf("root layout / per-package layout (exec): render time %.2fx, peak RSS %.2fx\n",
		float64(root.wall)/float64(perPackage.wall), float64(root.treeRSS)/float64(perPackage.treeRSS))
	if o.runtime == "" {
		fmt.Println("container mode skipped: no container runtime (make bench passes the one `hack/container-runtime` finds)")
	} else {
		container := results[2]
		same := len(root.rendered) == len(container.rendered)
		for name, b := range root.rendered {
			// The Kptfiles differ by design: exec entries against image entries.
			same = same && (filepath.Base(name) == "Kptfile" || bytes.Equal(b, container.rendered[name]))
		}
		fmt.Printf("container mode rendered the same files as exec mode (Kptfiles aside): %v\n", same)
	}
	for i, v := range variants[:2] {
		fmt.Printf("functions' own time per function (%s, %d calls):", v, results[i].fnCalls)
		for _, f := range functions {
			fmt.Printf(" %s %s;", f, results[i].byName[f].Round(time.Millisecond))
		}
		fmt.Println()
	}
	return nil
}

// measure renders a fresh synthetic repository o.runs times in each variant, the variants
// taking turns so that a slower or faster spell of the machine touches them all alike.
func measure(o options, tmp string, variants []variant) ([]result, error) {
	type one struct {
		wall, fnWall time.Duration
		byName       map[string]time.Duration
	}
	results := make([]result, len(variants))
	runs := make([][]one, len(variants))
	for i := 0; i < o.runs; i++ {
		for vi, v := range variants {
			r := &results[vi]
			name := fmt.Sprintf("%s-%s-%d", v.mode, v.layout, i)
			dir := filepath.Join(tmp, name, "fleet")
			if err := writePackage(dir, v, o); err != nil {
				return nil, err
			}
			log := filepath.Join(tmp, name+".log")
			cmd := v.command(dir, log)
			cmd.Dir = dir
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			start := time.Now()
			err := cmd.Run()
			wall := time.Since(start)
			if err != nil {
				return nil, fmt.Errorf("%s: kpt fn render: %v\n%s", v, err, out.String())
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > r.treeRSS {
				r.treeRSS = ru.Maxrss
			}
			files, err := fleet.ReadTree(dir)
			if err != nil {
				return nil, err
			}
			if err := checkInjected(files, v); err != nil {
				return nil, fmt.Errorf("%s: %v\n%s", v, err, out.String())
			}
			if i == 0 {
				r.rendered = files
			}
			if err := os.RemoveAll(filepath.Dir(dir)); err != nil {
				return nil, err
			}
			x := one{wall: wall, byName: map[string]time.Duration{}}
			if _, err := os.Stat(log); err == nil {
				calls, err := procstat.ReadTimefnLog(log)
				if err != nil {
					return nil, err
				}
				r.fnCalls = len(calls)
				for _, c := range calls {
					x.fnWall += c.Wall
					x.byName[c.Name] += c.Wall
					r.fnRSS = max(r.fnRSS, c.MaxRSS)
				}
			}
			runs[vi] = append(runs[vi], x)
		}
	}
	for vi := range variants {
		rs := runs[vi]
		slices.SortFunc(rs, func(a, b one) int { return int(a.wall - b.wall) })
		mid := rs[len(rs)/2]
		results[vi].wall, results[vi].byName = mid.wall, mid.byName
		fnWalls := make([]time.Duration, len(rs))
		for i, x := range rs {
			fnWalls[i] = x.fnWall
		}
		slices.Sort(fnWalls)
		results[vi].fnWall = fnWalls[len(fnWalls)/2]
	}
	return results, nil
}

// checkInjected checks that the render injected the first workload of each revision with
// that revision's proxy: at the root, its declared tag; per package, the default proxy of
// the assumed revision.
func checkInjected(files map[string][]byte, v variant) error {
	for p, rev := range revisions {
		app := files[fmt.Sprintf("ns-%d/app-%d.yaml", p, p)]
		want := `"revision":"` + rev.name + `"`
		if v.layout == layoutRoot {
			want += "\n" + "proxyv2:" + rev.tag
		}
		for _, w := range strings.Split(want, "\n") {
			if !bytes.Contains(app, []byte(w)) {
				return fmt.Errorf("the render did not inject ns-%d/app-%d.yaml with %s", p, p, w)
			}
		}
	}
	return nil
}

// revisions are the control planes of the synthetic repository; namespace package p is on
// revisions[p%2].
var revisions = []struct{ name, tag string }{{"asm-1-29", "1.29.6"}, {"asm-1-30", "1.30.3"}}

// writePackage writes the synthetic repository in a variant's layout, its pipelines naming
// the functions by exec (mode "exec") or by image.
func writePackage(dir string, v variant, o options) error {
	step := func(name string) string {
		if v.mode == "exec" {
			return "    - exec: " + name + "\n"
		}
		return "    - image: ghcr.io/meshfn/" + name + ":" + o.version + "\n"
	}
	kptfile := func(name, pipeline string) string {
		return "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: " + name +
			"\n  annotations:\n    config.kubernetes.io/local-config: \"true\"\n" + pipeline
	}
	local := "  annotations:\n    config.kubernetes.io/local-config: \"true\"\n"
	injection := func(revision string) string {
		spec := "spec:\n  kubernetesVersion: \"1.33\"\n"
		if revision != "" {
			spec += "  revision: " + revision + " # kpt-set: ${revision}\n"
		}
		return "apiVersion: fn.meshfn.dev/v1alpha1\nkind: SidecarInjection\nmetadata:\n  name: inject\n" + local + spec
	}
	files := map[string]string{"Kptfile": kptfile("fleet", "")}
	if v.layout == layoutRoot {
		files["Kptfile"] = kptfile("fleet", "pipeline:\n  mutators:\n"+step("inject-sidecar")+"      configPath: inject-sidecar.yaml\n")
		files["inject-sidecar.yaml"] = injection("")
	}
	for _, rev := range revisions {
		cp := "control-plane-" + rev.name
		files[cp+"/Kptfile"] = kptfile(cp, "pipeline:\n  mutators:\n"+
			step("apply-setters")+"      configMap:\n        revision: "+rev.name+"\n        tag: "+rev.tag+"\n"+
			step("generate-revision")+"      configPath: control-plane-revision.yaml\n")
		files[cp+"/control-plane-revision.yaml"] = "apiVersion: fn.meshfn.dev/v1alpha1\nkind: ControlPlaneRevision\nmetadata:\n  name: control-plane\n" +
			local + "spec:\n  revision: asm-1-29 # kpt-set: ${revision}\n  tag: 1.29.6 # kpt-set: ${tag}\n"
	}
	for p := 0; p < o.packages; p++ {
		ns, rev := fmt.Sprintf("ns-%d", p), revisions[p%len(revisions)].name
		pipeline := "pipeline:\n  mutators:\n" +
			step("apply-setters") + "      configMap:\n        revision: " + rev + "\n" +
			step("set-namespace-revision") + "      configPath: namespace-revision.yaml\n"
		if v.layout == layoutPerPackage {
			pipeline += step("inject-sidecar") + "      configPath: inject-sidecar.yaml\n"
			files[ns+"/inject-sidecar.yaml"] = injection("asm-1-29")
		}
		files[ns+"/Kptfile"] = kptfile(ns, pipeline)
		files[ns+"/namespace.yaml"] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n  labels:\n    istio-injection: enabled\n"
		files[ns+"/namespace-revision.yaml"] = "apiVersion: fn.meshfn.dev/v1alpha1\nkind: NamespaceRevision\nmetadata:\n  name: ns\n" +
			local + "spec:\n  revision: asm-1-29 # kpt-set: ${revision}\n  namespaces: [" + ns + "]\n"
	}
	for i := 0; i < o.workloads; i++ {
		ns := fmt.Sprintf("ns-%d", i%o.packages)
		files[fmt.Sprintf("%s/app-%d.yaml", ns, i)] = synth.Deployment(i, ns, "")
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}
