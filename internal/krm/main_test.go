package krm

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

const testUsage = "noop: a KRM function for tests.\n"

// TestParseArgs: -h or --help alone prints usage; any other argument is an error that
// names it and points at --help and kpt fn eval, and the function does not run.
func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		done       bool
		code       int
		out, err   string
		errMention []string
	}{
		{args: nil},
		{args: []string{"-h"}, done: true, out: testUsage},
		{args: []string{"--help"}, done: true, out: testUsage},
		{args: []string{"--revison", "asm-1-27"}, done: true, code: 2,
			errMention: []string{`noop: unknown argument "--revison"`, "kpt fn eval --exec noop DIR -- KEY=VALUE", "See noop --help"}},
		{args: []string{"revision=asm-1-27"}, done: true, code: 2, errMention: []string{`unknown argument "revision=asm-1-27"`}},
		{args: []string{"--help", "--revison"}, done: true, code: 2, errMention: []string{`unknown argument "--revison"`}},
		{args: []string{"-"}, done: true, code: 2, errMention: []string{`unknown argument "-"`}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			done, code := parseArgs(tc.args, programName(testUsage), testUsage, &out, &errOut)
			if done != tc.done || code != tc.code {
				t.Fatalf("done, code = %v, %d; want %v, %d", done, code, tc.done, tc.code)
			}
			if out.String() != tc.out {
				t.Errorf("stdout = %q, want %q", out.String(), tc.out)
			}
			if tc.errMention == nil && errOut.Len() > 0 {
				t.Errorf("stderr = %q, want nothing", errOut.String())
			}
			for _, m := range tc.errMention {
				if !strings.Contains(errOut.String(), m) {
					t.Errorf("stderr = %q, want it to mention %q", errOut.String(), m)
				}
			}
		})
	}
}

// TestNotAResourceList: an empty input, or one that is not a ResourceList, fails with a
// message that says what standard input must hold and how to run the function.
func TestNotAResourceList(t *testing.T) {
	noop := func(rl *ResourceList) error { return nil }
	for _, tc := range []struct{ name, input, why string }{
		{"empty", "", "(it is empty)"},
		{"blank", " \n\n", "(it is empty)"},
		{"a resource", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n", `unexpected kind "Namespace"`},
		{"a list", "- a\n", "unhandled node kind"},
		{"no YAML", "a: [\n", "did not find expected node content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			results, err := RunTo(io.Discard, noop, []byte(tc.input))
			var errOut bytes.Buffer
			if code := exitCode("noop", results, err, true, &errOut); code != 1 {
				t.Fatalf("exit code %d, want 1", code)
			}
			for _, m := range []string{"noop: standard input is not a ResourceList ", tc.why,
				"apiVersion: config.kubernetes.io/v1, kind: ResourceList", "kpt fn eval --exec noop DIR", "See noop --help"} {
				if !strings.Contains(errOut.String(), m) {
					t.Errorf("stderr = %q, want it to mention %q", errOut.String(), m)
				}
			}
		})
	}
}

// TestErrorsToStderrUnderKustomize: a failing function's error results go to standard
// error when kustomize runs it (its function config carries kustomize's plugin
// annotation), and not when kpt does, which prints the results and standard error both:
// then standard error names the files the errors are in only.
func TestErrorsToStderrUnderKustomize(t *testing.T) {
	const items = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n"
	const kustomizeConfig = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    annotations:\n" +
		"      config.kubernetes.io/function: |\n        exec:\n          path: ./noop\n    name: f\n"
	const kptConfig = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: f\n  data:\n    a: b\n"
	// An item that carries the annotation does not make kpt's input kustomize's.
	const annotatedItem = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: plugin\n    annotations:\n      config.kubernetes.io/function: |\n        exec: {path: x}\n"
	for _, tc := range []struct {
		name, input string
		want        bool
	}{
		{"kustomize", items + kustomizeConfig, true},
		{"kustomize, results after", items + kustomizeConfig + "results:\n- message: m\n", true},
		{"kpt", items + kptConfig, false},
		{"kpt, no config", items, false},
		{"kpt, an item with the annotation", items + annotatedItem + kptConfig, false},
		{"config first", kustomizeConfig + items[len("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"):] + "kind: ResourceList\n", true},
		{"flow style", `{"kind":"ResourceList","functionConfig":{"metadata":{"annotations":{"config.kubernetes.io/function":"x"}}}}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := toStderr([]byte(tc.input)); got != tc.want {
				t.Fatalf("toStderr = %v, want %v", got, tc.want)
			}
		})
	}
	failed := fn.Results{{Severity: fn.Error, Message: "bad", File: &fn.File{Path: "a.yaml"}}, {Severity: fn.Info, Message: "fine"}}
	for _, stderr := range []bool{true, false} {
		var errOut bytes.Buffer
		if code := exitCode("noop", failed, nil, stderr, &errOut); code != 1 {
			t.Fatalf("exit code %d, want 1", code)
		}
		want := "noop: the errors are in a.yaml (the results above; with --results-dir, each with its file)\n"
		if stderr {
			want = "[error]: bad (a.yaml)\n"
		}
		if errOut.String() != want {
			t.Errorf("stderr (to stderr: %v) = %q, want %q", stderr, errOut.String(), want)
		}
	}
}
