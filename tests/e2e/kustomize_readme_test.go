package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/kptexec"
	"sigs.k8s.io/yaml"
)

// kustomizeStep is a function examples/kustomize runs: its config file, whether it is a
// generator or a transformer, the config's kind and the function it names.
type kustomizeStep struct {
	config, role, kind, function string
}

// kustomizeSteps reads the functions a form of examples/kustomize (exec/ or container/)
// runs, in the order kustomize runs them: the generators, then the transformers.
func kustomizeSteps(t *testing.T, form string) []kustomizeStep {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "examples", "kustomize", form)
	var k struct {
		Generators   []string `json:"generators"`
		Transformers []string `json:"transformers"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, dir, "kustomization.yaml")), &k); err != nil {
		t.Fatalf("examples/kustomize/%s/kustomization.yaml: %v", form, err)
	}
	var steps []kustomizeStep
	for _, list := range []struct {
		role  string
		files []string
	}{{"generator", k.Generators}, {"transformer", k.Transformers}} {
		for _, file := range list.files {
			var config struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Annotations map[string]string `json:"annotations"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(readFile(t, dir, file)), &config); err != nil {
				t.Fatalf("examples/kustomize/%s/%s: %v", form, file, err)
			}
			var runs struct {
				Exec      struct{ Path string }  `json:"exec"`
				Container struct{ Image string } `json:"container"`
			}
			if err := yaml.Unmarshal([]byte(config.Metadata.Annotations["config.kubernetes.io/function"]), &runs); err != nil {
				t.Fatalf("examples/kustomize/%s/%s: its config.kubernetes.io/function annotation: %v", form, file, err)
			}
			name := strings.TrimPrefix(runs.Exec.Path, "./bin/")
			if runs.Container.Image != "" {
				name, _, _ = strings.Cut(strings.TrimPrefix(runs.Container.Image, kptexec.ImagePrefix), ":")
			}
			if !slices.Contains(functions, name) {
				t.Fatalf("examples/kustomize/%s/%s runs %q, not one of meshfn's functions", form, file, config.Metadata.Annotations["config.kubernetes.io/function"])
			}
			steps = append(steps, kustomizeStep{config: file, role: list.role, kind: config.Kind, function: name})
		}
	}
	return steps
}

// numberWords are the numbers the READMEs write in words.
var numberWords = []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// TestKustomizeExampleReadmeSaysWhatItRuns checks examples/kustomize/README.md against the
// kustomizations it describes, so that the two cannot drift: exec/ and container/ run the
// same functions with the same configs; the README's count and list of the functions it
// uses are those they run, it says why each of the others is not used, its table names
// the config files in the order the kustomization lists them, and "What the build does"
// lists the steps in the order kustomize runs them, each as generator or transformer with
// its config's kind.
func TestKustomizeExampleReadmeSaysWhatItRuns(t *testing.T) {
	steps := kustomizeSteps(t, "exec")
	if container := kustomizeSteps(t, "container"); !slices.Equal(steps, container) {
		t.Fatalf("exec/ runs %v, container/ runs %v: the README says the two forms differ only in how each function runs", steps, container)
	}
	readme := readFile(t, filepath.Join(repoRoot(t), "examples", "kustomize"), "README.md")
	flat := strings.Join(strings.Fields(readme), " ")

	var used, configs []string
	for _, s := range steps {
		used = append(used, "`"+s.function+"`")
		configs = append(configs, "`"+s.config+"`")
	}
	uses := fmt.Sprintf("It uses %s of meshfn's %s functions: %s and %s.", numberWords[len(steps)], numberWords[len(functions)],
		strings.Join(used[:len(used)-1], ", "), used[len(used)-1])
	if !strings.Contains(flat, uses) {
		t.Errorf("examples/kustomize/README.md does not say %q", uses)
	}
	_, rest, _ := strings.Cut(flat, uses)
	rest, _, _ = strings.Cut(rest, "| file |")
	for _, f := range functions {
		if !slices.Contains(used, "`"+f+"`") && !strings.Contains(rest, "`"+f+"`") {
			t.Errorf("examples/kustomize/README.md does not say why it leaves out %s (after %q)", f, uses)
		}
	}
	table := "| `exec/`, `container/` | a kustomization over `../base` naming the functions, each with its config: " + strings.Join(configs, ", ") + " |"
	if !strings.Contains(readme, table) {
		t.Errorf("examples/kustomize/README.md lacks the table row\n%s", table)
	}

	_, build, ok := strings.Cut(readme, "\n## What the build does\n")
	if !ok {
		t.Fatal(`examples/kustomize/README.md has no section "What the build does"`)
	}
	build, _, _ = strings.Cut(build, "\n## ")
	step := regexp.MustCompile("(?m)^(\\d+)\\. \\*\\*`([a-z-]+)`\\*\\* \\((generator|transformer), `([A-Za-z]+)`")
	var described []kustomizeStep
	for i, m := range step.FindAllStringSubmatch(build, -1) {
		if m[1] != fmt.Sprint(i+1) {
			t.Errorf("examples/kustomize/README.md: step %s of What the build does is numbered %s", m[2], m[1])
		}
		described = append(described, kustomizeStep{role: m[3], kind: m[4], function: m[2]})
	}
	var run []kustomizeStep
	for _, s := range steps {
		run = append(run, kustomizeStep{role: s.role, kind: s.kind, function: s.function})
	}
	if !slices.Equal(described, run) {
		t.Errorf("examples/kustomize/README.md: What the build does lists the steps\n%v\nthe kustomization runs\n%v", described, run)
	}
}
