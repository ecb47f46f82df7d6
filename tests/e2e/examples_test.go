package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/kptexec"
	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/yaml"
)

// functionExample is an example package of one function, examples/FUNCTION/CASE, laid out
// as the kpt functions catalog lays out its examples: a kpt package whose Kptfile runs the
// function, and a .expected folder with what rendering it does, which the package's
// .krmignore keeps kpt from reading as resources.
type functionExample struct {
	function, name string
	dir            string // absolute
}

func (e functionExample) String() string { return "examples/" + e.function + "/" + e.name }

// expectedConfig is an example's .expected/config.yaml, as the catalog writes it: how the
// render ends. Without the file the render succeeds.
type expectedConfig struct {
	// ExitCode is kpt's exit code: 0, or 1 for an example whose render fails (then it
	// changes no file, and .expected holds only the results).
	ExitCode int `json:"exitCode"`
}

// functionExamples lists examples/*/*/Kptfile: every example package of a function.
func functionExamples(t *testing.T) []functionExample {
	t.Helper()
	kptfiles, err := filepath.Glob(filepath.Join(repoRoot(t), "examples", "*", "*", "Kptfile"))
	if err != nil {
		t.Fatal(err)
	}
	var out []functionExample
	for _, kf := range kptfiles {
		dir := filepath.Dir(kf)
		out = append(out, functionExample{function: filepath.Base(filepath.Dir(dir)), name: filepath.Base(dir), dir: dir})
	}
	return out
}

// TestFunctionExamplesCoverEveryFunction: every function has example packages, each runs
// it, each has its expected output, and the function's metadata.yaml and README list
// exactly its examples, as examples/README.md does, so that none can be added or removed
// without the others; an example's README starts with what its Kptfile says it shows, and
// the function README's table of examples says the same of each.
func TestFunctionExamplesCoverEveryFunction(t *testing.T) {
	const tree = "https://github.com/meshfn/meshfn/tree/main/"
	byFunction := map[string][]string{}
	index := readFile(t, filepath.Join(repoRoot(t), "examples"), "README.md")
	for _, e := range functionExamples(t) {
		if !slices.Contains(functions, e.function) {
			t.Errorf("%s: %s is not one of meshfn's functions %v", e, e.function, functions)
			continue
		}
		byFunction[e.function] = append(byFunction[e.function], e.name)
		kptfile := readFile(t, e.dir, "Kptfile")
		if !strings.Contains(kptfile, "- image: "+kptexec.ImagePrefix+e.function+":"+version(t)+"\n") {
			t.Errorf("%s/Kptfile: its pipeline does not run %s%s:%s", e, kptexec.ImagePrefix, e.function, version(t))
		}
		if !strings.Contains(kptfile, "\ninfo:\n  description: ") {
			t.Errorf("%s/Kptfile: no info.description saying what the example shows", e)
		}
		if ignore, err := os.ReadFile(filepath.Join(e.dir, ".krmignore")); err != nil || !slices.Contains(strings.Fields(string(ignore)), ".expected") {
			t.Errorf("%s: no .krmignore naming .expected: kpt would read the expected results as resources of the package", e)
		}
		if desc, para := kptfileDescription(t, kptfile), readmeSummary(readFile(t, e.dir, "README.md")); desc != para {
			t.Errorf("%s: the first paragraph of its README.md\n\t%s\nis not its Kptfile's info.description\n\t%s", e, para, desc)
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
			t.Errorf("%s has no example package in examples/%s/", f, f)
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
			desc := kptfileDescription(t, readFile(t, filepath.Join(repoRoot(t), "examples", f, m[2]), "Kptfile"))
			if got := plainMarkdown(m[3]); got != desc {
				t.Errorf("functions/%s/README.md: its Examples table says of %s\n\t%s\nits Kptfile's info.description\n\t%s", f, m[2], got, desc)
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

// TestFunctionExamples renders every example package as a user would (`kpt fn render`,
// here in exec mode: the function images replaced by the binaries, as render-exec does)
// in a Git repository holding a copy of it, and compares what the render did with the
// example's .expected folder, as the catalog's tests do:
//
//   - diff.patch: `git diff` of everything the render changed, added and removed, for a
//     render that succeeds (it is the whole rendered package: the committed package with
//     the patch applied); the render changes nothing when run again. A pipeline of
//     validators only must change nothing, and has none;
//   - results.yaml: kpt's results (--results-dir), each function named by its image, as
//     a render with the images writes them;
//   - config.yaml: exitCode 1 for an example whose render fails; it then changes no file.
//
// UPDATE_GOLDEN=1 rewrites diff.patch and results.yaml.
func TestFunctionExamples(t *testing.T) {
	kptPath(t)
	examples := functionExamples(t)
	if len(examples) == 0 {
		t.Fatal("found no example packages in examples/*/*/")
	}
	for _, e := range examples {
		t.Run(e.function+"/"+e.name, func(t *testing.T) {
			var want expectedConfig
			if b, err := os.ReadFile(filepath.Join(e.dir, ".expected", "config.yaml")); err == nil {
				if err := yaml.UnmarshalStrict(b, &want); err != nil {
					t.Fatalf("%s/.expected/config.yaml: %v", e, err)
				}
			}
			// The copy holds .expected too: the example's .krmignore must keep kpt from
			// reading it as resources (it would, as any other YAML of the package).
			dir := filepath.Join(t.TempDir(), e.name)
			copyTree(t, e.dir, dir)
			exampleGit(t, dir, "init", "-q")
			exampleGit(t, dir, "add", "-A")
			exampleGit(t, dir, "commit", "-q", "-m", "the example as committed")

			if krmtest.Update() {
				if err := os.MkdirAll(filepath.Join(e.dir, ".expected"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			results := t.TempDir()
			out, ok := renderExample(t, dir, results)
			if ok != (want.ExitCode == 0) {
				t.Fatalf("%s: the render ended with ok=%v, want exit code %d (.expected/config.yaml):\n%s", e, ok, want.ExitCode, out)
			}
			exampleGit(t, dir, "add", "-A")
			patch := exampleGit(t, dir, "diff", "--cached", "--no-color", "--no-ext-diff", "--find-renames")
			krmtest.CompareGolden(t, filepath.Join(e.dir, ".expected", "results.yaml"), exampleResults(t, filepath.Join(results, "results.yaml")))
			// A failing render, or a pipeline of validators only, changes nothing: such an
			// example has no diff.patch.
			if want.ExitCode != 0 || !strings.Contains(readFile(t, e.dir, "Kptfile"), "\n  mutators:\n") {
				if patch != "" {
					t.Errorf("%s: the render (failing, or running only validators) changed files:\n%s", e, patch)
				}
				if _, err := os.Stat(filepath.Join(e.dir, ".expected", "diff.patch")); err == nil {
					t.Errorf("%s: .expected/diff.patch, but the render changes nothing", e)
				}
				return
			}
			if patch == "" {
				t.Errorf("%s: the render changed nothing: the example shows nothing", e)
			}
			krmtest.CompareGolden(t, filepath.Join(e.dir, ".expected", "diff.patch"), []byte(patch))

			rendered := snapshot(t, dir)
			if out, ok := renderExample(t, dir, t.TempDir()); !ok {
				t.Fatalf("%s: rendering the rendered package failed:\n%s", e, out)
			}
			if d := diffTrees(rendered, snapshot(t, dir)); d != "" {
				t.Errorf("%s: a second render changed the rendered package:\n%s", e, d)
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
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return string(out)
}

// renderExample renders dir in exec mode with kpt's results written to resultsDir, and
// returns kpt's output and whether it succeeded.
func renderExample(t *testing.T, dir, resultsDir string) (string, bool) {
	t.Helper()
	var out strings.Builder
	err := kptexec.Render(context.Background(), dir, kptexec.Options{
		Args: []string{"--truncate-output=false", "--results-dir", resultsDir}, Env: toolEnv(t), Stdout: &out, Stderr: &out,
	})
	if err != nil {
		fmt.Fprintln(&out, err)
	}
	return out.String(), err == nil
}

// execEntry is how kpt's results name a function that ran in exec mode.
var execEntry = regexp.MustCompile(`(?m)^(\s*(?:- )?)exec: ([a-z0-9-]+)$`)

// exampleResults reads kpt's results file and names each of meshfn's functions by its
// image, as the results of a render with the images do (render-exec ran the binaries
// in their place).
func exampleResults(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("kpt wrote no results: %v", err)
	}
	return []byte(execEntry.ReplaceAllStringFunc(string(b), func(s string) string {
		m := execEntry.FindStringSubmatch(s)
		if !slices.Contains(functions, m[2]) {
			return s
		}
		return m[1] + "image: " + kptexec.ImagePrefix + m[2] + ":" + version(t)
	}))
}

// kptfileDescription is a Kptfile's info.description.
func kptfileDescription(t *testing.T, kptfile string) string {
	t.Helper()
	var k struct {
		Info struct {
			Description string `json:"description"`
		} `json:"info"`
	}
	if err := yaml.Unmarshal([]byte(kptfile), &k); err != nil {
		t.Fatalf("reading a Kptfile: %v", err)
	}
	return k.Info.Description
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

// renderedExample is an example package as its .expected/diff.patch says the render
// leaves it: the committed files (.expected and .krmignore aside) with the patch applied.
func renderedExample(t *testing.T, name string) map[string]string {
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
// apart; uninject gives back exactly what simple started from.
func TestExamplesBuiltOnOthers(t *testing.T) {
	cases := []struct {
		example, from string
		prefix        string // the files of the example that are from's output
		restores      bool   // the example's render gives back from's committed files
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
			if d := diffTrees(only(renderedExample(t, c.from)), committed); d != "" {
				t.Errorf("examples/%s is not examples/%s rendered (copy them from its render):\n%s", c.example, c.from, d)
			}
			if c.restores {
				want := only(snapshot(t, filepath.Join(repoRoot(t), "examples", filepath.FromSlash(c.from))))
				if d := diffTrees(want, only(renderedExample(t, c.example))); d != "" {
					t.Errorf("rendering examples/%s does not give back examples/%s as committed:\n%s", c.example, c.from, d)
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
