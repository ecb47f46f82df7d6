// Command run measures inject-sidecar as a whole process on synthetic packages of
// Deployments spread over namespaces: CPU time (user and system), wall time and peak
// memory, the median of alternating runs, next to
//
//   - inject-sidecar built from another commit (-baseline), so a change is measured
//     against the code before it in the same run, on the same machine;
//   - the no-op of meshfn's own runtime (noop), which only parses and writes the
//     ResourceList, and the same no-op on inject-sidecar's output;
//   - a no-op written with kyaml's function framework (kyamlnoop), built with the
//     module's kyaml and, with -kyaml, with another kyaml version.
//
// It also checks that inject-sidecar and the baseline write the same bytes, on each
// package and on inject-sidecar's output fed back (a second render).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/meshfn/meshfn/tests/bench/procstat"
	"github.com/meshfn/meshfn/tests/bench/synth"
)

func main() {
	bin := flag.String("bin", "bin", "folder with inject-sidecar, noop and kyamlnoop")
	sizes := flag.String("deployments", "1000,10000", "package sizes, in Deployments")
	namespaces := flag.Int("namespaces", 50, "namespaces the Deployments are spread over")
	runs := flag.Int("runs", 3, "runs of each binary per size, alternating (the median is reported)")
	baseline := flag.String("baseline", "", "a commit whose inject-sidecar to compare with (built into .cache/bench)")
	mayDiffer := flag.Bool("output-may-differ", false, "measure against a baseline that writes other output (a change of what injection adds), saying how much")
	kyamlVersion := flag.String("kyaml", "", "another kyaml version to build kyamlnoop with, such as v0.20.1")
	mixed := flag.Bool("mixed", false, "every other Deployment has a second container")
	flag.Parse()
	if err := run(options{*bin, *sizes, *namespaces, *runs, *baseline, *kyamlVersion, *mixed, *mayDiffer}); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	bin, sizes      string
	namespaces      int
	runs            int
	baseline, kyaml string
	mixed           bool
	mayDiffer       bool
}

// subject is a binary measured on the package (or on inject-sidecar's output).
type subject struct {
	name, path string
	onOutput   bool
}

func run(o options) error {
	subjects, err := subjectsFor(o)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "meshfn-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, s := range strings.Split(o.sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("deployments %q: %w", s, err)
		}
		if err := measureSize(o, subjects, dir, n); err != nil {
			return err
		}
	}
	return nil
}

// subjectsFor lists what is measured, building the baseline and kyaml no-ops as asked.
func subjectsFor(o options) ([]subject, error) {
	subjects := []subject{{name: "inject-sidecar", path: filepath.Join(o.bin, "inject-sidecar")}}
	if o.baseline != "" {
		path, label, err := buildBaseline(o.baseline)
		if err != nil {
			return nil, err
		}
		subjects = append(subjects, subject{name: "baseline " + label, path: path})
	}
	subjects = append(subjects,
		subject{name: "noop", path: filepath.Join(o.bin, "noop")},
		subject{name: "kyamlnoop " + moduleKyaml(), path: filepath.Join(o.bin, "kyamlnoop")})
	if o.kyaml != "" {
		path, err := buildKyamlNoop(o.kyaml)
		if err != nil {
			return nil, err
		}
		subjects = append(subjects, subject{name: "kyamlnoop " + o.kyaml, path: path})
	}
	return append(subjects, subject{name: "noop on output", path: filepath.Join(o.bin, "noop"), onOutput: true}), nil
}

func measureSize(o options, subjects []subject, dir string, n int) error {
	input := filepath.Join(dir, fmt.Sprintf("deployments-%d.yaml", n))
	if err := writePackage(input, n, o.namespaces, o.mixed); err != nil {
		return err
	}
	output := filepath.Join(dir, fmt.Sprintf("deployments-%d-injected.yaml", n))
	if err := procstat.RunToFile(subjects[0].path, input, output); err != nil {
		return err
	}
	if o.baseline != "" {
		if err := checkSameOutput(subjects[0].path, subjects[1].path, input, output, o.mayDiffer); err != nil {
			return err
		}
	}
	results := make([][]procstat.Sample, len(subjects))
	for range o.runs {
		for i, s := range subjects {
			in := input
			if s.onOutput {
				in = output
			}
			m, err := procstat.Run(s.path, nil, in, io.Discard)
			if err != nil {
				return err
			}
			results[i] = append(results[i], m)
		}
	}
	report(n, subjects, results)
	return nil
}

// checkSameOutput compares what the two builds write, on the package and on the
// injected package fed back; with mayDiffer a difference is reported, not an error.
func checkSameOutput(a, b, input, output string, mayDiffer bool) error {
	for _, in := range []string{input, output} {
		var outA, outB bytes.Buffer
		if _, err := procstat.Run(a, nil, in, &outA); err != nil {
			return err
		}
		if _, err := procstat.Run(b, nil, in, &outB); err != nil {
			return err
		}
		what := "the package"
		if in == output {
			what = "its own output (a second render)"
		}
		if !bytes.Equal(outA.Bytes(), outB.Bytes()) {
			if !mayDiffer {
				return fmt.Errorf("inject-sidecar and the baseline write different output on %s", what)
			}
			fmt.Printf("different output from the baseline on %s: %d bytes, the baseline %d (-output-may-differ)\n", what, outA.Len(), outB.Len())
			continue
		}
		fmt.Printf("same output as the baseline on %s (%d bytes)\n", what, outA.Len())
	}
	return nil
}

func writePackage(path string, deployments, namespaces int, mixed bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	p := synth.Package{Deployments: deployments, Namespaces: namespaces, TwoContainers: mixed,
		Config: "apiVersion: fn.meshfn.dev/v1alpha1\nkind: SidecarInjection\nmetadata:\n  name: bench\nspec:\n  kubernetesVersion: \"1.33\"\n"}
	if err := p.Write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
