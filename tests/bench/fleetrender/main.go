// Command fleetrender measures what checking a mesh repository costs, whole: a repository
// made from the blueprints (tests/bench/fleet: blueprints/fleet at the root, two
// control-plane packages, namespace packages holding the Deployments), rendered in exec
// mode and validated, at each size given, in two layouts, alternating run by run:
//
//   - shipped: as blueprints/fleet ships and its scripts/ci-check.sh checks it: kpt fn
//     render (the root's pipeline injects), then validate-mesh --package on the rendered
//     files;
//   - kpt validator: the root's Kptfile also runs validate-mesh as its validator, so kpt
//     gives it every resource (the layout before; a small repository may keep it). With
//     -baseline COMMIT, its functions are built from that commit (package baseline): the
//     way a repository was checked before, against the way it is now, in the same run.
//
// It prints, per layout and size, the median wall time, the CPU time (user and system,
// kpt's and every function's) and the peak resident memory of kpt and of the largest
// function, and checks that both layouts render the same files and (at the smallest size)
// that both fail on a planted defect (a namespace on a revision no control plane serves).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/meshfn/meshfn/tests/bench/baseline"
	"github.com/meshfn/meshfn/tests/bench/fleet"
	"github.com/meshfn/meshfn/tests/bench/procstat"
)

type options struct {
	bin, timefn, blueprints, baseline string
	sizes                             []int
	packages, runs                    int
	keep                              bool
}

func main() {
	var o options
	var sizes string
	flag.StringVar(&o.bin, "bin", "bin", "folder with the function binaries")
	flag.StringVar(&o.timefn, "timefn", "bin/timefn", "the timefn binary (tests/bench/timefn)")
	flag.StringVar(&o.blueprints, "blueprints", "blueprints", "the blueprints folder")
	flag.StringVar(&sizes, "workloads", "1000,10000", "comma-separated numbers of Deployments")
	flag.IntVar(&o.packages, "packages", 10, "namespace packages the Deployments are spread over")
	flag.IntVar(&o.runs, "runs", 3, "runs per layout and size (the median is reported)")
	flag.StringVar(&o.baseline, "baseline", "", "a commit whose functions check the kpt-validator layout (built into .cache/bench)")
	flag.Parse()
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < o.packages {
			fail(fmt.Errorf("-workloads: %q is not a number of Deployments (at least -packages)", s))
		}
		o.sizes = append(o.sizes, n)
	}
	if err := run(o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fleetrender bench:", err)
	os.Exit(1)
}

// A layout is a way of laying out and checking the repository.
type layout struct {
	name string
	// kptValidator keeps validate-mesh in the root's Kptfile; otherwise it runs on the
	// rendered files.
	kptValidator bool
}

var layouts = []layout{{"shipped", false}, {"kpt validator", true}}

// validators is the root Kptfile's validator in the kpt-validator layout, as
// blueprints/fleet's README gives it.
const validators = "  validators:\n    - image: ghcr.io/meshfn/validate-mesh:v0.1.0\n      configPath: validate-mesh.yaml\n"

// sample is what one check of the repository cost.
type sample struct {
	wall, cpu     time.Duration
	kptRSS, fnRSS int64 // KiB
}

func run(o options) error {
	tmp, err := os.MkdirTemp("", "meshfn-fleetrender-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	wrappers, err := procstat.TimefnWrappers(tmp, o.timefn, []string{"apply-setters", "generate-revision", "set-namespace-revision", "inject-sidecar", "validate-mesh"})
	if err != nil {
		return err
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	bins := []string{bin, bin}
	names := []string{layouts[0].name, layouts[1].name}
	if o.baseline != "" {
		dir, label, err := baseline.Build(o.baseline, "./functions/apply-setters", "./functions/generate-revision",
			"./functions/set-namespace-revision", "./functions/inject-sidecar", "./functions/validate-mesh")
		if err != nil {
			return err
		}
		bins[1], names[1] = dir, layouts[1].name+" at "+label[:8]
	}
	fmt.Printf("checking a mesh repository (render, then validate) made from the blueprints: Deployments in %d namespace packages on two revisions, "+
		"2 control-plane packages, exec mode; median of %d runs, layouts alternating\n", o.packages, o.runs)
	fmt.Printf("%-8s %-24s %10s %10s %14s %18s\n", "workloads", "layout", "wall", "CPU", "kpt peak RSS", "largest function")
	for _, n := range o.sizes {
		samples := make([][]sample, len(layouts))
		var rendered []map[string][]byte
		for i := 0; i < o.runs; i++ {
			for li, l := range layouts {
				dir := filepath.Join(tmp, fmt.Sprintf("%d-%d-%d", n, li, i), "mesh")
				r := fleet.Repository{Blueprints: o.blueprints, Workloads: n, Packages: o.packages, Exec: true}
				if l.kptValidator {
					r.Kptfiles = map[string]string{"Kptfile": rootPipeline(o.blueprints) + validators}
				}
				if err := r.Write(dir); err != nil {
					return err
				}
				s, err := check(dir, l, wrappers, bins[li], filepath.Join(tmp, "timefn.log"))
				if err != nil {
					return fmt.Errorf("%d workloads, %s: %w", n, l.name, err)
				}
				samples[li] = append(samples[li], s)
				if i == 0 {
					files, err := fleet.ReadTree(dir)
					if err != nil {
						return err
					}
					rendered = append(rendered, files)
					// The planted defect is checked at the smallest size only: at 10,000
					// workloads the layout before takes minutes more per check.
					if n == slices.Min(o.sizes) {
						err = plantedDefectFails(dir, l, wrappers, bins[li], filepath.Join(tmp, "timefn.log"))
					}
					if err != nil {
						return fmt.Errorf("%d workloads, %s: %w", n, l.name, err)
					}
				}
				if err := os.RemoveAll(filepath.Dir(dir)); err != nil {
					return err
				}
			}
		}
		var med []sample
		for li := range layouts {
			m := median(samples[li])
			med = append(med, m)
			fmt.Printf("%-8d %-24s %10s %10s %10d MiB %14d MiB\n", n, names[li], m.wall.Round(100*time.Millisecond), m.cpu.Round(100*time.Millisecond), m.kptRSS/1024, m.fnRSS/1024)
		}
		fmt.Printf("%-8d shipped / %s: wall %.2fx, CPU %.2fx, kpt peak RSS %.2fx; same rendered files (Kptfiles aside): %v\n", n, names[1],
			ratio(med[0].wall, med[1].wall), ratio(med[0].cpu, med[1].cpu), float64(med[0].kptRSS)/float64(med[1].kptRSS), sameFiles(rendered[0], rendered[1]))
	}
	return nil
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

// rootPipeline is the root Kptfile's pipeline of blueprints/fleet (the text from
// "pipeline:" on).
func rootPipeline(blueprints string) string {
	b, err := os.ReadFile(filepath.Join(blueprints, "fleet", "Kptfile"))
	if err != nil {
		return ""
	}
	text := string(b)
	return text[strings.Index(text, "\npipeline:")+1:]
}

// check renders the repository at dir and, in the shipped layout, validates the rendered
// files; it measures both together.
func check(dir string, l layout, wrappers, bin, log string) (sample, error) {
	os.Remove(log)
	var s sample
	start := time.Now()
	render := exec.Command("kpt", "fn", "render", "--allow-exec", "--truncate-output=false", ".")
	render.Dir = dir
	render.Env = append(os.Environ(), "PATH="+wrappers+":"+os.Getenv("PATH"), "MESHFN_TIMEFN_BIN="+bin, "MESHFN_TIMEFN_LOG="+log)
	var out bytes.Buffer
	render.Stdout, render.Stderr = &out, &out
	if err := render.Run(); err != nil {
		return s, fmt.Errorf("kpt fn render: %v\n%s", err, tail(out.String()))
	}
	s.cpu = render.ProcessState.UserTime() + render.ProcessState.SystemTime()
	// kpt's own peak: wait4 gives the largest of its process tree, the functions'
	// are logged by timefn; kpt's is the tree's when it is larger than theirs.
	s.kptRSS = maxRSS(render.ProcessState)
	fns, err := functionRSS(log)
	if err != nil {
		return s, err
	}
	s.fnRSS = fns
	if l.kptValidator {
		s.wall = time.Since(start)
		return s, nil
	}
	validate := exec.Command(filepath.Join(bin, "validate-mesh"), "--package", ".", "--config", "validate-mesh.yaml")
	validate.Dir = dir
	out.Reset()
	validate.Stdout, validate.Stderr = &out, &out
	if err := validate.Run(); err != nil {
		return s, fmt.Errorf("validate-mesh --package: %v\n%s", err, tail(out.String()))
	}
	s.wall = time.Since(start)
	s.cpu += validate.ProcessState.UserTime() + validate.ProcessState.SystemTime()
	s.fnRSS = max(s.fnRSS, maxRSS(validate.ProcessState))
	return s, nil
}

// plantedDefectFails moves the first namespace package to a revision no control plane
// serves and checks that the check fails, naming the finding (MFN0004).
func plantedDefectFails(dir string, l layout, wrappers, bin, log string) error {
	kptfile := filepath.Join(dir, fleet.NamespacePackage(0), "Kptfile")
	b, err := os.ReadFile(kptfile)
	if err != nil {
		return err
	}
	planted := strings.Replace(string(b), "revision: "+fleet.Revisions[0].Name, "revision: asm-nobody-serves", 1)
	if planted == string(b) {
		return fmt.Errorf("could not plant the defect in %s", kptfile)
	}
	if err := os.WriteFile(kptfile, []byte(planted), 0o644); err != nil {
		return err
	}
	_, err = check(dir, l, wrappers, bin, log)
	if err == nil {
		return fmt.Errorf("the check passed with a namespace on a revision nobody serves")
	}
	if !strings.Contains(err.Error(), "MFN0004") {
		return fmt.Errorf("the check failed on a namespace on a revision nobody serves, but without MFN0004: %w", err)
	}
	return nil
}

func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// functionRSS is the largest peak memory timefn logged.
func functionRSS(log string) (int64, error) {
	calls, err := procstat.ReadTimefnLog(log)
	var largest int64
	for _, c := range calls {
		largest = max(largest, c.MaxRSS)
	}
	return largest, err
}

// median is the median of the samples' wall and CPU time and kpt's peak memory
// (procstat.Median), and the largest function's peak over them (the table says "largest function").
func median(ss []sample) sample {
	runs := make([]procstat.Sample, len(ss))
	var fnRSS int64
	for i, s := range ss {
		runs[i] = procstat.Sample{CPU: s.cpu, Wall: s.wall, MaxRSS: s.kptRSS}
		fnRSS = max(fnRSS, s.fnRSS)
	}
	m := procstat.Median(runs)
	return sample{wall: m.Wall, cpu: m.CPU, kptRSS: m.MaxRSS, fnRSS: fnRSS}
}

func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}

// sameFiles reports whether two renders wrote the same files, the root Kptfiles aside
// (they differ by the validator).
func sameFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for name, content := range a {
		if name != "Kptfile" && !bytes.Equal(content, b[name]) {
			return false
		}
	}
	return true
}
