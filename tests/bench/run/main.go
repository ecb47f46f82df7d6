// Command run measures meshfn's functions as whole processes on synthetic packages:
// wall time and peak memory of inject-sidecar on packages of Deployments spread over
// namespaces, next to a no-op function built the same way that only parses and
// re-serializes the same ResourceList (the floor). It prints both and their ratio,
// measured in the same run, and the same no-op on inject-sidecar's output: the cost of
// parsing and writing the injected package alone.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/meshfn/meshfn/tests/bench/synth"
)

type measurement struct {
	wall   time.Duration // median
	maxRSS int64         // KiB, the largest of the runs
}

func main() {
	bin := flag.String("bin", "bin", "folder with the function binaries and noop")
	sizes := flag.String("deployments", "1000,10000", "package sizes, in Deployments")
	namespaces := flag.Int("namespaces", 50, "namespaces the Deployments are spread over")
	runs := flag.Int("runs", 3, "runs per measurement (the median is reported)")
	flag.Parse()
	if err := run(*bin, *sizes, *namespaces, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(bin, sizes string, namespaces, runs int) error {
	dir, err := os.MkdirTemp("", "meshfn-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Printf("%-14s %-12s %12s %12s %10s %10s\n", "package", "function", "time", "peak RSS", "time/floor", "RSS/floor")
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("deployments %q: %w", s, err)
		}
		input := filepath.Join(dir, fmt.Sprintf("deployments-%d.yaml", n))
		if err := writePackage(input, n, namespaces); err != nil {
			return err
		}
		floor, err := measure(filepath.Join(bin, "noop"), input, runs)
		if err != nil {
			return err
		}
		inject, err := measure(filepath.Join(bin, "inject-sidecar"), input, runs)
		if err != nil {
			return err
		}
		// The same floor on inject-sidecar's output: what parsing and writing the injected
		// package costs by itself, a bound no injector writing that output can beat.
		output := filepath.Join(dir, fmt.Sprintf("deployments-%d-injected.yaml", n))
		if err := injectOnce(filepath.Join(bin, "inject-sidecar"), input, output); err != nil {
			return err
		}
		outFloor, err := measure(filepath.Join(bin, "noop"), output, runs)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%d deploys", n)
		report(name, "noop (floor)", floor, floor)
		report(name, "inject-sidecar", inject, floor)
		report(name, "noop on output", outFloor, floor)
		fmt.Printf("%-14s %-12s %12s\n", "", "per deploy", (inject.wall / time.Duration(n)).String())
	}
	return nil
}

func report(pkg, fn string, m, floor measurement) {
	fmt.Printf("%-14s %-12s %12s %9d KiB %9.2fx %9.2fx\n", pkg, fn, m.wall.Round(time.Millisecond), m.maxRSS,
		float64(m.wall)/float64(floor.wall), float64(m.maxRSS)/float64(floor.maxRSS))
}

func writePackage(path string, deployments, namespaces int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	p := synth.Package{Deployments: deployments, Namespaces: namespaces,
		Config: "apiVersion: fn.meshfn.dev/v1alpha1\nkind: SidecarInjection\nmetadata:\n  name: bench\nspec:\n  kubernetesVersion: \"1.33\"\n"}
	if err := p.Write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// injectOnce writes the function's output on the input to a file.
func injectOnce(binary, input, output string) error {
	out, err := os.Create(output)
	if err != nil {
		return err
	}
	if _, _, err := runOn(binary, input, out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// measure runs the binary on the input runs times and returns the median wall time and
// the largest peak resident memory.
func measure(binary, input string, runs int) (measurement, error) {
	var walls []time.Duration
	var m measurement
	for i := 0; i < runs; i++ {
		wall, maxRSS, err := runOn(binary, input, discard{})
		if err != nil {
			return m, err
		}
		walls = append(walls, wall)
		m.maxRSS = max(m.maxRSS, maxRSS)
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	m.wall = walls[len(walls)/2]
	return m, nil
}

// runOn runs the binary once with the input file on standard input and its output to
// stdout, and returns its wall time and peak resident memory (KiB).
func runOn(binary, input string, stdout io.Writer) (time.Duration, int64, error) {
	in, err := os.Open(input)
	if err != nil {
		return 0, 0, err
	}
	defer in.Close()
	cmd := exec.Command(binary)
	cmd.Stdin = in
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %v\n%s", filepath.Base(binary), err, stderr.String())
	}
	var maxRSS int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxRSS = ru.Maxrss
	}
	return wall, maxRSS, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
