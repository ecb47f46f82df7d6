package csrcrypt

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// SecretName is the Secret in which istiod's HSM plugin publishes the
// encrypted CSR.
const SecretName = "istio-ca-cert-csr"

// The members of the encrypted-CSR document (and keys of the Secret's data).
const (
	FieldKEKID        = "kek-id"
	FieldEncryptedDEK = "encrypted-dek"
	FieldCSRID        = "csr-id"
	FieldEncryptedCSR = "encrypted-csr"
)

// fields lists the members in the order errors and checks visit them.
var fields = []string{FieldKEKID, FieldEncryptedDEK, FieldCSRID, FieldEncryptedCSR}

// EncryptedCSR holds the four values with their base64 (Secret .data) layer
// removed: KEKID and CSRID are the raw identifiers (CSRID may be binary), and
// EncryptedDEK and EncryptedCSR are compact JWE strings. json.Marshal of it
// gives the plain form; Marshal gives the base64 form decrypt-csr reads.
type EncryptedCSR struct {
	KEKID        string `json:"kek-id"`
	EncryptedDEK string `json:"encrypted-dek"`
	CSRID        string `json:"csr-id"`
	EncryptedCSR string `json:"encrypted-csr"`
}

// Parse reads an encrypted-CSR document: the Secret's .data map (values in
// base64, what decrypt-csr reads), the same map with plain values, or a whole
// Secret object. It checks the structure of both JWEs but opens nothing.
func Parse(data []byte) (*EncryptedCSR, error) {
	members, err := objectMembers(data)
	if err != nil {
		return nil, fmt.Errorf("failed to parse the encrypted CSR: %w", err)
	}
	if members, err = unwrapSecret(members); err != nil {
		return nil, fmt.Errorf("failed to parse the encrypted CSR: %w", err)
	}
	values := make(map[string]string, len(fields))
	for _, name := range fields {
		v, ok, err := stringMember(members, name)
		if err != nil {
			return nil, fmt.Errorf("failed to parse the encrypted CSR: %w", err)
		}
		if !ok || v == "" {
			return nil, fmt.Errorf("failed to parse the encrypted CSR: member %q is missing or empty", name)
		}
		values[name] = v
	}
	e, err := fromValues(values)
	if err != nil {
		return nil, fmt.Errorf("failed to parse the encrypted CSR: %w", err)
	}
	if err := e.validate(); err != nil {
		return nil, fmt.Errorf("failed to parse the encrypted CSR: %w", err)
	}
	return e, nil
}

// unwrapSecret returns the "data" (or else "stringData") object of a Secret
// document, or members itself when it already holds the fields.
func unwrapSecret(members map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	if _, ok := members[FieldEncryptedDEK]; ok {
		return members, nil
	}
	for _, name := range []string{"data", "stringData"} {
		if raw, ok := members[name]; ok {
			inner, err := objectMembers(raw)
			if err != nil {
				return nil, fmt.Errorf("failed to read the Secret's %q: %w", name, err)
			}
			return inner, nil
		}
	}
	return members, nil
}

// fromValues removes the base64 layer when the document has one. A compact
// JWE contains '.', which base64 never does, so "encrypted-dek" decides for
// the whole document.
func fromValues(v map[string]string) (*EncryptedCSR, error) {
	if strings.Contains(v[FieldEncryptedDEK], ".") {
		return &EncryptedCSR{
			KEKID: v[FieldKEKID], EncryptedDEK: v[FieldEncryptedDEK],
			CSRID: v[FieldCSRID], EncryptedCSR: v[FieldEncryptedCSR],
		}, nil
	}
	raw := make(map[string]string, len(fields))
	for _, name := range fields {
		b, err := decodeStd(v[name])
		if err != nil {
			return nil, fmt.Errorf("failed to decode member %q as base64: %w", name, err)
		}
		if len(b) == 0 {
			return nil, fmt.Errorf("member %q decodes to nothing", name)
		}
		raw[name] = string(b)
	}
	return &EncryptedCSR{
		KEKID: raw[FieldKEKID], EncryptedDEK: raw[FieldEncryptedDEK],
		CSRID: raw[FieldCSRID], EncryptedCSR: raw[FieldEncryptedCSR],
	}, nil
}

// decodeStd decodes standard base64, padded (what kubectl and decrypt-csr
// use) or, when the length shows there is no padding, unpadded. Line breaks
// (base64 -w76) are ignored.
func decodeStd(s string) ([]byte, error) {
	s = strings.NewReplacer("\n", "", "\r", "").Replace(s)
	if len(s)%4 == 0 || strings.HasSuffix(s, "=") {
		return base64.StdEncoding.Strict().DecodeString(s)
	}
	return base64.RawStdEncoding.Strict().DecodeString(s)
}

// validate checks that all values are present and both JWEs are well formed.
func (e *EncryptedCSR) validate() error {
	_, _, err := e.parse()
	return err
}

// parse checks the values and returns both JWEs, parsed but not opened.
func (e *EncryptedCSR) parse() (dek, csr *compactJWE, err error) {
	if e == nil {
		return nil, nil, fmt.Errorf("no encrypted CSR")
	}
	for _, f := range []struct{ name, value string }{
		{FieldKEKID, e.KEKID}, {FieldEncryptedDEK, e.EncryptedDEK},
		{FieldCSRID, e.CSRID}, {FieldEncryptedCSR, e.EncryptedCSR},
	} {
		if f.value == "" {
			return nil, nil, fmt.Errorf("member %q is empty", f.name)
		}
	}
	if dek, err = parseCompact(e.EncryptedDEK); err != nil {
		return nil, nil, fmt.Errorf("member %q: %w", FieldEncryptedDEK, err)
	}
	if dek.otherAAD != nil {
		return nil, nil, fmt.Errorf("member %q: the JWE carries \"_thales_aad\"; the DEK is sealed without additional data", FieldEncryptedDEK)
	}
	if csr, err = parseCompact(e.EncryptedCSR); err != nil {
		return nil, nil, fmt.Errorf("member %q: %w", FieldEncryptedCSR, err)
	}
	return dek, csr, nil
}

// Data returns the raw values keyed as in the Secret's data (the bytes a
// Kubernetes client stores; the API server base64-encodes them).
func (e *EncryptedCSR) Data() map[string][]byte {
	return map[string][]byte{
		FieldKEKID: []byte(e.KEKID), FieldEncryptedDEK: []byte(e.EncryptedDEK),
		FieldCSRID: []byte(e.CSRID), FieldEncryptedCSR: []byte(e.EncryptedCSR),
	}
}

// Marshal writes the document in the Secret .data form that decrypt-csr
// reads: a JSON object whose values are standard padded base64.
func (e *EncryptedCSR) Marshal() ([]byte, error) {
	if err := e.validate(); err != nil {
		return nil, fmt.Errorf("failed to marshal the encrypted CSR: %w", err)
	}
	out := make(map[string]string, len(fields))
	for name, value := range e.Data() {
		out[name] = base64.StdEncoding.EncodeToString(value)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("failed to marshal the encrypted CSR: %w", err)
	}
	return b, nil
}
