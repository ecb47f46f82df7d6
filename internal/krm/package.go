package krm

import (
	"fmt"
	"io"
	"os"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/kptpackage"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// CheckPackage runs f, a function that never changes the items, on the kpt package tree
// at root read from disk (package kptpackage) instead of on a ResourceList: the items are
// what kpt fn render gives the root's pipeline, read one file at a time, and config is the
// function config (nil for none). Results name files from the folder root is in, as they
// would from a render run there. An item no function may read (CheckShape) is an error
// result, as on a ResourceList, and f does not run; a file that cannot be read is the
// error, and f's results so far are dropped.
func CheckPackage(f StreamFunc, root string, config *yaml.RNode) (fn.Results, error) {
	rl := &ResourceList{Unchanged: true, Config: config}
	if config != nil {
		if results := checkInput(nil, config, true); len(results) > 0 {
			return results, nil
		}
	}
	var (
		readErr error
		refused fn.Results
		where   renderRoot
	)
	items := func(yield func(*yaml.RNode) bool) {
		for it, err := range kptpackage.Resources(root) {
			if err != nil {
				readErr = err
				return
			}
			if results := checkInput([]*yaml.RNode{it}, nil, true); len(results) > 0 {
				refused = append(refused, results...)
				continue
			}
			where.add(it)
			if !yield(it) {
				return
			}
		}
	}
	if _, err := call(func() error { return f(rl, items) }); err != nil {
		rl.Results = append(rl.Results, fn.ErrorResult(err))
	}
	if readErr != nil {
		return nil, readErr
	}
	results := append(refused, rl.Results...)
	where.relativize(results)
	return results, nil
}

// ReadConfigFile reads a function config from a YAML file holding one object.
func ReadConfigFile(name string) (*yaml.RNode, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("reading the config: %w", err)
	}
	n, err := yaml.Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("reading the config %s: %w", name, err)
	}
	if n.YNode().Kind != yaml.MappingNode {
		return nil, fmt.Errorf("reading the config %s: it is not a YAML mapping (one object, e.g. kind: MeshValidation)", name)
	}
	return n, nil
}

// PrintResults writes each result on its own line, with its file, and a verdict line
// (the function's own summary, a result, says what it counted); it returns the exit code,
// 1 when an error fails the check.
func PrintResults(w io.Writer, name string, results fn.Results) int {
	for _, r := range results {
		fmt.Fprintln(w, describeResult(r))
	}
	if HasErrors(results) {
		fmt.Fprintf(w, "%s: failed\n", name)
		return 1
	}
	fmt.Fprintf(w, "%s: passed\n", name)
	return 0
}

// resultsFile is the layout of kpt's results file (--results-dir): a FunctionResultList
// with one item per function run.
type resultsFile struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   map[string]string `yaml:"metadata"`
	ExitCode   int               `yaml:"exitCode"`
	Items      []resultsFileItem `yaml:"items"`
}

type resultsFileItem struct {
	Exec     string     `yaml:"exec"`
	ExitCode int        `yaml:"exitCode"`
	Results  fn.Results `yaml:"results,omitempty"`
}

// WriteResultsFile writes results as kpt writes a render's results file, one function run
// (named by command) that ended with exitCode, so that what reads kpt's results reads these.
func WriteResultsFile(w io.Writer, command string, exitCode int, results fn.Results) error {
	b, err := yaml.Marshal(resultsFile{
		APIVersion: "kpt.dev/v1",
		Kind:       "FunctionResultList",
		Metadata:   map[string]string{"name": "fnresults"},
		ExitCode:   exitCode,
		Items:      []resultsFileItem{{Exec: command, ExitCode: exitCode, Results: results}},
	})
	if err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	_, err = w.Write(b)
	return err
}
