package kptexec

import (
	"strings"
	"testing"
)

// TestCheckRemovals: a render may remove and rename resource files, but never a Kptfile
// and never every resource file of a package (its function configs not counted), which
// is what an empty function output, or one keeping only the Kptfile, does.
func TestCheckRemovals(t *testing.T) {
	const kptfile = "apiVersion: kpt.dev/v1\nkind: Kptfile\npipeline:\n  mutators:\n    - image: ghcr.io/meshfn/generate-revision:v1\n      configPath: config.yaml\n"
	source := map[string]string{
		"Kptfile": kptfile, "config.yaml": "", "ns.yaml": "", "README.md": "",
		"sub/Kptfile": kptfile, "sub/config.yaml": "", "sub/generated/a.yaml": "", "sub/generated/b.yaml": "",
		"sub/deep/c.yaml": "",
	}
	cases := []struct {
		name    string
		removed []string
		added   []string
		wantErr string
	}{
		{name: "nothing removed"},
		{name: "one generated file removed", removed: []string{"sub/generated/a.yaml"}},
		{name: "the only resource renamed", removed: []string{"ns.yaml"}, added: []string{"generated/ns.yaml"}},
		{name: "the Kptfile", removed: []string{"Kptfile"}, wantErr: "would remove /pkg/Kptfile"},
		{name: "a subpackage's Kptfile", removed: []string{"sub/Kptfile"}, wantErr: "would remove /pkg/sub/Kptfile"},
		{name: "empty output: every file kpt reads", removed: []string{"Kptfile", "ns.yaml", "sub/Kptfile", "sub/generated/a.yaml", "sub/generated/b.yaml", "sub/deep/c.yaml"},
			wantErr: "would remove /pkg/Kptfile"},
		{name: "every resource but the Kptfiles", removed: []string{"ns.yaml", "sub/generated/a.yaml", "sub/generated/b.yaml", "sub/deep/c.yaml"},
			wantErr: "every resource file of the package /pkg (1)"},
		{name: "every resource of a subpackage", removed: []string{"sub/generated/a.yaml", "sub/generated/b.yaml", "sub/deep/c.yaml"},
			wantErr: "every resource file of the package /pkg/sub (3)"},
		{name: "a function config", removed: []string{"sub/config.yaml"}, wantErr: "would remove /pkg/sub/config.yaml, the function config /pkg/sub/Kptfile names"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, rendered := map[string]file{}, map[string]file{}
			for rel, data := range source {
				src[rel] = file{data: []byte(data)}
				rendered[rel] = src[rel]
			}
			for _, rel := range c.removed {
				delete(rendered, rel)
			}
			for _, rel := range c.added {
				rendered[rel] = file{}
			}
			err := checkRemovals("/pkg", src, rendered)
			if c.wantErr == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("got %v, want an error with %q", err, c.wantErr)
			}
		})
	}
}

// TestCheckResourcesOnly: the write-back creates, changes and removes resource files and
// Kptfiles only.
func TestCheckResourcesOnly(t *testing.T) {
	cases := []struct {
		changed, removed []string
		wantErr          string
	}{
		{changed: []string{"a.yaml", "b.yml", "c.json", "sub/Kptfile", "Kptfile"}, removed: []string{"old.yaml"}},
		{changed: []string{"a.yaml", "Makefile"}, wantErr: "would write /pkg/Makefile"},
		{changed: []string{".krmignore"}, wantErr: "would write /pkg/.krmignore"},
		{changed: []string{"hack/run.sh"}, wantErr: "would write /pkg/hack/run.sh"},
		{changed: []string{"Kptfile.yaml.bak"}, wantErr: "would write /pkg/Kptfile.yaml.bak"},
		{removed: []string{"README.md"}, wantErr: "would write /pkg/README.md"},
	}
	for _, c := range cases {
		changed := map[string]file{}
		for _, rel := range c.changed {
			changed[rel] = file{}
		}
		err := checkResourcesOnly("/pkg", changed, c.removed)
		if c.wantErr == "" && err != nil {
			t.Errorf("%v, %v: refused: %v", c.changed, c.removed, err)
		}
		if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%v, %v: got %v, want an error with %q", c.changed, c.removed, err, c.wantErr)
		}
	}
}
