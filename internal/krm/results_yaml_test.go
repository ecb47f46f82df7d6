package krm

import (
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// tricky are texts whose YAML form depends on the encoder's rules: YAML 1.1 words and
// numbers, indicators, blanks at the ends, line breaks, long lines, non-ASCII.
var tricky = []string{
	"", "injected by revision default", "yes", "No", "on", "OFF", "y", "true", "null", "~", "1:20", "-3:25:45.5",
	"123", "0x1F", "1e3", ".5", "+1", "- item", "-x", "? q", ": c", "a: b", "a #b", "#c", "trailing ", " leading",
	"'single'", "\"double\" and: colon", "line\nbreak", "ends\n", "\n", "two\n\n", "tab\there", "a\tb\n c ",
	strings.Repeat("long words ", 20), strings.Repeat("x", 120), "é ü 中文", "emoji 😀", "ctrl \x01", "nbsp\u00a0",
	"&anchor", "*alias", "!tag", "%dir", "@at", "`tick", "{a}", "[b]", "a,b", "|", ">", "=", "<<", "<<x",
	"line with trailing space \nnext", "  \n  indented", "\u2028sep", "bom\ufeff",
}

func TestAppendResultsWritesAsSDK(t *testing.T) {
	var results fn.Results
	for i, s := range tricky {
		results = append(results,
			&fn.Result{Message: s, Severity: fn.Warning},
			&fn.Result{Message: "about " + s, Severity: fn.Info,
				ResourceRef: &fn.ResourceRef{APIVersion: "apps/v1", Kind: "Deployment", Name: s, Namespace: tricky[(i+1)%len(tricky)]},
				File:        &fn.File{Path: s + "/x.yaml", Index: i}},
			&fn.Result{Severity: fn.Error, ResourceRef: &fn.ResourceRef{}, File: &fn.File{},
				Tags: map[string]string{s: "v", "k" + s: s, "apiVersion": "a", "name": s}},
		)
	}
	results = append(results, &fn.Result{}, &fn.Result{File: &fn.File{Index: -999999}}, &fn.Result{File: &fn.File{Index: 999999}})
	var written fn.Results
	for _, r := range results {
		compareResults(t, fn.Results{r})
		if _, ok := appendResults(nil, fn.Results{r}); ok {
			written = append(written, r)
		}
	}
	if len(written) < len(results)*3/4 {
		t.Fatalf("appendResults wrote %d of %d results", len(written), len(results))
	}
	if _, ok := appendResults(nil, written); !ok {
		t.Fatal("appendResults declined results it writes one by one")
	}
	compareResults(t, written)
}

// TestAppendResultsDeclines: what the SDK writes otherwise is left to the SDK.
func TestAppendResultsDeclines(t *testing.T) {
	for _, r := range []*fn.Result{
		{Message: "m", Field: &fn.Field{Path: "spec"}},
		{Message: "bad \xff utf-8"},
		{Message: "<<"},
		{Message: "m", Tags: map[string]string{"\xfe": "v"}},
		{File: &fn.File{Index: 1000000}},
	} {
		if _, ok := appendResults(nil, fn.Results{r}); ok {
			t.Errorf("appendResults wrote %+v", r)
		}
		encoded, err := encodeTail(nil, fn.Results{r})
		if err != nil {
			t.Fatal(err)
		}
		if want := sdkTail(t, fn.Results{r}); string(encoded) != want {
			t.Errorf("encodeTail differs from the SDK on %+v:\n%s\nSDK:\n%s", r, encoded, want)
		}
	}
}

func FuzzAppendResults(f *testing.F) {
	for _, s := range tricky {
		f.Add(s, s+"k", 3)
	}
	f.Fuzz(func(t *testing.T, text, key string, index int) {
		compareResults(t, fn.Results{
			{Message: text, Severity: fn.Info, ResourceRef: &fn.ResourceRef{Kind: key, Name: text}, File: &fn.File{Path: text, Index: index}},
			{Message: key, Tags: map[string]string{key: text, text: key}},
		})
	})
}

// compareResults checks appendResults against the SDK's ToYAML, when it writes them.
func compareResults(t testing.TB, results fn.Results) {
	t.Helper()
	got, ok := appendResults([]byte(resourceListHead), results)
	if !ok {
		return
	}
	if want := sdkTail(t, results); string(got) != want {
		t.Fatalf("appendResults differs from the SDK:\n%s\nSDK:\n%s", got, want)
	}
}

func sdkTail(t testing.TB, results fn.Results) string {
	t.Helper()
	out, err := (&fn.ResourceList{Results: results, FunctionConfig: fn.NewEmptyKubeObject()}).ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
