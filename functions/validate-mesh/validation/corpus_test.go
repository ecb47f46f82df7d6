package validation

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/functions/validate-mesh/validation/istiocheck"
	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/internal/missing"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// corpusEnv names the environment variable that says where Istio's analyzer corpus is.
const corpusEnv = "MESHFN_ISTIO_ANALYZE_CORPUS"

// corpusCase is a case.yaml of the corpus (see its README).
type corpusCase struct {
	Name   string `json:"name"`
	Inputs []struct {
		File string `json:"file"`
	} `json:"inputs"`
	MeshConfig   struct{ File string } `json:"meshConfig"`
	MeshNetworks struct{ File string } `json:"meshNetworks"`
	Expected     []struct {
		Code     string `json:"code"`
		Level    string `json:"level"`
		Resource string `json:"resource"`
	} `json:"expected"`
}

// knownFailures are the corpus cases validate-mesh cannot pass, and why. A case listed
// here that passes fails the test, so the list stays true.
var knownFailures = map[string]string{
	"virtual-service-kubernetes-gateways": "the istio.io/istio version the module proxy serves (eed52ebb66ad, 2026-08-27, " +
		"release-1.31 line) predates the corpus commit's VirtualService GatewayAnalyzer support for Kubernetes Gateways: " +
		"a VirtualService bound to a gateway.networking.k8s.io Gateway is reported IST0101 (gateway not found) and IST0132",
}

// TestIstioAnalyzeCorpus runs validate-mesh over every case of Istio's analyzer corpus:
// every expected message must be reported, on its resource, with its level; beyond them
// only MFN findings and findings about workloads analysed as pods are allowed.
func TestIstioAnalyzeCorpus(t *testing.T) {
	dir := corpusDir(t)
	entries, err := os.ReadDir(filepath.Join(dir, "cases"))
	if err != nil {
		t.Fatal(err)
	}
	passed := 0
	for _, e := range entries {
		caseDir := filepath.Join(dir, "cases", e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			problems := checkCase(t, caseDir)
			reason, known := knownFailures[e.Name()]
			switch {
			case known && len(problems) == 0:
				t.Errorf("listed as a known failure (%s) but passes: remove it from knownFailures", reason)
			case known:
				t.Logf("known failure: %s\n%s", reason, strings.Join(problems, "\n"))
			case len(problems) > 0:
				t.Errorf("%s", strings.Join(problems, "\n"))
			default:
				passed++
			}
		})
	}
	t.Logf("%d of %d cases pass; %d known failures", passed, len(entries), len(knownFailures))
}

func corpusDir(t *testing.T) string {
	dir := os.Getenv(corpusEnv)
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "istio-analyze-corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "cases")); err != nil {
		missing.Corpus(t, "Istio's analyzer corpus is not at %s (set %s): %v", dir, corpusEnv, err)
	}
	return dir
}

// checkCase runs one case and returns what differs from the expected messages.
func checkCase(t *testing.T, caseDir string) []string {
	t.Helper()
	var c corpusCase
	b, err := os.ReadFile(filepath.Join(caseDir, "case.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sigsyaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("case.yaml: %v", err)
	}
	rl := &krm.ResourceList{Items: caseItems(t, caseDir, c)}
	if err := run(rl, fixedNow); err != nil {
		t.Fatal(err)
	}

	want := map[string]int{}
	for _, x := range c.Expected {
		want[x.Code+" "+strings.ToLower(x.Level)+" "+x.Resource]++
	}
	var problems, extras []string
	for _, r := range rl.Results {
		code := r.Tags["code"]
		if code == "" {
			continue // the summary
		}
		key := code + " " + string(r.Severity) + " " + resultResource(r)
		if want[key] > 0 {
			want[key]--
			continue
		}
		if strings.HasPrefix(code, "MFN") || r.Tags[analysedAsTag] == "pod" {
			extras = append(extras, key)
			continue
		}
		problems = append(problems, "unexpected: "+key+": "+r.Message)
	}
	for key, n := range want {
		for ; n > 0; n-- {
			problems = append(problems, "missing: "+key)
		}
	}
	slices.Sort(problems)
	if len(extras) > 0 {
		t.Logf("allowed extras: %s", strings.Join(extras, "; "))
	}
	return problems
}

// caseItems reads the case's input files as a kpt ResourceList's items, and its mesh
// config and networks as the ConfigMap istio in istio-system, as a cluster holds them.
func caseItems(t *testing.T, caseDir string, c corpusCase) []*yaml.RNode {
	t.Helper()
	var items []*yaml.RNode
	for _, in := range c.Inputs {
		b, err := os.ReadFile(filepath.Join(caseDir, in.File))
		if err != nil {
			t.Fatal(err)
		}
		nodes, err := (&kio.ByteReader{Reader: strings.NewReader(string(b)), OmitReaderAnnotations: true}).Read()
		if err != nil {
			t.Fatalf("%s: %v", in.File, err)
		}
		for i, n := range nodes {
			if err := krm.SetLocation(n, in.File, i); err != nil {
				t.Fatal(err)
			}
		}
		items = append(items, nodes...)
	}
	data := map[string]string{}
	for key, file := range map[string]string{istiocheck.MeshKey: c.MeshConfig.File, istiocheck.MeshNetworksKey: c.MeshNetworks.File} {
		if file == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(caseDir, file))
		if err != nil {
			t.Fatal(err)
		}
		data[key] = string(b)
	}
	if len(data) > 0 {
		cm := yaml.MustParse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\n")
		if err := cm.LoadMapIntoConfigMapData(data); err != nil {
			t.Fatal(err)
		}
		items = append(items, cm)
	}
	return items
}

func resultResource(r *fn.Result) string {
	if r.ResourceRef == nil {
		return ""
	}
	if r.ResourceRef.Namespace == "" {
		return r.ResourceRef.Kind + " " + r.ResourceRef.Name
	}
	return fmt.Sprintf("%s %s/%s", r.ResourceRef.Kind, r.ResourceRef.Namespace, r.ResourceRef.Name)
}
