package e2e

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/kptexec"
	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/yaml"
)

// functionExample is an example of one function, examples/FUNCTION/CASE, laid out as the
// kpt functions catalog lays out its eval examples: the resources the function works on
// and its config file, a README whose `kpt fn eval` command runs the function on them,
// and .expected/ with how that command runs (config.yaml) and what it does (diff.patch,
// results.yaml), which the folder's .krmignore keeps kpt from reading as resources. An
// example has no Kptfile: TestRootRendersOnlyTheBlueprints says why.
type functionExample struct {
	function, name string
	dir            string // absolute
	config         expectedConfig
}

func (e functionExample) String() string { return "examples/" + e.function + "/" + e.name }

// expectedConfig is an example's .expected/config.yaml, in the fields of kpt's test runner,
// which tests the catalog's examples: an eval test (testType) of the function's image,
// given its config file (fnConfig, a slash path relative to .expected) or arguments (args,
// which kpt passes after --), and kpt's exit code: 0, or 1 for an example the function
// fails.
type expectedConfig struct {
	TestType string            `json:"testType"`
	Image    string            `json:"image"`
	FnConfig string            `json:"fnConfig,omitempty"`
	Args     map[string]string `json:"args,omitempty"`
	ExitCode int               `json:"exitCode,omitempty"`
}

// functionExamples lists the folders examples/*/*/ that hold .expected/, as kpt's test
// runner finds its test cases: every example of a function, with its config.yaml.
func functionExamples(t *testing.T) []functionExample {
	t.Helper()
	found, err := filepath.Glob(filepath.Join(repoRoot(t), "examples", "*", "*", ".expected"))
	if err != nil {
		t.Fatal(err)
	}
	var out []functionExample
	for _, expected := range found {
		dir := filepath.Dir(expected)
		e := functionExample{function: filepath.Base(filepath.Dir(dir)), name: filepath.Base(dir), dir: dir}
		b, err := os.ReadFile(filepath.Join(expected, "config.yaml"))
		if err != nil {
			t.Fatalf("%s: no .expected/config.yaml saying how kpt fn eval runs the example: %v", e, err)
		}
		if err := yaml.UnmarshalStrict(b, &e.config); err != nil {
			t.Fatalf("%s/.expected/config.yaml: %v", e, err)
		}
		out = append(out, e)
	}
	return out
}

// fnConfig is the example's function config file, a slash path relative to the example's
// folder; "" when the function runs without one.
func (e functionExample) fnConfig() string {
	if e.config.FnConfig == "" {
		return ""
	}
	return path.Join(".expected", e.config.FnConfig)
}

// evalArgs are the arguments of `kpt fn eval` after the function's image (or binary),
// run in the example's folder: the config file, the folder, and the arguments by key.
func (e functionExample) evalArgs() []string {
	var args []string
	if f := e.fnConfig(); f != "" {
		args = append(args, "--fn-config", f)
	}
	args = append(args, ".")
	if len(e.config.Args) > 0 {
		args = append(args, "--")
		for _, k := range slices.Sorted(maps.Keys(e.config.Args)) {
			args = append(args, k+"="+e.config.Args[k])
		}
	}
	return args
}

// command is the command the example's README gives a user to run in its folder.
func (e functionExample) command() string {
	return "kpt fn eval --image " + e.config.Image + " " + strings.Join(e.evalArgs(), " ")
}

// isValidator reports whether the function's metadata.yaml tags it validator: it never
// changes a package.
func isValidator(t *testing.T, function string) bool {
	t.Helper()
	var meta struct {
		Tags []string `json:"tags"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, filepath.Join(repoRoot(t), "functions", function), "metadata.yaml")), &meta); err != nil {
		t.Fatalf("functions/%s/metadata.yaml: %v", function, err)
	}
	return slices.Contains(meta.Tags, "validator")
}

// TestFunctionExamplesCoverEveryFunction: every function has examples; each runs the
// function by its released image, with a config file of the example annotated as
// local-config (kpt live apply leaves it out) or with arguments that need no quoting, and
// its README gives, on a line of its own, the very `kpt fn eval` command its
// .expected/config.yaml describes. The function's metadata.yaml and README list exactly
// its examples, as examples/README.md does, so that none can be added or removed without
// the others, and the function README's table of examples says of each what the first
// paragraph of the example's README says.
func TestFunctionExamplesCoverEveryFunction(t *testing.T) {
	const tree = "https://github.com/meshfn/meshfn/tree/main/"
	byFunction := map[string][]string{}
	summaries := map[string]string{} // the first paragraph of each example's README, by FUNCTION/CASE
	index := readFile(t, filepath.Join(repoRoot(t), "examples"), "README.md")
	for _, e := range functionExamples(t) {
		if !slices.Contains(functions, e.function) {
			t.Errorf("%s: %s is not one of meshfn's functions %v", e, e.function, functions)
			continue
		}
		byFunction[e.function] = append(byFunction[e.function], e.name)
		readme := readFile(t, e.dir, "README.md")
		summaries[e.function+"/"+e.name] = readmeSummary(readme)
		if summaries[e.function+"/"+e.name] == "" {
			t.Errorf("%s/README.md: no first paragraph after its title saying what the example shows", e)
		}
		if e.config.TestType != "eval" {
			t.Errorf("%s/.expected/config.yaml: testType %q, want eval: an example has no Kptfile to render", e, e.config.TestType)
		}
		if want := kptexec.ImagePrefix + e.function + ":" + version(t); e.config.Image != want {
			t.Errorf("%s/.expected/config.yaml: image %q, want %s", e, e.config.Image, want)
		}
		if f := e.fnConfig(); f != "" {
			checkExampleFnConfig(t, e, f)
		}
		for k, v := range e.config.Args {
			if k == "" || strings.ContainsAny(k+v, " \t\n'\"\\$`*?;&|<>()[]{}#~") {
				t.Errorf("%s/.expected/config.yaml: the argument %s=%s would need quoting in the README's command", e, k, v)
			}
		}
		if !strings.Contains(readme, "\n"+e.command()+"\n") {
			t.Errorf("%s/README.md does not give, on a line of its own, the command .expected/config.yaml runs:\n\t%s", e, e.command())
		}
		if ignore, err := os.ReadFile(filepath.Join(e.dir, ".krmignore")); err != nil || !slices.Contains(strings.Fields(string(ignore)), ".expected") {
			t.Errorf("%s: no .krmignore naming .expected: kpt would read the expected results as resources of the example", e)
		}
		if !strings.Contains(index, "[`"+e.name+"`]("+e.function+"/"+e.name+")") {
			t.Errorf("examples/README.md does not list %s", e)
		}
		if _, err := os.Stat(filepath.Join(e.dir, ".expected", "results.yaml")); err != nil {
			t.Errorf("%s: no expected results (UPDATE_GOLDEN=1 go test -run TestFunctionExamples ./tests/e2e writes them): %v", e, err)
		}
	}
	exampleRow := regexp.MustCompile("(?m)^\\| \\[`[a-z0-9-]+`\\]\\(\\.\\./\\.\\./examples/([a-z0-9-]+)/([a-z0-9-]+)/?\\) \\| (.+) \\|$")
	link := regexp.MustCompile(`\]\(\.\./\.\./examples/([a-z0-9-]+)/([a-z0-9-]+)/?\)`)
	for _, f := range functions {
		names := byFunction[f]
		if len(names) == 0 {
			t.Errorf("%s has no example in examples/%s/", f, f)
			continue
		}
		meta := readFile(t, filepath.Join(repoRoot(t), "functions", f), "metadata.yaml")
		var listed []string
		for _, m := range regexp.MustCompile(`(?m)^  - `+regexp.QuoteMeta(tree)+`examples/`+regexp.QuoteMeta(f)+`/(\S+)$`).FindAllStringSubmatch(meta, -1) {
			listed = append(listed, m[1])
		}
		if !slices.Equal(slices.Sorted(slices.Values(listed)), names) {
			t.Errorf("functions/%s/metadata.yaml: examplePackageURLs list the examples %v, want %v", f, listed, names)
		}
		readme := readFile(t, filepath.Join(repoRoot(t), "functions", f), "README.md")
		_, examples, ok := strings.Cut(readme, "\n## Examples\n")
		if !ok {
			t.Errorf("functions/%s/README.md has no Examples section", f)
			continue
		}
		examples, _, _ = strings.Cut(examples, "\n## ")
		for _, m := range exampleRow.FindAllStringSubmatch(examples, -1) {
			if m[1] != f {
				continue
			}
			summary, ok := summaries[f+"/"+m[2]]
			if got := plainMarkdown(m[3]); ok && got != summary {
				t.Errorf("functions/%s/README.md: its Examples table says of %s\n\t%s\nthe first paragraph of its README\n\t%s", f, m[2], got, summary)
			}
		}
		listed = nil
		for _, m := range link.FindAllStringSubmatch(examples, -1) {
			if m[1] != f {
				continue
			}
			if !slices.Contains(listed, m[2]) {
				listed = append(listed, m[2])
			}
		}
		if !slices.Equal(slices.Sorted(slices.Values(listed)), names) {
			t.Errorf("functions/%s/README.md: its Examples section links the examples %v, want %v", f, listed, names)
		}
	}
}

// checkExampleFnConfig checks the config file f of example e: a file of the example beside
// its resources (the README's command runs in the example's folder), a single resource
// annotated config.kubernetes.io/local-config: "true", since kpt fn eval reads it as a
// resource of the folder as well.
func checkExampleFnConfig(t *testing.T, e functionExample, f string) {
	t.Helper()
	if strings.HasPrefix(f, "../") || strings.HasPrefix(f, ".expected/") || strings.Contains(f, "/") {
		t.Errorf("%s/.expected/config.yaml: fnConfig %s is not a file at the top of the example", e, e.config.FnConfig)
		return
	}
	b, err := os.ReadFile(filepath.Join(e.dir, f))
	if err != nil {
		t.Errorf("%s/.expected/config.yaml: fnConfig: %v", e, err)
		return
	}
	var config struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(b, &config); err != nil {
		t.Errorf("%s/%s: %v", e, f, err)
	} else if config.Metadata.Annotations["config.kubernetes.io/local-config"] != "true" {
		t.Errorf("%s/%s, the function's config, is not annotated config.kubernetes.io/local-config: \"true\": kpt fn eval reads it as a resource of the example, and kpt live apply would apply it", e, f)
	}
}

// TestFunctionExamples runs every example as a user runs it with its README's command, and
// as kpt's test runner runs the catalog's eval examples: `kpt fn eval` in a Git repository
// holding a copy of the example, here in exec mode (--exec with the function's binary in
// place of --image, the rest of the command as .expected/config.yaml gives it). It then
// compares what the function did with the example's .expected folder:
//
//   - config.yaml: kpt's exit code; an example the function fails (exitCode 1) changes no
//     file and has no diff.patch;
//   - diff.patch: `git diff` of everything the function changed, added and removed (the
//     example's output is its committed files with the patch applied); running the
//     command again changes nothing. A validator (so tagged in its metadata.yaml) must
//     change nothing, and its examples have none;
//   - results.yaml: kpt's results (--results-dir), the function named by its image, as
//     the command with the image writes them.
//
// UPDATE_GOLDEN=1 rewrites diff.patch and results.yaml.
func TestFunctionExamples(t *testing.T) {
	kptPath(t)
	examples := functionExamples(t)
	if len(examples) == 0 {
		t.Fatal("found no examples in examples/*/*/")
	}
	for _, e := range examples {
		t.Run(e.function+"/"+e.name, func(t *testing.T) {
			// The copy holds .expected too: the example's .krmignore must keep kpt from
			// reading it as resources (it would, as any other YAML of the folder).
			dir := filepath.Join(t.TempDir(), e.name)
			copyTree(t, e.dir, dir)
			exampleGit(t, dir, "init", "-q")
			exampleGit(t, dir, "add", "-A")
			exampleGit(t, dir, "commit", "-q", "-m", "the example as committed")

			results := t.TempDir()
			out, code := evalExample(t, e, dir, results)
			if code != e.config.ExitCode {
				t.Fatalf("%s: kpt fn eval exited %d, want %d (.expected/config.yaml):\n%s", e, code, e.config.ExitCode, out)
			}
			exampleGit(t, dir, "add", "-A")
			patch := exampleGit(t, dir, "diff", "--cached", "--no-color", "--no-ext-diff", "--find-renames")
			krmtest.CompareGolden(t, filepath.Join(e.dir, ".expected", "results.yaml"), exampleResults(t, filepath.Join(results, "results.yaml")))
			// A function that fails, or a validator, changes nothing: such an example has
			// no diff.patch.
			if e.config.ExitCode != 0 || isValidator(t, e.function) {
				if patch != "" {
					t.Errorf("%s: the function (failing, or a validator) changed files:\n%s", e, patch)
				}
				if _, err := os.Stat(filepath.Join(e.dir, ".expected", "diff.patch")); err == nil {
					t.Errorf("%s: .expected/diff.patch, but the function changes nothing", e)
				}
				return
			}
			if patch == "" {
				t.Errorf("%s: the function changed nothing: the example shows nothing", e)
			}
			krmtest.CompareGolden(t, filepath.Join(e.dir, ".expected", "diff.patch"), []byte(patch))

			output := snapshot(t, dir)
			if out, code := evalExample(t, e, dir, t.TempDir()); code != 0 {
				t.Fatalf("%s: running the command again, on its output, exited %d:\n%s", e, code, out)
			}
			if d := diffTrees(output, snapshot(t, dir)); d != "" {
				t.Errorf("%s: running the command again changed its output:\n%s", e, d)
			}
		})
	}
}

// exampleGit runs git in dir without the user's Git configuration and returns its
// standard output.
func exampleGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), gitEnv()...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return string(out)
}

// evalExample runs example e's `kpt fn eval` command in dir, a copy of it, in exec mode,
// with kpt's results written to resultsDir, and returns kpt's output and exit code.
func evalExample(t *testing.T, e functionExample, dir, resultsDir string) (string, int) {
	t.Helper()
	bin := filepath.Join(functionBin(t), e.function)
	if strings.ContainsAny(bin, " \t\n") {
		t.Fatalf("kpt fn eval --exec splits its value at white space, and the function binary's path has some: %q", bin)
	}
	args := append([]string{"fn", "eval", "--exec", bin, "--results-dir", resultsDir, "--truncate-output=false"}, e.evalArgs()...)
	cmd := exec.Command(kptPath(t), args...)
	cmd.Dir, cmd.Env = dir, toolEnv(t)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("running kpt fn eval on %s: %v\n%s", e, err, out)
	return "", 0
}

// execEntry is how kpt's results name a function run in exec mode: by its path.
var execEntry = regexp.MustCompile(`(?m)^(\s*(?:- )?)exec: (\S+)$`)

// exampleResults reads kpt's results file and names each of meshfn's functions by its
// image, as the results of the command with the image do (the test ran the binary in its
// place).
func exampleResults(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("kpt wrote no results: %v", err)
	}
	return []byte(execEntry.ReplaceAllStringFunc(string(b), func(s string) string {
		m := execEntry.FindStringSubmatch(s)
		name := filepath.Base(m[2])
		if !slices.Contains(functions, name) {
			return s
		}
		return m[1] + "image: " + kptexec.ImagePrefix + name + ":" + version(t)
	}))
}

// readmeSummary is the first paragraph of a README after its title, as plain text: its
// lines joined, without Markdown's code and emphasis marks.
func readmeSummary(readme string) string {
	_, body, _ := strings.Cut(readme, "\n\n")
	para, _, _ := strings.Cut(strings.TrimLeft(body, "\n"), "\n\n")
	return plainMarkdown(para)
}

// markdownLink is a Markdown link, [text](target).
var markdownLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// plainMarkdown is Markdown text as plain text: links replaced by their text, code and
// emphasis marks removed, white space collapsed.
func plainMarkdown(s string) string {
	s = markdownLink.ReplaceAllString(s, "$1")
	s = strings.NewReplacer("`", "", "**", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// exampleOutput is an example as its .expected/diff.patch says the function leaves it: the
// committed files (.expected and .krmignore aside) with the patch applied.
func exampleOutput(t *testing.T, name string) map[string]string {
	t.Helper()
	src := filepath.Join(repoRoot(t), "examples", filepath.FromSlash(name))
	dir := filepath.Join(t.TempDir(), "example")
	copyTree(t, src, dir)
	exampleGit(t, dir, "apply", filepath.Join(src, ".expected", "diff.patch"))
	files := snapshot(t, dir)
	for rel := range files {
		if strings.HasPrefix(rel, ".expected/") || rel == ".krmignore" {
			delete(files, rel)
		}
	}
	return files
}

// TestExamplesBuiltOnOthers: an example that starts from another example's output holds
// that output as the other example's .expected says it is now, so the two cannot drift
// apart; uninject gives back what simple started from.
func TestExamplesBuiltOnOthers(t *testing.T) {
	cases := []struct {
		example, from string
		prefix        string // the files of the example that are from's output
		restores      bool   // the example's function gives back from's committed files
	}{
		{example: "inject-sidecar/uninject", from: "inject-sidecar/simple", prefix: "shop.yaml", restores: true},
		{example: "generate-revision/prune", from: "generate-revision/simple", prefix: "generated/"},
	}
	for _, c := range cases {
		t.Run(c.example, func(t *testing.T) {
			only := func(files map[string]string) map[string]string {
				out := map[string]string{}
				for rel, data := range files {
					if strings.HasPrefix(rel, c.prefix) {
						out[rel] = data
					}
				}
				return out
			}
			committed := only(snapshot(t, filepath.Join(repoRoot(t), "examples", filepath.FromSlash(c.example))))
			if len(committed) == 0 {
				t.Fatalf("examples/%s has no files %s*", c.example, c.prefix)
			}
			if d := diffTrees(only(exampleOutput(t, c.from)), committed); d != "" {
				t.Errorf("examples/%s is not the output of examples/%s (copy them from it):\n%s", c.example, c.from, d)
			}
			if c.restores {
				want := only(snapshot(t, filepath.Join(repoRoot(t), "examples", filepath.FromSlash(c.from))))
				if d := diffTrees(want, only(exampleOutput(t, c.example))); d != "" {
					t.Errorf("running examples/%s does not give back examples/%s as committed:\n%s", c.example, c.from, d)
				}
			}
		})
	}
}

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
