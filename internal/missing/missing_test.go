package missing

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// helperEnv names the helper run: TestHelper calls Tool or Corpus when it is set.
const helperEnv = "MESHFN_MISSING_HELPER"

// TestHelper is not a test of its own: TestSkipOrFail runs it in a child process.
func TestHelper(t *testing.T) {
	switch os.Getenv(helperEnv) {
	case "tool":
		Tool(t, "frobnicator %s not found", "v1")
	case "corpus":
		Corpus(t, "corpus not at %s", "/nowhere")
	default:
		return
	}
	t.Error("went on after the call")
}

// TestSkipOrFail: each call skips, saying why, unless its own variable is set, which
// makes it fail instead; the other kind's variable changes nothing.
func TestSkipOrFail(t *testing.T) {
	for _, tt := range []struct {
		name, call string
		env        []string
		wantFail   bool
		wantMsg    string
	}{
		{"tool skips", "tool", nil, false, "frobnicator v1 not found"},
		{"tool fails under MESHFN_REQUIRE_TOOLS", "tool", []string{ToolsEnvVar + "=1"}, true, "frobnicator v1 not found (MESHFN_REQUIRE_TOOLS is set"},
		{"tool skips under MESHFN_REQUIRE_CORPORA", "tool", []string{CorporaEnvVar + "=1"}, false, "frobnicator v1 not found"},
		{"corpus skips", "corpus", nil, false, "corpus not at /nowhere"},
		{"corpus fails under MESHFN_REQUIRE_CORPORA", "corpus", []string{CorporaEnvVar + "=1"}, true, "corpus not at /nowhere (MESHFN_REQUIRE_CORPORA is set"},
		{"corpus skips under MESHFN_REQUIRE_TOOLS", "corpus", []string{ToolsEnvVar + "=1"}, false, "corpus not at /nowhere"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelper$", "-test.v", "-test.count=1")
			var env []string
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, ToolsEnvVar+"=") && !strings.HasPrefix(kv, CorporaEnvVar+"=") {
					env = append(env, kv)
				}
			}
			cmd.Env = append(append(env, helperEnv+"="+tt.call), tt.env...)
			out, err := cmd.CombinedOutput()
			failed := err != nil
			if failed != tt.wantFail || !strings.Contains(string(out), tt.wantMsg) {
				t.Errorf("failed: %v, want %v; output should say %q:\n%s", failed, tt.wantFail, tt.wantMsg, out)
			}
			verdict := "--- SKIP: TestHelper"
			if tt.wantFail {
				verdict = "--- FAIL: TestHelper"
			}
			if !strings.Contains(string(out), verdict) {
				t.Errorf("output lacks %q:\n%s", verdict, out)
			}
		})
	}
}
