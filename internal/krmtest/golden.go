// Package krmtest runs a function over golden ResourceLists.
//
// Each case is a folder under testdata holding input.yaml (a ResourceList, the function
// config included) and expected.yaml (the whole output ResourceList, results included).
// Set UPDATE_GOLDEN=1 to rewrite expected.yaml from what the function produces now.
//
// Set MESHFN_RECORD_INPUTS to a folder to keep a copy of every ResourceList the tests pass
// to a function there, one file each: tests/bench/compare then runs two builds of a
// function on all of them and compares their outputs byte for byte.
package krmtest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/krm"
)

// Update reports whether golden files should be rewritten.
func Update() bool { return os.Getenv("UPDATE_GOLDEN") != "" }

// Run processes the ResourceList in input with f and returns the output ResourceList and
// whether the function succeeded.
func Run(t testing.TB, f krm.Func, input []byte) ([]byte, bool) {
	t.Helper()
	record(t, input)
	out, results, err := krm.Run(f, input)
	if err != nil {
		t.Fatalf("function did not produce a ResourceList: %v", err)
	}
	return out, !krm.HasErrors(results)
}

// RunGoldenDir runs every case folder under dir (each with input.yaml) as a subtest.
// Folders whose name starts with "error-" must fail and leave the items as they were; all
// others must succeed, and their output, fed back into the function, must come out
// unchanged (a second render is a no-op).
func RunGoldenDir(t *testing.T, dir string, f krm.Func) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading golden cases: %v", err)
	}
	ran := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		ran++
		caseDir := filepath.Join(dir, e.Name())
		wantFail := len(e.Name()) > 6 && e.Name()[:6] == "error-"
		t.Run(e.Name(), func(t *testing.T) {
			input, err := os.ReadFile(filepath.Join(caseDir, "input.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			out, ok := Run(t, f, input)
			if ok == wantFail {
				t.Errorf("function succeeded = %v, want %v; output:\n%s", ok, !wantFail, out)
			}
			CompareGolden(t, filepath.Join(caseDir, "expected.yaml"), out)
			if !ok && !bytes.Equal(stripResults(t, out), stripResults(t, input)) {
				t.Errorf("a failing run changed the items:\n%s", Diff(string(stripResults(t, input)), string(stripResults(t, out))))
			}
			if ok {
				again, ok2 := Run(t, f, out)
				if !ok2 || !bytes.Equal(stripResults(t, again), stripResults(t, out)) {
					t.Errorf("second run changed the output (ok=%v):\n%s", ok2, again)
				}
			}
		})
	}
	if ran == 0 {
		t.Fatalf("no golden cases under %s", dir)
	}
}

// record writes input to the folder MESHFN_RECORD_INPUTS names, if any, under a name made
// of its hash (the same input twice is one file).
func record(t testing.TB, input []byte) {
	dir := os.Getenv("MESHFN_RECORD_INPUTS")
	if dir == "" {
		return
	}
	tmp, err := os.CreateTemp(dir, ".input-*")
	if err == nil {
		_, err = tmp.Write(input)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), filepath.Join(dir, fmt.Sprintf("%x.yaml", sha256.Sum256(input))))
		}
		if err != nil {
			os.Remove(tmp.Name())
		}
	}
	if err != nil {
		t.Fatalf("recording the input: %v", err)
	}
}

// CompareGolden compares got with the golden file, or rewrites it under UPDATE_GOLDEN.
func CompareGolden(t testing.TB, path string, got []byte) {
	t.Helper()
	if Update() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with UPDATE_GOLDEN=1 to create it): %v", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("output differs from %s (UPDATE_GOLDEN=1 rewrites it):\n%s", path, Diff(string(want), string(got)))
	}
}

// stripResults returns the items of a ResourceList without its results, for comparing two
// runs whose results differ by design (the second run reports nothing changed).
func stripResults(t testing.TB, rl []byte) []byte {
	t.Helper()
	parsed, err := fn.ParseResourceList(rl)
	if err != nil {
		t.Fatalf("parsing output: %v", err)
	}
	parsed.Results = nil
	b, err := parsed.ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
