package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdOnce is a function that passes its input through; the first run of it (in any
// render) waits, after saying so, until the test lets it go.
const holdOnce = `#!/bin/sh
input=$(cat)
if mkdir "$MESHFN_TEST_MARK/started" 2>/dev/null; then
  while [ ! -e "$MESHFN_TEST_MARK/go" ]; do sleep 0.05; done
fi
printf '%s\n' "$input"
`

// TestNestedRendersExcludeEachOther renders a package while a render of its subpackage
// is under way, and the other way round: both write the subpackage's files, so the
// second must fail at once, naming the render it met, and the first succeed. Renders of
// two subpackages side by side both succeed.
func TestNestedRendersExcludeEachOther(t *testing.T) {
	cases := []struct {
		name, first, second string
		conflict            bool
	}{
		{"package, then its subpackage", ".", "cp", true},
		{"subpackage, then its package", "cp", ".", true},
		{"a subpackage, then the one beside it", "cp", "cp2", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kptPath(t)
			dir := untrustedPackage(t)
			copyTree(t, filepath.Join(repoRoot(t), "blueprints", "control-plane-revision"), filepath.Join(dir, "cp2"))
			for _, sub := range []string{".", "cp"} {
				if err := os.WriteFile(filepath.Join(dir, sub, "hold.sh"), []byte(holdOnce), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			edit(t, filepath.Join(dir, "cp", "Kptfile"), "  mutators:\n", "  mutators:\n    - exec: ./hold.sh\n")
			mark := t.TempDir()
			render := func(sub string) (string, error) {
				return renderAllowingExec(t, filepath.Join(dir, sub), "MESHFN_TEST_MARK="+mark)
			}
			first := make(chan renderResult, 1)
			go func() {
				out, err := render(c.first)
				first <- renderResult{out, err}
			}()
			release := func() { os.WriteFile(filepath.Join(mark, "go"), nil, 0o644) }
			defer release()
			waitForFile(t, filepath.Join(mark, "started"), first)

			out, err := render(c.second)
			if c.conflict && (err == nil || !strings.Contains(err.Error(), "another render-exec is rendering")) {
				t.Errorf("rendering %s while %s renders: got %v, want a refusal:\n%s", c.second, c.first, err, out)
			}
			if !c.conflict && err != nil {
				t.Errorf("rendering %s while %s renders: %v\n%s", c.second, c.first, err, out)
			}
			release()
			if r := <-first; r.err != nil {
				t.Errorf("the first render, of %s, failed: %v\n%s", c.first, r.err, r.out)
			}
		})
	}
}

// renderResult is what a render said and how it ended.
type renderResult struct {
	out string
	err error
}

// waitForFile waits until path exists; a render that ends first, or a minute, fails the
// test.
func waitForFile(t *testing.T, path string, done <-chan renderResult) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case r := <-done:
			t.Fatalf("the first render ended before its function started: %v\n%s", r.err, r.out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first render did not start its function within a minute")
		}
	}
}
