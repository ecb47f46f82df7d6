package krm

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Main runs f as a KRM function on standard input and output and returns the process exit
// code. With -h or --help it prints usage and exits; any other argument is an error (a
// function's settings are its function config). Error results are written to standard
// error too when kustomize runs the function: kustomize shows only what a failing plugin
// printed there, where kpt shows the results themselves and, for a failing function,
// its standard error as well (see toStderr), so under kpt standard error gets only the
// files the errors are in, which kpt's printout of the results leaves out.
func Main(f Func, usage string) int {
	return mainWith(func(w io.Writer, input []byte) (fn.Results, error) { return RunTo(w, f, input) }, usage, gcPercent)
}

// mainWith is Main running the function with run, collecting garbage at gc percent (0:
// Go's default) unless GOGC is set.
func mainWith(run func(w io.Writer, input []byte) (fn.Results, error), usage string, gc int) int {
	if os.Getenv("GOGC") == "" && gc > 0 {
		debug.SetGCPercent(gc)
	}
	name := programName(usage)
	if done, code := parseArgs(os.Args[1:], name, usage, os.Stdout, os.Stderr); done {
		return code
	}
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		fmt.Fprintln(os.Stderr, notResourceListMessage(name, "standard input is a terminal"))
		return 1
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: failed to read the ResourceList: %v\n", name, err)
		return 1
	}
	stderr := toStderr(in)
	stdout := bufio.NewWriterSize(os.Stdout, 1<<20)
	results, err := run(stdout, in)
	if err == nil {
		err = stdout.Flush()
	}
	return exitCode(name, results, err, stderr, os.Stderr)
}

// exitCode reports how the run ended on w (error results only when stderr is set) and
// returns the exit code.
func exitCode(name string, results fn.Results, err error, stderr bool, w io.Writer) int {
	var bad *notResourceListError
	switch {
	case errors.As(err, &bad):
		fmt.Fprintln(w, notResourceListMessage(name, bad.Err.Error()))
		return 1
	case err != nil:
		fmt.Fprintf(w, "failed to %v\n", err)
		return 1
	case !HasErrors(results):
		return 0
	}
	if stderr {
		for _, r := range results {
			if r.Severity == fn.Error {
				fmt.Fprintln(w, describeResult(r))
			}
		}
	} else if files := errorFiles(results); len(files) > 0 {
		// kpt prints the results without their files: say where the errors are, once.
		fmt.Fprintf(w, "%s: the errors are in %s (the results above; with --results-dir, each with its file)\n", name, strings.Join(files, ", "))
	}
	return 1
}

// errorFiles are the files the error results that fail the function name, in order,
// each once.
func errorFiles(results fn.Results) []string {
	var files []string
	for _, r := range results {
		if r.Severity == fn.Error && r.Tags[NonFatalTag] != "true" && r.File != nil && r.File.Path != "" && !slices.Contains(files, r.File.Path) {
			files = append(files, r.File.Path)
		}
	}
	return files
}

// programName is the function's name, which its usage text begins with ("NAME: ...").
func programName(usage string) string {
	name, _, _ := strings.Cut(usage, ":")
	if name == "" || strings.ContainsAny(name, " \n") {
		return "function"
	}
	return name
}

// parseArgs handles the command line: -h or --help alone prints usage; any other argument
// is an error, since kpt and kustomize pass a function none and its settings are its
// function config. done reports that the process ends with code.
func parseArgs(args []string, name, usage string, stdout, stderr io.Writer) (done bool, code int) {
	switch {
	case len(args) == 0:
		return false, 0
	case len(args) == 1 && (args[0] == "-h" || args[0] == "--help"):
		fmt.Fprint(stdout, usage)
		return true, 0
	}
	arg := args[0]
	if arg == "-h" || arg == "--help" {
		arg = args[1]
	}
	fmt.Fprintf(stderr, "%s: unknown argument %q: a KRM function takes no flags or arguments but -h/--help. "+
		"Its settings are its function config: KEY=VALUE after \"--\" with kpt fn eval "+
		"(kpt fn eval --exec %s DIR -- KEY=VALUE), or a configMap or configPath in the Kptfile's pipeline. See %s --help\n",
		name, arg, name, name)
	return true, 2
}

// notResourceListError is an input that is not a ResourceList.
type notResourceListError struct{ Err error }

func (e *notResourceListError) Error() string { return "parse the ResourceList: " + e.Err.Error() }
func (e *notResourceListError) Unwrap() error { return e.Err }

// notResourceListMessage says what standard input must hold, and how to run the
// function, after why (what is wrong with it).
func notResourceListMessage(name, why string) string {
	return fmt.Sprintf("%s: standard input is not a ResourceList (%s). A KRM function reads a ResourceList "+
		"(apiVersion: config.kubernetes.io/v1, kind: ResourceList, the package's resources under items) on standard input "+
		"and writes one on standard output, as kpt and kustomize run it: run it with kpt fn eval (kpt fn eval --exec %s DIR) "+
		"or kpt fn render. See %s --help", name, why, name, name)
}

// parseError is why input is not a ResourceList.
func parseError(input []byte, err error) error {
	if len(bytes.TrimSpace(input)) == 0 {
		err = errors.New("it is empty")
	}
	return &notResourceListError{Err: err}
}

// kustomizeFunctionAnnotation is the annotation kustomize requires on a plugin's config
// and passes on in the function config.
const kustomizeFunctionAnnotation = "config.kubernetes.io/function"

// toStderr reports whether error results go to standard error too: when kustomize runs
// the function, which shows a failing plugin's standard error and nothing of its
// results. kpt shows the results, and a failing function's standard error besides, so
// under kpt each would be printed twice. kustomize is known by the annotation it requires
// on the function config (kpt passes none, unless the config file carries it). Only the
// function config's text is read, where it is a top-level key in block style (as both
// write it); in an input laid out otherwise, the annotation anywhere counts, printing
// too much rather than nothing.
func toStderr(input []byte) bool {
	section, ok := topLevelSection(input, "functionConfig:")
	if !ok {
		return bytes.Contains(input, []byte(kustomizeFunctionAnnotation))
	}
	var doc struct {
		FunctionConfig struct {
			Metadata struct {
				Annotations map[string]any `yaml:"annotations"`
			} `yaml:"metadata"`
		} `yaml:"functionConfig"`
	}
	if err := yaml.Unmarshal(section, &doc); err != nil {
		return true
	}
	_, ok = doc.FunctionConfig.Metadata.Annotations[kustomizeFunctionAnnotation]
	return ok
}

// topLevelSection returns the lines of input from the last line that starts with key to
// the next line that starts with another key.
func topLevelSection(input []byte, key string) ([]byte, bool) {
	i := bytes.LastIndex(input, []byte("\n"+key))
	switch {
	case i >= 0:
		input = input[i+1:]
	case !bytes.HasPrefix(input, []byte(key)):
		return nil, false
	}
	end := len(key)
	for {
		j := bytes.IndexByte(input[end:], '\n')
		if j < 0 {
			return input, true
		}
		end += j + 1
		if end < len(input) && !bytes.ContainsAny(input[end:end+1], " \t\r\n#") {
			return input[:end], true
		}
	}
}

// describeResult is a result as one line: severity, resource, message, file.
func describeResult(r *fn.Result) string {
	s := r.String()
	if r.File != nil && r.File.Path != "" {
		s += " (" + r.File.Path + ")"
	}
	return s
}
