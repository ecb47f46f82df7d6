package csrcrypt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// objectMembers decodes a JSON object into its raw members, refusing
// duplicate names (RFC 7515 §4 and RFC 8259 §4 leave duplicates to the
// parser; a parser differential on a security document is not worth having)
// and anything after the object.
func objectMembers(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("failed to read JSON: %w", err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return nil, fmt.Errorf("failed to read JSON: not an object")
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("failed to read JSON: %w", err)
		}
		name, _ := tok.(string) // an object key is always a string
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Errorf("failed to read JSON member %q: %w", name, err)
		}
		if _, dup := members[name]; dup {
			return nil, fmt.Errorf("JSON member %q appears more than once", name)
		}
		members[name] = value
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fmt.Errorf("failed to read JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("failed to read JSON: unexpected data after the object")
	}
	return members, nil
}

// stringMember returns the JSON string member name, and whether it is present.
func stringMember(members map[string]json.RawMessage, name string) (string, bool, error) {
	raw, ok := members[name]
	if !ok {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, fmt.Errorf("member %q is not a JSON string", name)
	}
	return s, true, nil
}
