package injection

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/meshfn/meshfn/internal/inject/sidecar"
	"github.com/meshfn/meshfn/internal/istiocorpus"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/kustomize/kyaml/fn/runtime/runtimeutil"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// roundTripInput is an input of Istio's corpora with the injector settings to inject it
// with.
type roundTripInput struct {
	name     string
	c        istiocorpus.Case
	settings func(t *testing.T) []*yaml.RNode
	// alsoViaRunner runs it through kyaml's function runner too (see viaRunner). The
	// release corpora hold the inputs of Istio's corpus again, with other templates: the
	// runner's part, which depends on the workloads' lists and not on the templates, is
	// checked on Istio's corpus.
	alsoViaRunner bool
}

// roundTripInputs lists every input of Istio's injection corpus (with its case's settings),
// Online Boutique's workloads and the inputs of the release corpora beside Istio's corpus
// (with that release's default settings).
func roundTripInputs(t *testing.T) []roundTripInput {
	var inputs []roundTripInput
	for _, c := range istiocorpus.Cases(t) {
		inputs = append(inputs, roundTripInput{name: c.Name, c: c, alsoViaRunner: true, settings: func(t *testing.T) []*yaml.RNode {
			return istiocorpus.ReadSettings(t, c.Settings).ConfigMaps(t)
		}})
	}
	// Online Boutique's manifests, as its repository has them, on the default settings.
	boutique, err := filepath.Glob(filepath.Join("..", "..", "..", "tests", "testdata", "online-boutique", "kustomize", "base", "*service.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	boutique = append(boutique, filepath.Join("..", "..", "..", "tests", "testdata", "online-boutique", "kustomize", "base", "loadgenerator.yaml"))
	for _, file := range boutique {
		dir := t.TempDir()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "input.yaml"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, roundTripInput{name: "online-boutique/" + strings.TrimSuffix(filepath.Base(file), ".yaml"),
			c: istiocorpus.Case{Dir: dir}, alsoViaRunner: true, settings: func(t *testing.T) []*yaml.RNode {
				return istiocorpus.ReadSettings(t, "default").ConfigMaps(t)
			}})
	}
	releases, err := filepath.Glob(filepath.Join(istiocorpus.Dir(t), "..", "istio-release-corpora", "*", "settings"))
	if err != nil {
		t.Fatal(err)
	}
	for _, settings := range releases {
		release := filepath.Base(filepath.Dir(settings))
		cases, err := filepath.Glob(filepath.Join(filepath.Dir(settings), "cases", "*", "input.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range cases {
			inputs = append(inputs, roundTripInput{name: release + "/" + filepath.Base(filepath.Dir(in)),
				c: istiocorpus.Case{Dir: filepath.Dir(in)}, settings: func(t *testing.T) []*yaml.RNode {
					return append(istiocorpus.ReadDocs(t, filepath.Join(settings, istiocorpus.InjectorFile)),
						istiocorpus.ReadDocs(t, filepath.Join(settings, istiocorpus.MeshFile))...)
				}})
		}
	}
	return inputs
}

// TestUninjectGivesBackEveryInput: for every input of Istio's corpus and the release
// corpora, and Online Boutique's workloads, with native and with classic sidecars,
// injecting and then uninjecting gives back the items byte for byte as they were written,
// and injecting again gives back the first injection; run as it is, and (Istio's corpus
// and Online Boutique) through kyaml's function runner as kpt and kustomize run it. "As
// written" is what a function that changes nothing writes for them: kpt reads a package's
// files into YAML nodes and writes them back from nodes, so keys, their order, comments,
// quoting and every value survive, while indentation is kpt's own (2 spaces; a package kpt
// has written once is already so). Before, uninject rebuilt what injection had taken out
// (a grpc probe, a user's own istio-proxy container moved to the init containers, a key
// written empty) in another key order and style, and the runner gave a user's init
// container after istio-init the key order of istio-init.
func TestUninjectGivesBackEveryInput(t *testing.T) {
	inputs := roundTripInputs(t)
	var injected atomic.Int64
	t.Cleanup(func() {
		t.Logf("%d inputs, %d of %d injections ran (the others are error cases)", len(inputs), injected.Load(), 2*len(inputs))
	})
	for _, in := range inputs {
		for _, native := range []bool{false, true} {
			mode := "classic"
			if native {
				mode = "native"
			}
			t.Run(in.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				c := in.c
				c.NativeSidecars = native
				input := istiocorpus.FunctionInput(t, c, in.settings(t))
				if !roundTripWith(t, input, runOK) {
					return
				}
				injected.Add(1)
				if in.alsoViaRunner {
					// With the built-in injector: the runner's part does not depend on the
					// templates, and the package is then the workloads alone.
					roundTripWith(t, istiocorpus.FunctionInput(t, c, nil), viaRunner)
				}
			})
		}
	}
}

// roundTripWith injects input, uninjects the output and injects that again, running the
// function with run, and checks that the uninjected items are as in input and the injected
// ones as the first time. It reports false when injection fails (an error case of the
// corpus).
func roundTripWith(t *testing.T, input []byte, run func(*testing.T, krm.Func, []byte) ([]byte, bool)) bool {
	t.Helper()
	written, _ := run(t, func(*krm.ResourceList) error { return nil }, input)
	out, ok := run(t, Run, input)
	if !ok {
		return false
	}
	const mode = "\n    mode: always\n"
	if !bytes.Contains(out, []byte(mode)) {
		t.Fatalf("the output lacks the function config's mode:\n%s", out)
	}
	uninjected, ok := run(t, Run, bytes.Replace(out, []byte(mode), []byte(mode+"    action: uninject\n"), 1))
	if !ok {
		t.Fatalf("uninject failed:\n%s", istiocorpus.Results(uninjected))
	}
	if got, want := itemsText(t, uninjected), itemsText(t, written); got != want {
		t.Errorf("inject, then uninject, does not give back the input:\n%s", krmtest.Diff(want, got))
	}
	// Rolling back the uninjection gives back the injected workloads, as they were.
	again, ok := run(t, Run, bytes.Replace(uninjected, []byte(mode+"    action: uninject\n"), []byte(mode), 1))
	if !ok {
		t.Fatalf("injecting again failed:\n%s", istiocorpus.Results(again))
	}
	if got, want := itemsText(t, again), itemsText(t, out); got != want {
		t.Errorf("inject, uninject, inject does not give back the first injection:\n%s", krmtest.Diff(want, got))
	}
	return true
}

// viaRunner runs f on the ResourceList input as kpt fn render and eval and kustomize run a
// function: through kyaml's function runner, which pairs output items with input items to
// copy comments and re-sort keys. The items are read with an index and written without
// their reader annotations, as kpt reads and writes files. It returns the items and the
// function config as a ResourceList (without results), and whether f succeeded.
func viaRunner(t *testing.T, f krm.Func, input []byte) ([]byte, bool) {
	t.Helper()
	rd := &kio.ByteReader{Reader: bytes.NewReader(input)} // with an index, as files are read
	items, err := rd.Read()
	if err != nil {
		t.Fatal(err)
	}
	runner := &runtimeutil.FunctionFilter{FunctionConfig: rd.FunctionConfig, GlobalScope: true,
		Run: func(r io.Reader, w io.Writer) error {
			in, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			results, err := krm.RunTo(w, f, in)
			if err == nil && krm.HasErrors(results) {
				err = errors.New("the function failed")
			}
			return err
		}}
	out, err := runner.Filter(items)
	if err != nil {
		return []byte(err.Error()), false
	}
	var buf bytes.Buffer
	// Written without the reader's annotations, as to files.
	if err := (kio.ByteWriter{Writer: &buf, WrappingAPIVersion: kio.ResourceListAPIVersion, WrappingKind: kio.ResourceListKind,
		FunctionConfig: rd.FunctionConfig, ClearAnnotations: []string{kioutil.PathAnnotation, kioutil.LegacyPathAnnotation}}).Write(out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), true
}

// runOK runs f on input as it is (not recorded: these inputs are the corpus's again).
func runOK(t *testing.T, f krm.Func, input []byte) ([]byte, bool) {
	t.Helper()
	out, results, err := krm.Run(f, input)
	if err != nil {
		t.Fatal(err)
	}
	return out, !krm.HasErrors(results)
}

// itemsText is the text of a ResourceList's items, as the function wrote them.
func itemsText(t *testing.T, rl []byte) string {
	t.Helper()
	s := string(rl)
	start := strings.Index(s, "\nitems:\n")
	end := strings.Index(s, "\nfunctionConfig:\n")
	if start < 0 || end < start {
		t.Fatalf("not a ResourceList with items and a function config:\n%s", s)
	}
	return s[start:end]
}

// TestEditedPodKeepsItsRecord: a bare Pod whose injection kept part of its YAML (a quoted
// annotation injection takes out), its injected proxy then edited by hand, is injected
// again (the edit undone) with a revert record that still keeps that part, and
// uninjecting gives back the Pod as written.
func TestEditedPodKeepsItsRecord(t *testing.T) {
	c := istiocorpus.ReadCase(t, "hello-multiport-metrics")
	input := istiocorpus.FunctionInput(t, c, istiocorpus.ReadSettings(t, c.Settings).ConfigMaps(t))
	written, _ := runOK(t, func(*krm.ResourceList) error { return nil }, input)
	injected, ok := runOK(t, Run, input)
	if !ok || !strings.Contains(string(injected), sidecar.KeptKey) {
		t.Fatalf("injection failed or kept nothing:\n%s", injected)
	}
	const image = "image: registry.istio.io/testing/proxyv2:latest"
	edited := bytes.Replace(injected, []byte(image), []byte(image+"-edited"), 1)
	again, ok := runOK(t, Run, edited)
	if !ok {
		t.Fatalf("injecting the edited Pod failed:\n%s", istiocorpus.Results(again))
	}
	if got, want := itemsText(t, again), itemsText(t, injected); got != want {
		t.Errorf("injecting the edited Pod does not give the injected Pod:\n%s", krmtest.Diff(want, got))
	}
	const mode = "\n    mode: always\n"
	uninjected, ok := runOK(t, Run, bytes.Replace(again, []byte(mode), []byte(mode+"    action: uninject\n"), 1))
	if !ok {
		t.Fatalf("uninject failed:\n%s", istiocorpus.Results(uninjected))
	}
	if got, want := itemsText(t, uninjected), itemsText(t, written); got != want {
		t.Errorf("uninject does not give back the Pod as written:\n%s", krmtest.Diff(want, got))
	}
}
