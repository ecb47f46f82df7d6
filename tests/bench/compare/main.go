// Command compare runs two builds of a KRM function on the same inputs and reports every
// input on which their outputs differ: standard output byte for byte, standard error, and
// the exit code. It shows that a change to a function's speed changed nothing it writes.
//
//	compare -old .cache/baseline/bin/inject-sidecar -new bin/inject-sidecar DIR_OR_FILE...
//
// A folder stands for the .yaml files in it (MESHFN_RECORD_INPUTS fills one from the tests,
// see internal/krmtest). It exits 1 when any output differs.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	oldBin := flag.String("old", "", "the function built before the change")
	newBin := flag.String("new", "", "the function built after the change")
	flag.Parse()
	if *oldBin == "" || *newBin == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: compare -old BINARY -new BINARY DIR_OR_FILE...")
		os.Exit(2)
	}
	inputs, err := listInputs(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	differ := 0
	for _, in := range inputs {
		diff, err := compareOn(*oldBin, *newBin, in)
		if err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(2)
		}
		if diff != "" {
			differ++
			fmt.Printf("DIFFERENT %s: %s\n", in, diff)
		}
	}
	fmt.Printf("%d inputs, %d with different outputs\n", len(inputs), differ)
	if differ > 0 {
		os.Exit(1)
	}
}

// listInputs expands folders to the .yaml files they hold, sorted.
func listInputs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		files, err := filepath.Glob(filepath.Join(a, "*.yaml"))
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}

type run struct {
	stdout, stderr []byte
	code           int
}

// compareOn runs both binaries on one input and describes how their runs differ ("" when
// they do not).
func compareOn(oldBin, newBin, input string) (string, error) {
	a, err := runOn(oldBin, input)
	if err != nil {
		return "", err
	}
	b, err := runOn(newBin, input)
	if err != nil {
		return "", err
	}
	var diffs []string
	if a.code != b.code {
		diffs = append(diffs, fmt.Sprintf("exit code %d, now %d", a.code, b.code))
	}
	if !bytes.Equal(a.stdout, b.stdout) {
		diffs = append(diffs, fmt.Sprintf("standard output differs from byte %d (%d bytes, now %d)",
			firstDifference(a.stdout, b.stdout), len(a.stdout), len(b.stdout)))
	}
	if !bytes.Equal(a.stderr, b.stderr) {
		diffs = append(diffs, "standard error differs")
	}
	return strings.Join(diffs, "; "), nil
}

func runOn(binary, input string) (run, error) {
	in, err := os.Open(input)
	if err != nil {
		return run{}, err
	}
	defer in.Close()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return run{}, fmt.Errorf("%s: %w", binary, err)
	}
	return run{stdout.Bytes(), stderr.Bytes(), cmd.ProcessState.ExitCode()}, nil
}

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
