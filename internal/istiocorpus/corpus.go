// Package istiocorpus reads Istio's sidecar injection test corpus for meshfn's tests: it
// finds the corpus, reads its cases and settings, and compares injected output with the
// expected files by the corpus's comparison rule (see the corpus's README.md).
//
// It is test support: only _test.go files import it.
package istiocorpus

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/meshfn/meshfn/internal/missing"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// EnvVar names the environment variable that overrides where the corpus is.
const EnvVar = "MESHFN_ISTIO_CORPUS"

// Dir locates the corpus: $MESHFN_ISTIO_CORPUS, or shared/istio-inject-corpus beside the
// repository. It skips the test when the corpus is not there (fails it under
// MESHFN_REQUIRE_CORPORA).
func Dir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(EnvVar)
	if dir == "" {
		dir = filepath.Join(repoRoot(), "..", "shared", "istio-inject-corpus")
	}
	for _, sub := range []string{"cases", "settings"} {
		if _, err := os.Stat(filepath.Join(dir, sub)); err != nil {
			missing.Corpus(t, "Istio's injection corpus is not at %s (set %s): %v", dir, EnvVar, err)
		}
	}
	return dir
}

// repoRoot is the repository's folder: two levels above this file's, or, in a build
// without file paths (-trimpath), the nearest folder with a go.mod above the working
// directory (a test runs in its package's folder).
func repoRoot() string {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	}
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return wd
		}
	}
}

// Case is a case of the corpus: its case.yaml, and the folder it lives in.
type Case struct {
	Name           string            `json:"name"`
	Input          string            `json:"input"`  // upstream input file name
	Golden         string            `json:"golden"` // upstream golden file name; "" for an error case
	Settings       string            `json:"settings"`
	Revision       string            `json:"revision"`
	NativeSidecars bool              `json:"nativeSidecars"`
	ExpectedError  string            `json:"expectedError"` // lower-case substring of the error
	ByteExact      bool              `json:"byteExact"`
	Environment    map[string]string `json:"environment"`
	Warnings       []string          `json:"warnings"`
	Upstream       Upstream          `json:"upstream"`
	Notes          string            `json:"notes"`

	Dir string `json:"-"` // the case's folder
}

// Upstream says where a case comes from in Istio's tests.
type Upstream struct {
	Test               string   `json:"test"`
	KubeInjectCompared bool     `json:"kubeInjectCompared"`
	WebhookCompared    bool     `json:"webhookCompared"`
	ExpectedLog        string   `json:"expectedLog"`
	SetFlags           []string `json:"setFlags"`
	OverlayFile        string   `json:"overlayFile"`
	MeshTweak          string   `json:"meshTweak"`
}

// InputPath is the case's input.yaml.
func (c Case) InputPath() string { return filepath.Join(c.Dir, "input.yaml") }

// ExpectedPath is the case's expected.yaml (absent for an error case).
func (c Case) ExpectedPath() string { return filepath.Join(c.Dir, "expected.yaml") }

// ReadCase reads the case of that name.
func ReadCase(t testing.TB, name string) Case {
	t.Helper()
	return readCase(t, filepath.Join(Dir(t), "cases", name))
}

func readCase(t testing.TB, dir string) Case {
	t.Helper()
	c := Case{Dir: dir}
	ReadYAML(t, filepath.Join(dir, "case.yaml"), &c)
	return c
}

// Cases reads every case of the corpus, in the order of their names.
func Cases(t testing.TB) []Case {
	t.Helper()
	return readAll(t, "cases", readCase)
}

// readAll reads every folder under the corpus's folder sub with read, in the order of
// their names.
func readAll[T any](t testing.TB, sub string, read func(testing.TB, string) T) []T {
	t.Helper()
	root := filepath.Join(Dir(t), sub)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, read(t, filepath.Join(root, e.Name())))
		}
	}
	return out
}

// Settings is a settings folder of the corpus: the text of its two ConfigMaps' data, its
// complete mesh config, and the cases that use it.
type Settings struct {
	ID  string
	Dir string

	Config        string   // istio-sidecar-injector.yaml data.config: the injector config
	Values        string   // istio-sidecar-injector.yaml data.values: the values JSON
	Mesh          string   // istio.yaml data.mesh
	MeshEffective string   // mesh-effective.yaml: the complete MeshConfig, defaults applied
	Cases         []string // source.yaml cases
}

// Files of a settings folder.
const (
	InjectorFile      = "istio-sidecar-injector.yaml"
	MeshFile          = "istio.yaml"
	MeshEffectiveFile = "mesh-effective.yaml"
)

// ReadSettings reads the settings folder of that id.
func ReadSettings(t testing.TB, id string) Settings {
	t.Helper()
	return readSettings(t, filepath.Join(Dir(t), "settings", id))
}

// AllSettings reads every settings folder of the corpus, in the order of their ids.
func AllSettings(t testing.TB) []Settings {
	t.Helper()
	return readAll(t, "settings", readSettings)
}

func readSettings(t testing.TB, dir string) Settings {
	t.Helper()
	s := Settings{ID: filepath.Base(dir), Dir: dir}
	injector := s.InjectorConfigMap(t).GetDataMap()
	s.Config = dataKey(t, s.Dir, InjectorFile, injector, "config")
	s.Values = dataKey(t, s.Dir, InjectorFile, injector, "values")
	s.Mesh = dataKey(t, s.Dir, MeshFile, s.MeshConfigMap(t).GetDataMap(), "mesh")
	b, err := os.ReadFile(filepath.Join(dir, MeshEffectiveFile))
	if err != nil {
		t.Fatal(err)
	}
	s.MeshEffective = string(b)
	var source struct {
		Cases []string `json:"cases"`
	}
	ReadYAML(t, filepath.Join(dir, "source.yaml"), &source)
	s.Cases = source.Cases
	return s
}

func dataKey(t testing.TB, dir, file string, data map[string]string, key string) string {
	t.Helper()
	v, ok := data[key]
	if !ok {
		t.Fatalf("%s: no data.%s", filepath.Join(dir, file), key)
	}
	return v
}

// InjectorConfigMap reads the ConfigMap istio-system/istio-sidecar-injector, afresh.
func (s Settings) InjectorConfigMap(t testing.TB) *yaml.RNode {
	t.Helper()
	return readOne(t, filepath.Join(s.Dir, InjectorFile))
}

// MeshConfigMap reads the ConfigMap istio-system/istio, afresh.
func (s Settings) MeshConfigMap(t testing.TB) *yaml.RNode {
	t.Helper()
	return readOne(t, filepath.Join(s.Dir, MeshFile))
}

// ConfigMaps reads both ConfigMaps, the injector's first.
func (s Settings) ConfigMaps(t testing.TB) []*yaml.RNode {
	t.Helper()
	return []*yaml.RNode{s.InjectorConfigMap(t), s.MeshConfigMap(t)}
}

func readOne(t testing.TB, path string) *yaml.RNode {
	t.Helper()
	docs := ReadDocs(t, path)
	if len(docs) != 1 {
		t.Fatalf("%s: %d documents, want 1", path, len(docs))
	}
	return docs[0]
}

// ReadDocs reads the YAML documents of a file, skipping empty ones, as they are (no
// reader annotations, a List not unwrapped).
func ReadDocs(t testing.TB, path string) []*yaml.RNode {
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

// ReadYAML decodes a YAML file into `into` (as sigs.k8s.io/yaml does: by JSON field tags).
func ReadYAML(t testing.TB, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigsyaml.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
