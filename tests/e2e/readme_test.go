package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The READMEs whose shell blocks are checked: every ```shell block carries a marker, an
// HTML comment on the line before it, that says how it is tested:
//
//	<!-- run by TestX: note -->           TestX runs the block as written (the note: what it substitutes)
//	<!-- tested by TestX, TestY: note --> the named tests do what the block does
//	<!-- not tested: why -->              nothing runs it, and why (the network, a cluster)
var readmes = []string{"README.md", "blueprints/fleet/README.md", "examples/README.md", "examples/kustomize/README.md"}

var (
	blockMarker = regexp.MustCompile(`^<!-- (run by (Test\w+)(?:: .+)?|tested by (Test\w+(?:, Test\w+)*)(?:: .+)?|not tested: .+) -->$`)
	testFunc    = regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)
)

// readmeRunners are the tests that run README blocks: the blocks each runs.
var readmeRunners = map[string]bool{"TestReadmeCanaryUpgrade": true, "TestBringKustomizeAppIntoFleet": true}

// readmeBlock is a fenced shell block of a README and the marker before it.
type readmeBlock struct {
	file   string
	line   int    // of the opening fence
	marker string // the comment's text, "" without one
	code   string // the block, its indentation removed
}

func (b readmeBlock) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

// readmeBlocks reads the ```shell blocks of a README (relative to the repository).
func readmeBlocks(t *testing.T, file string) []readmeBlock {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(t), file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []readmeBlock
	var cur *readmeBlock
	var indent, previous string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur != nil && trimmed == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.code += strings.TrimPrefix(line, indent) + "\n"
		case trimmed == "```shell":
			indent = line[:len(line)-len(strings.TrimLeft(line, " "))]
			cur = &readmeBlock{file: file, line: n}
			if blockMarker.MatchString(previous) {
				cur.marker = previous
			}
		}
		if trimmed != "" {
			previous = trimmed
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

// TestReadmeCommandsAreTested: every shell block of the READMEs says how it is tested, and
// the tests it names exist (a block run by a test here is run by that test).
func TestReadmeCommandsAreTested(t *testing.T) {
	tests := moduleTests(t)
	count := 0
	for _, file := range readmes {
		for _, b := range readmeBlocks(t, file) {
			count++
			m := blockMarker.FindStringSubmatch(b.marker)
			switch {
			case m == nil:
				t.Errorf("%s: a shell block without a marker on the line before it saying how it is tested "+
					"(<!-- run by TestX -->, <!-- tested by TestX, TestY -->, or <!-- not tested: why -->):\n%s", b, b.code)
			case m[2] != "" && !readmeRunners[m[2]]:
				t.Errorf("%s: %s does not run README blocks (the runners are in tests/e2e/readme_test.go)", b, m[2])
			case m[3] != "":
				for _, name := range strings.Split(m[3], ", ") {
					if !tests[name] {
						t.Errorf("%s: names %s, which no test file of the repository defines", b, name)
					}
				}
			}
		}
	}
	if count == 0 {
		t.Fatal("found no shell blocks in the READMEs")
	}
}

// moduleTests are the names of every test function of the repository.
func moduleTests(t *testing.T) map[string]bool {
	t.Helper()
	root := repoRoot(t)
	names := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".cache" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range testFunc.FindAllStringSubmatch(string(b), -1) {
			names[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// runBlocks returns the blocks of a README marked as run by the test.
func runBlocks(t *testing.T, file string) []readmeBlock {
	t.Helper()
	var out []readmeBlock
	for _, b := range readmeBlocks(t, file) {
		if m := blockMarker.FindStringSubmatch(b.marker); m != nil && m[2] == t.Name() {
			out = append(out, b)
		}
	}
	return out
}

// TestReadmeCanaryUpgrade runs the README's canary upgrade as written, block by block, in a
// Git repository holding a copy of the root package: `make render` is the Makefile's render
// recipe with the functions built for this test run (its build step aside), every other
// command runs as written, under `set -euo pipefail`. It checks what the README says of each
// step: the new revision's commit holds only its package; moving the shop changes its proxy
// image from 1.29.6 to 1.30.3; after the rollback the tree is the starting point byte for
// byte.
func TestReadmeCanaryUpgrade(t *testing.T) {
	blocks := runBlocks(t, "README.md")
	if len(blocks) != 3 {
		t.Fatalf("the README has %d blocks run by this test, want the canary's 3 (add, move, roll back): update the test", len(blocks))
	}
	dir := rootPackage(t)
	git := func(args ...string) string {
		t.Helper()
		out, ok := runEnv(t, dir, gitEnv(), "git", args...)
		if !ok {
			t.Fatalf("git %s: %s", strings.Join(args, " "), out)
		}
		return out
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-qm", "start")
	start := strings.TrimSpace(git("rev-parse", "HEAD"))
	preamble := fmt.Sprintf("make() {\n  if [ \"$*\" != render ]; then echo \"make $*: only make render runs here\" >&2; return 1; fi\n  %s\n}\n", makeRenderRecipe(t))

	for i, b := range blocks {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", preamble+b.code)
		cmd.Dir, cmd.Env = dir, append(toolEnv(t), gitEnv()...)
		outb, err := cmd.CombinedOutput()
		out := string(outb)
		if err != nil {
			t.Fatalf("%s failed: %v\n%s\n%s", b, err, b.code, out)
		}
		switch i {
		case 0:
			for _, f := range strings.Fields(git("diff", "--name-only", "HEAD~1", "HEAD")) {
				if !strings.HasPrefix(f, "blueprints/control-plane-revision-asm-1-30/") {
					t.Errorf("%s: adding the revision changed %s", b, f)
				}
			}
			if ri := git("grep", "-l", "kind: RevisionInjector", "--", "blueprints/control-plane-revision-asm-1-30"); !strings.Contains(git("show", "HEAD:"+strings.Fields(ri)[0]), "tag: 1.30.3") {
				t.Errorf("%s: the new RevisionInjector does not inject tag 1.30.3", b)
			}
		case 1:
			for _, want := range []string{`(?m)^-\s+image: docker\.io/istio/proxyv2:1\.29\.6$`, `(?m)^\+\s+image: docker\.io/istio/proxyv2:1\.30\.3$`} {
				if !regexp.MustCompile(want).MatchString(out) {
					t.Errorf("%s: the diff of the shop's frontend lacks a line %s:\n%s", b, want, out)
				}
			}
		case 2:
			if d := git("diff", start, "HEAD"); d != "" {
				t.Errorf("%s: after the rollback the tree is not the starting point:\n%s", b, d)
			}
			if s := git("status", "--porcelain"); s != "" {
				t.Errorf("%s: the rollback left uncommitted changes:\n%s", b, s)
			}
		}
	}
}

// makeRenderRecipe is the Makefile's `render` recipe, with the functions of this test run.
func makeRenderRecipe(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^render: [^\n]*\n\t([^\n]+)\n`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the Makefile has no render target with a one-line recipe")
	}
	return strings.ReplaceAll(string(m[1]), "$(BIN)", functionBin(t))
}

// gitEnv makes commits without the user's Git configuration.
func gitEnv() []string {
	return []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=meshfn", "GIT_AUTHOR_EMAIL=meshfn@example.com",
		"GIT_COMMITTER_NAME=meshfn", "GIT_COMMITTER_EMAIL=meshfn@example.com"}
}
