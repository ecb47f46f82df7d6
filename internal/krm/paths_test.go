package krm

import (
	"bytes"
	"iter"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// renderInput is what kpt fn render gives a function of the root package: every item's
// path relative to its own package, whose folder is in PackagePathAnnotation.
const renderInput = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: bookinfo
    annotations:
      config.kubernetes.io/path: 'namespace.yaml'
      internal.config.kubernetes.io/path: 'namespace.yaml'
      internal.config.kubernetes.io/package-path: '/tmp/render/repo/blueprints/mesh-namespace'
- apiVersion: v1
  kind: Namespace
  metadata:
    name: shop
    annotations:
      config.kubernetes.io/path: 'namespace.yaml'
      internal.config.kubernetes.io/path: 'namespace.yaml'
      internal.config.kubernetes.io/package-path: '/tmp/render/repo/blueprints/sample-app'
- apiVersion: kpt.dev/v1
  kind: Kptfile
  metadata:
    name: repo
    annotations:
      config.kubernetes.io/path: 'Kptfile'
      internal.config.kubernetes.io/path: 'Kptfile'
      internal.config.kubernetes.io/package-path: '/tmp/render/repo'
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: cfg
`

// TestFilesFromTheRenderRoot: results name the files of a render's items from its root,
// in their file and in their messages, whether the function reads the items at once or
// streams them; without package folders (kpt fn eval, kustomize) paths stay as given.
func TestFilesFromTheRenderRoot(t *testing.T) {
	report := func(rl *ResourceList, items iter.Seq[*yaml.RNode]) error {
		for it := range items {
			rl.Errorf(it, "%s is wrong", Describe(it))
		}
		return nil
	}
	runs := map[string]func(input string) string{
		"Run": func(input string) string {
			out, _, err := Run(func(rl *ResourceList) error { return report(rl, slices.Values(rl.Items)) }, []byte(input))
			if err != nil {
				t.Fatal(err)
			}
			return string(out)
		},
		"RunStreamTo": func(input string) string {
			var out bytes.Buffer
			if _, err := RunStreamTo(&out, report, []byte(input)); err != nil {
				t.Fatal(err)
			}
			return out.String()
		},
	}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			out := run(renderInput)
			for _, want := range []string{
				"message: Namespace bookinfo (blueprints/mesh-namespace/namespace.yaml) is wrong\n",
				"file:\n    path: blueprints/mesh-namespace/namespace.yaml\n",
				"message: Namespace shop (blueprints/sample-app/namespace.yaml) is wrong\n",
				"message: Kptfile repo (Kptfile) is wrong\n",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if _, results, _ := strings.Cut(out, "\nresults:"); strings.Contains(results, "/tmp/render/repo/b") {
				t.Errorf("output names a file by its absolute path:\n%s", out)
			}
			eval := strings.ReplaceAll(renderInput, "internal.config.kubernetes.io/package-path", "example.com/other")
			if out := run(eval); !strings.Contains(out, "message: Namespace shop (namespace.yaml) is wrong\n") {
				t.Errorf("without package folders, the path changed:\n%s", out)
			}
		})
	}
}

// TestConfigFile: the file of the function config is its own path, else the item kpt fn
// render passes for a configPath, else for kpt's inline config the outermost Kptfile.
func TestConfigFile(t *testing.T) {
	parse := func(input string) *ResourceList {
		var rl *ResourceList
		if _, _, err := Run(func(r *ResourceList) error { rl = r; return nil }, []byte(input)); err != nil {
			t.Fatal(err)
		}
		return rl
	}
	configItem := strings.Replace(renderInput, "items:\n", "items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cfg\n"+
		"    annotations:\n      config.kubernetes.io/path: 'cfg.yaml'\n      internal.config.kubernetes.io/package-path: '/tmp/render/repo'\n", 1)
	for _, tc := range []struct{ name, input, want string }{
		{"unknown", renderInput, ""},
		{"configPath in kpt fn render", configItem, "/tmp/render/repo/cfg.yaml"},
		{"inline in kpt fn render", strings.Replace(renderInput, "name: cfg", "name: function-input", 1), "/tmp/render/repo/Kptfile"},
		{"kpt fn eval KEY=VALUE", strings.ReplaceAll(strings.Replace(renderInput, "name: cfg", "name: function-input", 1),
			"internal.config.kubernetes.io/package-path", "example.com/other"), ""},
		{"its own path", strings.Replace(renderInput, "    name: cfg\n", "    name: cfg\n    annotations:\n      config.kubernetes.io/path: fn.yaml\n", 1), "fn.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ConfigFile(parse(tc.input)); got != tc.want {
				t.Errorf("ConfigFile = %q, want %q", got, tc.want)
			}
		})
	}
}
