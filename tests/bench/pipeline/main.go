// Command pipeline measures a whole `kpt fn render` of a synthetic root package: one
// control-plane revision package and namespace packages holding the workloads, each with
// the pipeline a user has (apply-setters, set-namespace-revision, inject-sidecar). It
// renders the package in exec mode (the functions as binaries) and, when a container
// runtime is given, in container mode (the function images), and prints the wall time
// and peak memory of each, next to the functions' own processing time: in exec mode every
// function runs under timefn, which logs its wall time, and the ratio of the whole render
// to the sum of those times is what kpt's orchestration costs. Container mode runs the
// same binaries on the same input, so its ratio is taken against the same sum.
//
// Peak memory is the largest single process of kpt's process tree (wait4's ru_maxrss): in
// exec mode the largest of kpt and the functions; in container mode the functions run
// under the runtime's monitor, outside kpt's tree, so it is kpt's and the runtime CLI's.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/meshfn/meshfn/tests/bench/synth"
)

var functions = []string{"apply-setters", "generate-revision", "set-namespace-revision", "inject-sidecar"}

type options struct {
	bin, timefn, runtime, version string
	workloads, packages, runs     int
}

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
	wrappers := filepath.Join(tmp, "wrappers")
	if err := os.MkdirAll(wrappers, 0o755); err != nil {
		return err
	}
	timefn, err := os.ReadFile(o.timefn)
	if err != nil {
		return fmt.Errorf("reading timefn (make bench builds it): %w", err)
	}
	for _, f := range functions {
		if err := os.WriteFile(filepath.Join(wrappers, f), timefn, 0o755); err != nil {
			return err
		}
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}

	fmt.Printf("kpt fn render of a root package: %d Deployments in %d namespace packages, 1 control-plane package; median of %d renders\n",
		o.workloads, o.packages, o.runs)
	execMode, err := measure(o, tmp, "exec", func(dir, log string) *exec.Cmd {
		cmd := exec.Command("kpt", "fn", "render", "--allow-exec", ".")
		cmd.Env = append(os.Environ(), "PATH="+wrappers+":"+os.Getenv("PATH"), "MESHFN_TIMEFN_BIN="+bin, "MESHFN_TIMEFN_LOG="+log)
		return cmd
	})
	if err != nil {
		return err
	}
	fmt.Printf("%-10s %10s %16s %18s %12s %16s\n", "mode", "render", "peak RSS (tree)", "functions' own time", "render/fns", "largest function")
	fmt.Printf("%-10s %10s %12d KiB %18s %11.2fx %12d KiB\n", "exec", execMode.wall.Round(time.Millisecond), execMode.treeRSS,
		execMode.fnWall.Round(time.Millisecond), float64(execMode.wall)/float64(execMode.fnWall), execMode.fnRSS)
	if o.runtime == "" {
		fmt.Println("container  skipped: no container runtime (make bench passes the one `hack/container-runtime` finds)")
	} else {
		containerMode, err := measure(o, tmp, "container", func(dir, log string) *exec.Cmd {
			cmd := exec.Command("kpt", "fn", "render", "--image-pull-policy", "never", ".")
			cmd.Env = append(os.Environ(), "KPT_FN_RUNTIME="+o.runtime)
			return cmd
		})
		if err != nil {
			return err
		}
		fmt.Printf("%-10s %10s %12d KiB %18s %11.2fx %16s\n", "container", containerMode.wall.Round(time.Millisecond), containerMode.treeRSS,
			"(as exec)", float64(containerMode.wall)/float64(execMode.fnWall), "(outside tree)")
		same := len(execMode.rendered) == len(containerMode.rendered)
		for name, b := range execMode.rendered {
			// The Kptfiles differ by design: exec entries against image entries.
			same = same && (filepath.Base(name) == "Kptfile" || bytes.Equal(b, containerMode.rendered[name]))
		}
		fmt.Printf("container mode rendered the same files as exec mode (Kptfiles aside): %v\n", same)
	}
	fmt.Printf("functions' own time per function (exec mode, %d calls):", execMode.fnCalls)
	for _, f := range functions {
		fmt.Printf(" %s %s;", f, execMode.byName[f].Round(time.Millisecond))
	}
	fmt.Println()
	return nil
}

// measure renders a fresh synthetic package o.runs times in one mode.
func measure(o options, tmp, mode string, command func(dir, log string) *exec.Cmd) (result, error) {
	var r result
	type one struct {
		wall, fnWall time.Duration
		byName       map[string]time.Duration
	}
	var runs []one
	for i := 0; i < o.runs; i++ {
		dir := filepath.Join(tmp, fmt.Sprintf("%s-%d", mode, i), "fleet")
		if err := writePackage(dir, mode, o); err != nil {
			return r, err
		}
		log := filepath.Join(tmp, fmt.Sprintf("%s-%d.log", mode, i))
		cmd := command(dir, log)
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil {
			return r, fmt.Errorf("%s mode: kpt fn render: %v\n%s", mode, err, out.String())
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > r.treeRSS {
			r.treeRSS = ru.Maxrss
		}
		files, err := readTree(dir)
		if err != nil {
			return r, err
		}
		if !bytes.Contains(files["ns-0/app-0.yaml"], []byte("sidecar.istio.io/status")) {
			return r, fmt.Errorf("%s mode: the render did not inject ns-0/app-0.yaml:\n%s", mode, out.String())
		}
		if i == 0 {
			r.rendered = files
		}
		if err := os.RemoveAll(filepath.Dir(dir)); err != nil {
			return r, err
		}
		x := one{wall: wall, byName: map[string]time.Duration{}}
		if b, err := os.ReadFile(log); err == nil {
			r.fnCalls = 0
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				var name string
				var secs float64
				var rss int64
				if _, err := fmt.Sscanf(line, "%s %f %d", &name, &secs, &rss); err != nil {
					return r, fmt.Errorf("timefn log line %q: %w", line, err)
				}
				d := time.Duration(secs * float64(time.Second))
				x.fnWall += d
				x.byName[name] += d
				r.fnRSS = max(r.fnRSS, rss)
				r.fnCalls++
			}
		}
		runs = append(runs, x)
	}
	slices.SortFunc(runs, func(a, b one) int { return int(a.wall - b.wall) })
	mid := runs[len(runs)/2]
	r.wall, r.byName = mid.wall, mid.byName
	fnWalls := make([]time.Duration, len(runs))
	for i, x := range runs {
		fnWalls[i] = x.fnWall
	}
	slices.Sort(fnWalls)
	r.fnWall = fnWalls[len(fnWalls)/2]
	return r, nil
}

// writePackage writes the synthetic root package, its pipelines naming the functions by
// exec (mode "exec") or by image.
func writePackage(dir, mode string, o options) error {
	step := func(name string) string {
		if mode == "exec" {
			return "    - exec: " + name + "\n"
		}
		return "    - image: ghcr.io/meshfn/" + name + ":" + o.version + "\n"
	}
	kptfile := func(name, pipeline string) string {
		return "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: " + name +
			"\n  annotations:\n    config.kubernetes.io/local-config: \"true\"\n" + pipeline
	}
	local := "  annotations:\n    config.kubernetes.io/local-config: \"true\"\n"
	files := map[string]string{
		"Kptfile": kptfile("fleet", ""),
		"control-plane/Kptfile": kptfile("control-plane", "pipeline:\n  mutators:\n"+
			step("apply-setters")+"      configMap:\n        revision: asm-1-27\n"+
			step("generate-revision")+"      configPath: control-plane-revision.yaml\n"),
		"control-plane/control-plane-revision.yaml": "apiVersion: fn.meshfn.dev/v1alpha1\nkind: ControlPlaneRevision\nmetadata:\n  name: control-plane\n" +
			local + "spec:\n  revision: asm-1-27 # kpt-set: ${revision}\n",
	}
	for p := 0; p < o.packages; p++ {
		ns := fmt.Sprintf("ns-%d", p)
		files[ns+"/Kptfile"] = kptfile(ns, "pipeline:\n  mutators:\n"+
			step("apply-setters")+"      configMap:\n        revision: asm-1-27\n"+
			step("set-namespace-revision")+"      configPath: namespace-revision.yaml\n"+
			step("inject-sidecar")+"      configPath: inject-sidecar.yaml\n")
		files[ns+"/namespace.yaml"] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n  labels:\n    istio-injection: enabled\n"
		files[ns+"/namespace-revision.yaml"] = "apiVersion: fn.meshfn.dev/v1alpha1\nkind: NamespaceRevision\nmetadata:\n  name: ns\n" +
			local + "spec:\n  revision: asm-1-27 # kpt-set: ${revision}\n  namespaces: [" + ns + "]\n"
		files[ns+"/inject-sidecar.yaml"] = "apiVersion: fn.meshfn.dev/v1alpha1\nkind: SidecarInjection\nmetadata:\n  name: inject\n" +
			local + "spec:\n  revision: asm-1-27 # kpt-set: ${revision}\n  kubernetesVersion: \"1.33\"\n"
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

func readTree(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = b
		return err
	})
	return files, err
}
