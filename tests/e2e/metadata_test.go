package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The markers around the summary of a function's README, as the kpt functions catalog
// marks it (its mdtogo tool makes the function's short help from it).
const (
	summaryStart = "<!--mdtogo:Short-->"
	summaryEnd   = "<!--mdtogo-->"
)

// TestMetadataDescriptionIsTheReadmeSummary: a function's metadata.yaml describes it with
// the summary its README starts with (the paragraph between the catalog's
// <!--mdtogo:Short--> and <!--mdtogo--> markers, first in its Overview), as plain text, so
// the catalog entry and the README cannot say different things.
func TestMetadataDescriptionIsTheReadmeSummary(t *testing.T) {
	for _, f := range functions {
		dir := filepath.Join(repoRoot(t), "functions", f)
		var meta struct {
			Description string `json:"description"`
		}
		if err := yaml.Unmarshal([]byte(readFile(t, dir, "metadata.yaml")), &meta); err != nil {
			t.Fatalf("functions/%s/metadata.yaml: %v", f, err)
		}
		readme := readFile(t, dir, "README.md")
		_, overview, ok := strings.Cut(readme, "\n## Overview\n\n"+summaryStart+"\n")
		summary, _, closed := strings.Cut(overview, "\n"+summaryEnd+"\n")
		if !ok || !closed {
			t.Errorf("functions/%s/README.md: its Overview does not start with a summary between %s and %s", f, summaryStart, summaryEnd)
			continue
		}
		if got := plainMarkdown(summary); got != meta.Description {
			t.Errorf("functions/%s: metadata.yaml's description\n\t%s\nis not the README's summary\n\t%s", f, meta.Description, got)
		}
	}
}
