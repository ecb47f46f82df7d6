package sidecar

import (
	"encoding/json"
	"fmt"

	"github.com/meshfn/meshfn/internal/yamlpatch"
)

// KeptKey is the member of a revert record (RevertAnnotation) that holds, beside the
// strategic merge patch, the parts of the workload's YAML that injection took out and the
// patch's values would not give back as written: a user's own container that moved to the
// init containers, a grpc probe replaced by the proxy's httpGet, a key written before
// others or quoted, comments. It is there only when there are such parts, so a record is
// otherwise the patch alone. The patch engine never sees it.
const KeptKey = "$yaml"

// record is a workload's revert record: the patch and what was kept.
type record struct {
	patch string // the strategic merge patch, as inject.RevertPatchOf writes it
	kept  yamlpatch.Kept
}

// parseRecord reads the text of RevertAnnotation.
func parseRecord(text string) (record, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &fields); err != nil {
		return record{}, fmt.Errorf("not a JSON object: %w", err)
	}
	raw, ok := fields[KeptKey]
	if !ok {
		return record{patch: text}, nil
	}
	var r record
	if err := json.Unmarshal(raw, &r.kept); err != nil {
		return record{}, fmt.Errorf("%s: %w", KeptKey, err)
	}
	if err := r.kept.Check(); err != nil {
		return record{}, fmt.Errorf("%s: %w", KeptKey, err)
	}
	delete(fields, KeptKey)
	patch, err := json.Marshal(fields)
	if err != nil {
		return record{}, err
	}
	r.patch = string(patch)
	return r, nil
}

// String is the text of RevertAnnotation: the patch, with what was kept as its first
// member when there is any.
func (r record) String() string {
	if len(r.kept) == 0 || r.patch == "" {
		return r.patch
	}
	kept, err := json.Marshal(r.kept)
	if err != nil || len(r.patch) < 2 || r.patch[0] != '{' {
		return r.patch
	}
	rest := r.patch[1:]
	if rest != "}" {
		rest = "," + rest
	}
	return `{"` + KeptKey + `":` + string(kept) + rest
}
