package validation

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
)

// TestCodesDocumented keeps the README's table of MFN codes and the code in step: every
// code with its level, no more, no less; and each code but MFN0001 (reading's) belongs to
// one family of checks.
func TestCodesDocumented(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| (MFN\d{4}) \| (\w+) \|`)
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		if _, dup := documented[m[1]]; dup {
			t.Errorf("README documents %s twice", m[1])
		}
		documented[m[1]] = m[2]
	}
	codes := check.Levels
	family := map[string]string{}
	for _, c := range checks {
		for _, code := range c.Codes {
			if _, ok := codes[code]; !ok {
				t.Errorf("%s reports %s, which check.Levels does not list", c.Name, code)
			}
			if other, dup := family[code]; dup || code == check.CodeUnreadable {
				t.Errorf("%s reports %s, which is %q's too (reading's: every family may report it, none declares it)", c.Name, code, other)
			}
			family[code] = c.Name
		}
	}
	for code := range codes {
		if _, ok := family[code]; !ok && code != check.CodeUnreadable {
			t.Errorf("no family reports %s", code)
		}
	}
	for _, code := range slices.Sorted(maps.Keys(codes)) {
		if documented[code] != codes[code] {
			t.Errorf("%s: README says level %q, the code %q", code, documented[code], codes[code])
		}
	}
	for code := range documented {
		if _, ok := codes[code]; !ok {
			t.Errorf("README documents %s, which the code does not have", code)
		}
	}
}
