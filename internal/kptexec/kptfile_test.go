package kptexec

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestToExecAndBack(t *testing.T) {
	cases := []struct {
		name, kptfile, wantExec, wantErr string
	}{
		{
			name: "mutators and validators",
			kptfile: `pipeline:
  mutators:
    - image: ghcr.io/meshfn/apply-setters:v0.1.0
      configMap:
        revision: asm-1-29
    - configPath: inject.yaml
      image: ghcr.io/meshfn/inject-sidecar:v0.1.0
  validators:
    - image: ghcr.io/meshfn/generate-revision:v0.1.0 
`,
			wantExec: `pipeline:
  mutators:
    - exec: apply-setters
      configMap:
        revision: asm-1-29
    - configPath: inject.yaml
      exec: inject-sidecar
  validators:
    - exec: generate-revision
`,
		},
		{
			name:     "other images and exec entries are kept",
			kptfile:  "    - image: ghcr.io/kptdev/krm-functions-catalog/set-labels:v0.2\n    - exec: ./my-fn\n    - image: ghcr.io/meshfn/apply-setters:v1\n",
			wantExec: "    - image: ghcr.io/kptdev/krm-functions-catalog/set-labels:v0.2\n    - exec: ./my-fn\n    - exec: apply-setters\n",
		},
		{
			name:     "no newline at the end",
			kptfile:  "    - image: ghcr.io/meshfn/apply-setters:v1",
			wantExec: "    - exec: apply-setters",
		},
		{
			name:    "two tags of one function",
			kptfile: "    - image: ghcr.io/meshfn/apply-setters:v1\n    - image: ghcr.io/meshfn/apply-setters:v2\n",
			wantErr: "function apply-setters is named by two images",
		},
		{
			name:    "render-exec itself is not a function (it would render its own copy without end)",
			kptfile: "    - image: ghcr.io/meshfn/render-exec:v0.1.0\n",
			wantErr: "ghcr.io/meshfn/render-exec:v0.1.0 names no function of meshfn",
		},
		{
			name:    "hsm-tool is not a function",
			kptfile: "    - image: ghcr.io/meshfn/hsm-tool:v0.1.0\n",
			wantErr: "ghcr.io/meshfn/hsm-tool:v0.1.0 names no function of meshfn",
		},
		{
			name:    "a name that a program on PATH has",
			kptfile: "    - image: ghcr.io/meshfn/apply-setters:v1\n    - image: ghcr.io/meshfn/sh:v1\n",
			wantErr: "ghcr.io/meshfn/sh:v1 names no function of meshfn",
		},
		{
			name:    "the same function by exec and image",
			kptfile: "    - exec: apply-setters\n    - image: ghcr.io/meshfn/apply-setters:v2\n",
			wantErr: "function apply-setters is run both by exec and as image",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, images, err := ToExec([]byte(c.kptfile))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.wantExec {
				t.Errorf("exec form:\n%s\nwant:\n%s", got, c.wantExec)
			}
			back := string(ToImages(got, images))
			if want := strings.ReplaceAll(c.kptfile, ":v0.1.0 \n", ":v0.1.0\n"); back != want {
				t.Errorf("back to images:\n%s\nwant:\n%s", back, want)
			}
		})
	}
}

// TestFunctionsAreTheRepositorysFunctions: the functions render-exec may run are exactly
// the folders under functions/ (not hsm-tool, not render-exec).
func TestFunctionsAreTheRepositorysFunctions(t *testing.T) {
	mains, err := filepath.Glob(filepath.Join("..", "..", "functions", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range mains {
		want = append(want, filepath.Base(filepath.Dir(m)))
	}
	slices.Sort(want)
	if got := Functions(); !slices.Equal(got, want) {
		t.Errorf("Functions() = %v, want the folders of functions/: %v", got, want)
	}
	if _, err := os.Stat(filepath.Join("..", "..", "hack", "render-exec")); err != nil || IsFunction("render-exec") || IsFunction("hsm-tool") {
		t.Errorf("render-exec and hsm-tool must not be functions (%v)", err)
	}
}
