package inject_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/inject/builtin"
	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	"github.com/meshfn/meshfn/internal/krmtest"
	"google.golang.org/protobuf/types/known/wrapperspb"
	networking "istio.io/api/networking/v1beta1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	sigsyaml "sigs.k8s.io/yaml"
)

// requestFile is a stage case's request.yaml: an injection request and the injector.
type requestFile struct {
	// Revision is the injecting revision; "" is the default revision.
	Revision string `json:"revision"`
	// Injector holds the texts of an istio-sidecar-injector and istio ConfigMap; without
	// it, the built-in injector of the revision injects.
	Injector *inject.Sources `json:"injector"`
	// Variant is webhook (default) or kube-inject.
	Variant          string               `json:"variant"`
	Namespace        string               `json:"namespace"`
	TypeMeta         metav1.TypeMeta      `json:"typeMeta"`
	DeployMeta       types.NamespacedName `json:"deployMeta"`
	NativeSidecars   bool                 `json:"nativeSidecars"`
	ProxyEnvs        map[string]string    `json:"proxyEnvs"`
	CompliancePolicy string               `json:"compliancePolicy"`
	ProxyUID         int64                `json:"proxyUID"`
	ProxyGID         int64                `json:"proxyGID"`
	OpenShift        bool                 `json:"openShift"`
	ProxyConfigs     []struct {
		Namespace            string            `json:"namespace"`
		Selector             map[string]string `json:"selector"`
		Concurrency          *int32            `json:"concurrency"`
		EnvironmentVariables map[string]string `json:"environmentVariables"`
		ImageType            string            `json:"imageType"`
	} `json:"proxyConfigs"`
	Pod corev1.Pod `json:"pod"`
}

// TestStages injects the request of each folder under testdata/stages and compares what
// every stage made (see inject.stages) with the folder's files: NN-STAGE.yaml in the order
// of the stages, warnings.txt when injection warns, error.txt when it fails. A file no
// stage made any more is an error. UPDATE_GOLDEN=1 rewrites the files (and removes stale
// ones).
func TestStages(t *testing.T) {
	dirs, err := filepath.Glob("testdata/stages/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no stage cases under testdata/stages (%v)", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) { runStages(t, dir) })
	}
}

func runStages(t *testing.T, dir string) {
	var rf requestFile
	raw, err := os.ReadFile(filepath.Join(dir, "request.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sigsyaml.UnmarshalStrict(raw, &rf); err != nil {
		t.Fatalf("request.yaml: %v", err)
	}
	release := builtin.MustLookup(builtin.Newest())
	src := release.Sources(builtin.Options{Revision: rf.Revision})
	if rf.Injector != nil {
		src = *rf.Injector
	}
	settings, err := inject.NewSettings(rf.Revision, src, release.Rules, templatefuncs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	add := func(stage string, b []byte) {
		got[fmt.Sprintf("%02d-%s.yaml", len(got)+1, stage)] = b
	}
	onPod := func(stage string, pod *corev1.Pod) {
		b, err := sigsyaml.Marshal(map[string]any{"metadata": pod.ObjectMeta, "spec": pod.Spec})
		if err != nil {
			t.Fatal(err)
		}
		add(stage, b)
	}
	before := rf.Pod.DeepCopy()
	res, err := settings.InjectStages(requestOf(t, rf), onPod, add)
	if err != nil {
		got["error.txt"] = []byte(err.Error() + "\n")
	} else if len(res.Warnings) > 0 {
		got["warnings.txt"] = []byte(strings.Join(res.Warnings, "\n") + "\n")
	}
	for name, b := range got {
		krmtest.CompareGolden(t, filepath.Join(dir, name), b)
	}
	checkStale(t, dir, got)
	if b, _ := sigsyaml.Marshal(before); string(b) != string(must(sigsyaml.Marshal(rf.Pod))) {
		t.Errorf("injection changed the request's pod")
	}
}

// requestOf builds the request the file describes.
func requestOf(t *testing.T, rf requestFile) inject.Request {
	req := inject.Request{
		Pod: &rf.Pod, Namespace: rf.Namespace, TypeMeta: rf.TypeMeta, DeployMeta: rf.DeployMeta,
		NativeSidecars: rf.NativeSidecars, ProxyEnvs: rf.ProxyEnvs, CompliancePolicy: rf.CompliancePolicy,
		ProxyUID: rf.ProxyUID, ProxyGID: rf.ProxyGID, OpenShift: rf.OpenShift,
	}
	switch rf.Variant {
	case "", "webhook":
		req.Variant = inject.Webhook
	case "kube-inject":
		req.Variant = inject.KubeInject
	default:
		t.Fatalf("request.yaml: variant %q is not webhook or kube-inject", rf.Variant)
	}
	for _, pc := range rf.ProxyConfigs {
		r := inject.ProxyConfigResource{Namespace: pc.Namespace, Selector: pc.Selector, EnvironmentVariables: pc.EnvironmentVariables}
		if pc.Concurrency != nil {
			r.Concurrency = wrapperspb.Int32(*pc.Concurrency)
		}
		if pc.ImageType != "" {
			r.Image = &networking.ProxyImage{ImageType: pc.ImageType}
		}
		req.ProxyConfigs = append(req.ProxyConfigs, r)
	}
	return req
}

// checkStale fails on expected files that no stage made (removing them under UPDATE_GOLDEN).
func checkStale(t *testing.T, dir string, got map[string][]byte) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if _, made := got[name]; name == "request.yaml" || made {
			continue
		}
		if krmtest.Update() {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s: no stage made it any more (UPDATE_GOLDEN=1 removes it); made: %v", name, slices.Sorted(maps.Keys(got)))
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
