package e2e

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMalformedInput feeds each function binary input that is not a ResourceList: it must
// exit non-zero, say why on standard error, and write no items.
func TestMalformedInput(t *testing.T) {
	inputs := map[string]string{
		"broken YAML":        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [\n",
		"not a ResourceList": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
		"items not a list":   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: 5\n",
	}
	for _, f := range functions {
		for name, in := range inputs {
			t.Run(f+"/"+name, func(t *testing.T) {
				cmd := exec.Command(filepath.Join(functionBin(t), f))
				cmd.Stdin = strings.NewReader(in)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				if err == nil {
					t.Fatalf("exit 0 on malformed input; stdout:\n%s", stdout.String())
				}
				if !strings.Contains(stderr.String(), "failed to") {
					t.Errorf("stderr does not explain the failure:\n%s", stderr.String())
				}
				if strings.Contains(stdout.String(), "kind: ConfigMap") {
					t.Errorf("items were written on failure:\n%s", stdout.String())
				}
			})
		}
	}
}

// TestHelp: every function explains itself with --help, and exits 0.
func TestHelp(t *testing.T) {
	for _, f := range functions {
		out, ok := run(t, t.TempDir(), filepath.Join(functionBin(t), f), "--help")
		if !ok || !strings.HasPrefix(out, f+":") || !strings.Contains(out, "ResourceList") || !strings.Contains(out, "Examples:") {
			t.Errorf("%s --help (ok=%v):\n%s", f, ok, out)
		}
	}
}
