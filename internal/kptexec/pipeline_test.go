package kptexec

import (
	"strings"
	"testing"
)

// TestExecKptfileRunsOnlyMeshfnFunctions: after the exec-mode rewrite a Kptfile may run
// meshfn's functions in place of their images and nothing else. An `exec:` entry of the
// package, in any form kpt reads, is refused unless the user allows the package's own
// programs; so is a configPath naming no file of the package.
func TestExecKptfileRunsOnlyMeshfnFunctions(t *testing.T) {
	const head = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: p\npipeline:\n"
	cases := []struct {
		name, pipeline string
		allow          bool
		wantErr        string // "" when accepted
	}{
		{name: "meshfn images", pipeline: "  mutators:\n    - image: ghcr.io/meshfn/apply-setters:v1\n      configPath: c.yaml\n  validators:\n    - image: ghcr.io/meshfn/validate-mesh:v1\n"},
		{name: "another image stays an image", pipeline: "  mutators:\n    - image: ghcr.io/kptdev/krm-functions-catalog/set-labels:v0.2\n"},
		{name: "meshfn image with a comment stays an image", pipeline: "  mutators:\n    - image: ghcr.io/meshfn/apply-setters:v1 # pinned\n"},
		{name: "exec entry", pipeline: "  mutators:\n    - exec: /bin/sh\n", wantErr: `pipeline.mutators[0] runs the program "/bin/sh" (exec)`},
		{name: "exec with arguments", pipeline: "  mutators:\n    - exec: sh -c 'touch /tmp/x'\n", wantErr: `runs the program "sh -c 'touch /tmp/x'"`},
		{name: "exec named like a function", pipeline: "  mutators:\n    - exec: apply-setters\n", wantErr: `runs the program "apply-setters"`},
		{name: "exec among validators", pipeline: "  mutators:\n    - image: ghcr.io/meshfn/apply-setters:v1\n  validators:\n    - exec: ./check.sh\n", wantErr: "pipeline.validators[0] runs the program"},
		{name: "flow style", pipeline: "  mutators: [{image: ghcr.io/meshfn/apply-setters:v1}, {exec: sh}]\n", wantErr: "pipeline.mutators[1] runs the program"},
		{name: "quoted key", pipeline: "  mutators:\n    - \"exec\": sh\n", wantErr: "runs the program"},
		{name: "single-quoted value", pipeline: "  mutators:\n    - exec: 'sh'\n", wantErr: "runs the program"},
		{name: "by alias", pipeline: "  mutators:\n    - &e {exec: sh}\n  validators:\n    - *e\n", wantErr: "pipeline.mutators[0] runs the program"},
		{name: "merge key", pipeline: "  mutators:\n    - &e {name: x}\n    - <<: {exec: sh}\n", wantErr: "pipeline.mutators[1] runs the program"},
		{name: "image and exec in one entry", pipeline: "  mutators:\n    - image: ghcr.io/meshfn/apply-setters:v1\n      exec: sh\n", wantErr: "runs the program"},
		{name: "exec allowed", pipeline: "  mutators:\n    - exec: ./fn.sh\n    - image: ghcr.io/meshfn/apply-setters:v1\n", allow: true},
		{name: "image line inside a string is not an entry", pipeline: "  mutators:\n    - image: ghcr.io/kptdev/x:v1\n      configMap:\n        script: |\n          - image: ghcr.io/meshfn/apply-setters:v1\n"},
		{name: "configPath outside the package", pipeline: "  mutators:\n    - image: ghcr.io/meshfn/apply-setters:v1\n      configPath: ../x.yaml\n", wantErr: `configPath "../x.yaml" names no file of the package`},
		{name: "configPath absolute", pipeline: "  mutators:\n    - image: ghcr.io/meshfn/apply-setters:v1\n      configPath: /etc/passwd\n", wantErr: "names no file of the package"},
		{name: "configPath missing", pipeline: "  mutators:\n    - image: ghcr.io/meshfn/apply-setters:v1\n      configPath: nope.yaml\n", wantErr: "names no file of the package"},
		{name: "not YAML", pipeline: "  mutators: [\n", wantErr: "reading its pipeline"},
	}
	files := map[string]file{"sub/c.yaml": {}, "x.yaml": {}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := execKptfile("sub/Kptfile", []byte(head+c.pipeline), files, c.allow)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				p, err := readPipeline(out)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range append(p.Mutators, p.Validators...) {
					if f.Exec != "" && !IsFunction(f.Exec) && !c.allow {
						t.Errorf("the rewritten Kptfile runs %q", f.Exec)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got error %v, want %q", err, c.wantErr)
			}
			if strings.Contains(c.wantErr, "runs the program") && !strings.Contains(err.Error(), "-allow-package-exec") {
				t.Errorf("the refusal does not name the flag that allows it: %v", err)
			}
		})
	}
}
