package e2e

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMalformedInput feeds each function binary input that is not a ResourceList: it must
// exit non-zero, say on standard error that standard input must be a ResourceList and how
// to run the function, and write no items.
func TestMalformedInput(t *testing.T) {
	inputs := map[string]string{
		"empty":              "",
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
				for _, want := range []string{f + ": standard input is not a ResourceList", "kind: ResourceList", "kpt fn eval", f + " --help"} {
					if !strings.Contains(stderr.String(), want) {
						t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
					}
				}
				if strings.Contains(stdout.String(), "kind: ConfigMap") {
					t.Errorf("items were written on failure:\n%s", stdout.String())
				}
			})
		}
	}
}

// TestUnknownArguments: a function given an argument other than -h/--help (a mistyped
// setting, a flag it does not have) fails before reading its input, naming the argument
// and pointing at --help and at the function config.
func TestUnknownArguments(t *testing.T) {
	const input = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n"
	for _, f := range functions {
		for _, args := range [][]string{{"--revison", "asm-1-27"}, {"revision=asm-1-27"}, {"--help", "--revison"}} {
			t.Run(f+"/"+strings.Join(args, " "), func(t *testing.T) {
				cmd := exec.Command(filepath.Join(functionBin(t), f), args...)
				cmd.Stdin = strings.NewReader(input)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 2 {
					t.Fatalf("want exit code 2, got %v; stderr:\n%s", err, stderr.String())
				}
				bad := args[0]
				if bad == "--help" {
					bad = args[1]
				}
				for _, want := range []string{f + `: unknown argument "` + bad + `"`, "kpt fn eval --exec " + f, f + " --help"} {
					if !strings.Contains(stderr.String(), want) {
						t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
					}
				}
				if stdout.Len() > 0 {
					t.Errorf("wrote to standard output:\n%s", stdout.String())
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

// configFieldRow is a row of a function README's config table: | `name` | type | ... |.
var configFieldRow = regexp.MustCompile("^\\| `([A-Za-z]+)` \\|")

// TestHelpNamesEveryConfigField: every setting a function's README documents in its config
// table (the table whose header starts "| field |", any case) is named by its --help too,
// so the two cannot drift apart.
func TestHelpNamesEveryConfigField(t *testing.T) {
	for _, f := range functions {
		readme := readFile(t, filepath.Join(repoRoot(t), "functions", f), "README.md")
		help, ok := run(t, t.TempDir(), filepath.Join(functionBin(t), f), "--help")
		if !ok {
			t.Fatalf("%s --help failed:\n%s", f, help)
		}
		inTable := false
		for _, line := range strings.Split(readme, "\n") {
			switch {
			case strings.HasPrefix(strings.ToLower(line), "| field |"):
				inTable = true
			case !strings.HasPrefix(line, "|"):
				inTable = false
			case inTable:
				if m := configFieldRow.FindStringSubmatch(line); m != nil && !regexp.MustCompile(`\b`+m[1]+`\b`).MatchString(help) {
					t.Errorf("functions/%s/README.md documents the setting %s, which %s --help does not name", f, m[1], f)
				}
			}
		}
	}
}
