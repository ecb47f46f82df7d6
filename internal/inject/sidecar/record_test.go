package sidecar

import (
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/yamlpatch"
)

func TestRecord(t *testing.T) {
	const patch = `{"metadata":{"labels":null},"spec":{"volumes":null}}`
	key := "grpc"
	kept := yamlpatch.Kept{{At: []any{"spec"}, Key: &key, YAML: "- grpc:\n    port: 7070\n- ~\n"}}
	for _, tt := range []struct {
		name string
		r    record
		text string
	}{
		{name: "patch alone", r: record{patch: patch}, text: patch},
		{name: "with kept pieces", r: record{patch: patch, kept: kept},
			text: `{"$yaml":[{"at":["spec"],"key":"grpc","yaml":"- grpc:\n    port: 7070\n- ~\n"}],"metadata":{"labels":null},"spec":{"volumes":null}}`},
		{name: "empty patch", r: record{patch: "{}", kept: kept},
			text: `{"$yaml":[{"at":["spec"],"key":"grpc","yaml":"- grpc:\n    port: 7070\n- ~\n"}]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.String(); got != tt.text {
				t.Fatalf("String() = %s, want %s", got, tt.text)
			}
			back, err := parseRecord(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if back.patch != tt.r.patch || len(back.kept) != len(tt.r.kept) {
				t.Errorf("parseRecord gave %+v, want %+v", back, tt.r)
			}
		})
	}
}

// TestRecordRefusesBadPieces: a revert record comes from the package: kept pieces that are
// not what injection writes (anchors, which would be written out where they were; YAML
// that is not a piece) are an error when the record is read, before anything is written.
func TestRecordRefusesBadPieces(t *testing.T) {
	for text, want := range map[string]string{
		`{"$yaml":[{"at":[],"key":"a","yaml":"- a: &x [1]\n- ~\n"}],"spec":{}}`:    "anchors and aliases are not allowed",
		`{"$yaml":[{"at":[],"yaml":"- *x\n- ~\n"}],"spec":{}}`:                     "the kept piece at []",
		`{"$yaml":[{"at":[],"key":"a","yaml":"- [1]\n- ~\n"}],"spec":{}}`:          `the kept key "a" at [] is not one key`,
		`{"$yaml":[{"at":[],"yaml":"just text"}],"spec":{}}`:                       "not a list of the piece and ~",
		`{"$yaml":[{"at":[],"tree":{"kind":4,"content":[{"kind":8}]}}],"spec":{}}`: "not a YAML node without anchors",
		`{"$yaml":"x","spec":{}}`: "$yaml",
		`not json`:                "not a JSON object",
	} {
		if _, err := parseRecord(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseRecord(%s) = %v, want an error containing %q", text, err, want)
		}
	}
}
