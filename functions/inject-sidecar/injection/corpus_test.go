package injection

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// corpusDir locates Istio's injection corpus: MESHFN_ISTIO_CORPUS, or shared/ beside the
// repository.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MESHFN_ISTIO_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "istio-inject-corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "cases")); err != nil {
		t.Skipf("Istio's injection corpus is not at %s (set MESHFN_ISTIO_CORPUS): %v", dir, err)
	}
	return dir
}

// corpusCase is a case.yaml of the corpus.
type corpusCase struct {
	Name           string            `json:"name"`
	Settings       string            `json:"settings"`
	Revision       string            `json:"revision"`
	NativeSidecars bool              `json:"nativeSidecars"`
	ExpectedError  string            `json:"expectedError"`
	Environment    map[string]string `json:"environment"`
}

func readCase(t *testing.T, dir string) corpusCase {
	t.Helper()
	var c corpusCase
	b, err := os.ReadFile(filepath.Join(dir, "case.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sigsyaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// readDocs reads the YAML documents of a file, skipping empty ones.
func readDocs(t *testing.T, path string) []*yaml.RNode {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(b), OmitReaderAnnotations: true, DisableUnwrapping: true}).Read()
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return nodes
}

// corpusInput builds the ResourceList of a case: its documents, the settings
// ConfigMaps, and a SidecarInjection config in mode always.
func corpusInput(t *testing.T, corpus string, c corpusCase, caseDir string) []byte {
	t.Helper()
	items := readDocs(t, filepath.Join(caseDir, "input.yaml"))
	for _, f := range []string{"istio-sidecar-injector.yaml", "istio.yaml"} {
		items = append(items, readDocs(t, filepath.Join(corpus, "settings", c.Settings, f))...)
	}
	var sb strings.Builder
	sb.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, it := range items {
		s, err := it.String()
		if err != nil {
			t.Fatal(err)
		}
		sb.WriteString("- " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n")
	}
	fmt.Fprintf(&sb, "functionConfig:\n  apiVersion: fn.meshfn.dev/v1alpha1\n  kind: SidecarInjection\n  metadata:\n    name: corpus\n"+
		"  spec:\n    mode: always\n    revision: %q\n    nativeSidecars: \"%t\"\n", c.Revision, c.NativeSidecars)
	if p := c.Environment["COMPLIANCE_POLICY"]; p != "" {
		fmt.Fprintf(&sb, "    compliancePolicy: %s\n", p)
	}
	if c.Environment["PLATFORM"] == "openshift" {
		// The webhook reads the pod's Namespace: given here as a namespace outside the package.
		fmt.Fprintf(&sb, "    platform: openshift\n    defaultNamespace: %s\n    namespaces:\n    - name: %s\n      annotations:\n",
			c.Environment["namespace"], c.Environment["namespace"])
		for k, v := range c.Environment {
			if a, ok := strings.CutPrefix(k, "namespaceAnnotation."); ok {
				fmt.Fprintf(&sb, "        %s: %q\n", a, v)
			}
		}
	}
	return []byte(sb.String())
}

// normalize applies the corpus's comparison rule: drop nulls and empty maps and lists,
// recursively, until nothing changes.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if n := normalize(e); !isEmpty(n) {
				out[k] = n
			}
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			out = append(out, normalize(e))
		}
		return out
	}
	return v
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

func docValue(t *testing.T, n *yaml.RNode) any {
	t.Helper()
	b, err := n.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := sigsyaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	withoutArtifacts(v)
	return normalize(v)
}

// withoutArtifacts removes what differs between Istio's output and meshfn's without
// meaning, in obj and in the items of a List:
//   - Istio marshals typed objects, which adds a status (replicas: 0 for a StatefulSet)
//     and, for an OpenShift DeploymentConfig, spec.test: false while dropping
//     spec.minReadySeconds: 0 and spec.paused: false; meshfn leaves the workload's own
//     fields as the user wrote them and never writes a status;
//   - the revert patch meshfn keeps on the workload is not Istio's.
func withoutArtifacts(obj map[string]any) {
	delete(obj, "status")
	if obj["kind"] == "DeploymentConfig" {
		if spec, ok := obj["spec"].(map[string]any); ok {
			for _, k := range []string{"test", "paused", "minReadySeconds"} {
				if v := spec[k]; v == false || v == float64(0) {
					delete(spec, k)
				}
			}
		}
	}
	if meta, ok := obj["metadata"].(map[string]any); ok {
		if a, ok := meta["annotations"].(map[string]any); ok {
			delete(a, RevertAnnotation)
		}
	}
	if items, ok := obj["items"].([]any); ok && obj["kind"] == "List" {
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				withoutArtifacts(m)
			}
		}
	}
}

func idOf(n *yaml.RNode) string { return n.GetKind() + "/" + n.GetNamespace() + "/" + n.GetName() }

// TestIstioCorpus runs every case of Istio's injection corpus through the function and
// compares the output with Istio's by the corpus's rule; then runs the output through the
// function again, which must change nothing.
func TestIstioCorpus(t *testing.T) {
	corpus := corpusDir(t)
	entries, err := os.ReadDir(filepath.Join(corpus, "cases"))
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, e := range entries {
		caseDir := filepath.Join(corpus, "cases", e.Name())
		ok := t.Run(e.Name(), func(t *testing.T) { runCorpusCase(t, corpus, caseDir) })
		if !ok {
			failed = append(failed, e.Name())
		}
	}
	t.Logf("corpus: %d cases, %d failed: %v", len(entries), len(failed), failed)
}

func runCorpusCase(t *testing.T, corpus, caseDir string) {
	c := readCase(t, caseDir)
	out, ok := krmtest.Run(t, Run, corpusInput(t, corpus, c, caseDir))
	if c.ExpectedError != "" {
		if ok {
			t.Fatalf("expected an error containing %q, the function succeeded", c.ExpectedError)
		}
		if !strings.Contains(strings.ToLower(string(out)), c.ExpectedError) {
			t.Fatalf("error does not contain %q:\n%s", c.ExpectedError, results(out))
		}
		return
	}
	if !ok {
		t.Fatalf("function failed:\n%s", results(out))
	}
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*yaml.RNode{}
	for _, it := range rl.Items {
		got[idOf(it.CopyToResourceNode())] = it.CopyToResourceNode()
	}
	for _, want := range readDocs(t, filepath.Join(caseDir, "expected.yaml")) {
		g, found := got[idOf(want)]
		if !found {
			t.Errorf("output lacks %s", idOf(want))
			continue
		}
		if wv, gv := docValue(t, want), docValue(t, g); !reflect.DeepEqual(wv, gv) {
			wb, _ := sigsyaml.Marshal(wv)
			gb, _ := sigsyaml.Marshal(gv)
			t.Errorf("%s differs from Istio's (-istio +meshfn):\n%s", idOf(want), krmtest.Diff(string(wb), string(gb)))
		}
	}
	again, ok := krmtest.Run(t, Run, out)
	if !ok {
		t.Fatalf("second run failed:\n%s", results(again))
	}
	if a, b := itemsOnly(t, out), itemsOnly(t, again); a != b {
		t.Errorf("second run changed the output:\n%s", krmtest.Diff(a, b))
	}
}

func itemsOnly(t *testing.T, out []byte) string {
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	rl.Results = nil
	b, err := rl.ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func results(out []byte) string {
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		return string(out)
	}
	var lines []string
	for _, r := range rl.Results {
		lines = append(lines, r.String())
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
