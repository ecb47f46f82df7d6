// Command validate measures validate-mesh as a whole process on a rendered mesh: Deployments
// with their Services spread over namespaces on two control-plane revisions, injected by
// inject-sidecar as a render leaves them. Next to it, in the same run and alternating run by
// run, the baseline: Istio's analyzers (bin/istioanalyze) on the same objects with each
// Deployment given as its pod, as Istio analyses a live cluster. It prints CPU time
// (user+sys), wall time and peak memory, medians of the runs, and the ratios.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshfn/meshfn/internal/controlplane"
	"github.com/meshfn/meshfn/tests/bench/procstat"
	"github.com/meshfn/meshfn/tests/bench/synth"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// revisions are the control planes of the package; namespace n is on revisions[n%2].
var revisions = []struct{ name, tag string }{{"asm-1-29", "1.29.6"}, {"asm-1-30", "1.30.3"}}

func main() {
	bin := flag.String("bin", "bin", "folder with validate-mesh, inject-sidecar and istioanalyze")
	deployments := flag.Int("deployments", 10000, "Deployments (each with a Service)")
	namespaces := flag.Int("namespaces", 50, "namespaces the Deployments are spread over")
	runs := flag.Int("runs", 3, "runs of each (the median is reported)")
	prepareIn := flag.String("prepare", "", "only write the inputs into this folder (run as a child process)")
	flag.Parse()
	if *prepareIn != "" {
		if err := prepare(*prepareIn, *bin, *deployments, *namespaces); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*bin, *deployments, *namespaces, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(bin string, deployments, namespaces, runs int) error {
	dir, err := os.MkdirTemp("", "meshfn-validate-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if keep := os.Getenv("KEEP_BENCH"); keep != "" {
		dir = keep
	}
	// The inputs are written by a child process: a child's peak memory counts its
	// parent's high-water mark (its memory is the parent's until exec), so the process that
	// measures must stay small.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	prep := exec.Command(self, "-prepare", dir, "-bin", bin, "-deployments", fmt.Sprint(deployments), "-namespaces", fmt.Sprint(namespaces))
	if out, err := prep.CombinedOutput(); err != nil {
		return fmt.Errorf("preparing the inputs: %v\n%s", err, out)
	}
	input, asPods := filepath.Join(dir, inputFile), filepath.Join(dir, asPodsFile)
	var ours, theirs []procstat.Sample
	for i := 0; i < runs; i++ {
		s, err := procstat.Run(filepath.Join(bin, "validate-mesh"), nil, input, io.Discard)
		if err != nil {
			return err
		}
		ours = append(ours, s)
		if s, err = procstat.Run(filepath.Join(bin, "istioanalyze"), []string{asPods}, "", io.Discard); err != nil {
			return err
		}
		theirs = append(theirs, s)
	}
	o, t := procstat.Median(ours), procstat.Median(theirs)
	fmt.Printf("validate-mesh on %d Deployments with their Services in %d namespaces on 2 revisions (rendered by inject-sidecar); median of %d runs, alternating\n",
		deployments, namespaces, runs)
	fmt.Printf("%-34s %10s %10s %12s\n", "", "CPU", "wall", "peak RSS")
	for _, r := range []struct {
		name string
		s    procstat.Sample
	}{{"validate-mesh", o}, {"Istio's analyzers, Deployments as pods", t}} {
		fmt.Printf("%-34s %10s %10s %8d MiB\n", r.name, r.s.CPU.Round(time.Millisecond), r.s.Wall.Round(time.Millisecond), r.s.MaxRSS/1024)
	}
	fmt.Printf("%-34s %9.2fx %9.2fx %11.2fx   (goal: CPU at most 1.5x, memory at most 1 GiB)\n", "ratio",
		float64(o.CPU)/float64(t.CPU), float64(o.Wall)/float64(t.Wall), float64(o.MaxRSS)/float64(t.MaxRSS))
	return nil
}

// The inputs prepare writes.
const (
	inputFile  = "validate-input.yaml"
	asPodsFile = "as-pods.yaml"
)

// prepare writes validate-mesh's input (the package rendered by inject-sidecar) and the
// baseline's (the same resources, Deployments as pods) into dir.
func prepare(dir, bin string, deployments, namespaces int) error {
	source := filepath.Join(dir, "source.yaml")
	if err := os.WriteFile(source, []byte(pkg(deployments, namespaces)), 0o644); err != nil {
		return err
	}
	rendered := filepath.Join(dir, "rendered.yaml")
	if err := procstat.RunToFile(filepath.Join(bin, "inject-sidecar"), source, rendered); err != nil {
		return err
	}
	items, err := readItems(rendered)
	if err != nil {
		return err
	}
	if err := writeValidateInput(items, filepath.Join(dir, inputFile)); err != nil {
		return err
	}
	return writeAsPods(items, filepath.Join(dir, asPodsFile))
}

// pkg is the package as a ResourceList: both control planes, the namespaces, and each
// Deployment with its Service.
func pkg(deployments, namespaces int) string {
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	item := func(doc string) {
		b.WriteString("- " + strings.ReplaceAll(strings.TrimSuffix(doc, "\n"), "\n", "\n  ") + "\n")
	}
	for _, r := range revisions {
		name := r.name
		spec := controlplane.Spec{Revision: &name, Hub: "docker.io/istio", Tag: r.tag}
		spec.Default()
		for _, obj := range controlplane.Objects(spec) {
			item(obj.MustString())
		}
	}
	for n := 0; n < namespaces; n++ {
		item(fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-%d\n  labels:\n    istio.io/rev: %s\n", n, revisions[n%2].name))
	}
	for i := 0; i < deployments; i++ {
		ns := fmt.Sprintf("ns-%d", i%namespaces)
		item(synth.Deployment(i, ns, ns+"/app.yaml"))
		item(fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata:\n  name: app-%d\n  namespace: %s\nspec:\n  selector:\n    app: app-%d\n"+
			"  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n", i, ns, i))
	}
	injection := "apiVersion: fn.meshfn.dev/v1alpha1\nkind: SidecarInjection\nmetadata:\n  name: bench\n" +
		"  annotations:\n    config.kubernetes.io/local-config: \"true\"\nspec:\n  kubernetesVersion: \"1.33\"\n"
	item(injection) // in the package too, as the root package holds its own
	b.WriteString("functionConfig:\n  " + strings.ReplaceAll(strings.TrimSuffix(injection, "\n"), "\n", "\n  ") + "\n")
	return b.String()
}

func readItems(path string) ([]*yaml.RNode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return (&kio.ByteReader{Reader: f, OmitReaderAnnotations: true}).Read()
}

// writeValidateInput writes the rendered items as validate-mesh's input, with a config
// that reports every finding without failing.
func writeValidateInput(items []*yaml.RNode, out string) error {
	var buf bytes.Buffer
	w := kio.ByteWriter{Writer: &buf, KeepReaderAnnotations: true, WrappingKind: kio.ResourceListKind,
		WrappingAPIVersion: kio.ResourceListAPIVersion,
		FunctionConfig:     yaml.MustParse("apiVersion: fn.meshfn.dev/v1alpha1\nkind: MeshValidation\nmetadata:\n  name: bench\nspec:\n  failOn: never\n")}
	if err := w.Write(items); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// writeAsPods writes the rendered package's resources as a YAML stream for Istio's
// analyzers, each Deployment replaced by the pod its ReplicaSet would create.
func writeAsPods(items []*yaml.RNode, out string) error {
	var docs []*yaml.RNode
	for _, it := range items {
		if it.GetKind() != "Deployment" {
			docs = append(docs, it.Copy())
			continue
		}
		t, err := it.Pipe(yaml.Lookup("spec", "template"))
		if err != nil || t == nil {
			return fmt.Errorf("%s has no pod template", it.GetName())
		}
		pod := yaml.MustParse(fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s-0\n  namespace: %s\n", it.GetName(), it.GetNamespace()))
		for _, key := range []string{"labels", "annotations"} {
			if v, _ := t.Pipe(yaml.Lookup("metadata", key)); v != nil {
				if err := pod.PipeE(yaml.LookupCreate(yaml.MappingNode, "metadata"), yaml.SetField(key, v)); err != nil {
					return err
				}
			}
		}
		if err := pod.PipeE(yaml.SetField("spec", t.Field("spec").Value)); err != nil {
			return err
		}
		docs = append(docs, pod)
	}
	var buf bytes.Buffer
	if err := (kio.ByteWriter{Writer: &buf}).Write(docs); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
