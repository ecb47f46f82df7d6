package vaultcreds

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Field names of the HSM secret, as in Anthos Service Mesh's HSM install.
const (
	FieldPIN        = "PIN"
	FieldClientCert = "clientcert"
	FieldClientKey  = "clientkey"
	FieldServerCert = "servercert"
)

// Credentials are the HSM credentials read from Vault. PIN is always set;
// the mTLS material is optional. The caller wipes them with Zero when done.
type Credentials struct {
	// PIN is the HSM slot PIN, without trailing line breaks.
	PIN []byte
	// ClientCert is the PEM client certificate for the HSM's mTLS, if any.
	ClientCert []byte
	// ClientKey is the PEM client private key for the HSM's mTLS, if any.
	ClientKey []byte
	// ServerCert is the PEM certificate (or CA) of the HSM server, if any.
	ServerCert []byte

	// source is the secret path, for messages.
	source string
}

// String describes the credentials without their values: which fields are
// set and their sizes. Printing Credentials with any fmt verb, or encoding
// them as JSON, gives this description, never a secret.
func (c Credentials) String() string {
	size := func(b []byte) string {
		if len(b) == 0 {
			return "absent"
		}
		return fmt.Sprintf("%d bytes", len(b))
	}
	return fmt.Sprintf("vaultcreds.Credentials{PIN: %s, ClientCert: %s, ClientKey: %s, ServerCert: %s} (values redacted)",
		size(c.PIN), size(c.ClientCert), size(c.ClientKey), size(c.ServerCert))
}

// Format prints String for every verb, so that %v, %+v, %#v, %s, %x and
// the like never print a secret.
func (c Credentials) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, c.String())
}

// MarshalJSON encodes String as a JSON string, never the values.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(c.String())
}

// Zero overwrites the secret bytes with zeros and drops them. Copies made
// elsewhere (the JSON decoding inside vault/api works on immutable strings)
// are beyond its reach.
func (c *Credentials) Zero() {
	if c == nil {
		return
	}
	for _, b := range []*[]byte{&c.PIN, &c.ClientCert, &c.ClientKey, &c.ServerCert} {
		clear(*b)
		*b = nil
	}
}

// credentialsFrom extracts the HSM fields from a secret's key/value data.
// Field names match exactly or, failing that, case-insensitively.
func credentialsFrom(data map[string]any, path string) (*Credentials, error) {
	c := &Credentials{source: path}
	pin, present, err := field(data, FieldPIN, path)
	if err != nil {
		return nil, err
	}
	if !present {
		return nil, newError(ErrMissingField, fmt.Sprintf("secret at %s has no field %s", path, FieldPIN), nil)
	}
	c.PIN = []byte(strings.TrimRight(pin, "\r\n"))
	if len(c.PIN) == 0 {
		return nil, newError(ErrMissingField, fmt.Sprintf("secret at %s has an empty field %s", path, FieldPIN), nil)
	}
	for _, opt := range []struct {
		name string
		dst  *[]byte
	}{{FieldClientCert, &c.ClientCert}, {FieldClientKey, &c.ClientKey}, {FieldServerCert, &c.ServerCert}} {
		value, present, err := field(data, opt.name, path)
		if err != nil {
			c.Zero()
			return nil, err
		}
		if present && value != "" {
			*opt.dst = []byte(value)
		}
	}
	return c, nil
}

// field returns the string value of a field and whether it is present. A
// value that is neither a string nor a number is an ErrMissingField error
// that names the field and the value's JSON type, never the value.
func field(data map[string]any, name, path string) (string, bool, error) {
	raw, present := data[name]
	if !present {
		var matches []string
		for key := range data {
			if strings.EqualFold(key, name) {
				matches = append(matches, key)
			}
		}
		if len(matches) > 1 {
			sort.Strings(matches)
			return "", false, newError(ErrMissingField, fmt.Sprintf(
				"secret at %s has several fields named like %s (%s)", path, name, strings.Join(matches, ", ")), nil)
		}
		if len(matches) == 1 {
			raw, present = data[matches[0]], true
		}
	}
	if !present || raw == nil {
		return "", false, nil
	}
	switch v := raw.(type) {
	case string:
		return v, true, nil
	case json.Number:
		return v.String(), true, nil
	default:
		return "", false, newError(ErrMissingField, fmt.Sprintf(
			"field %s of the secret at %s is a %s, not a string", name, path, jsonType(raw)), nil)
	}
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "list"
	default:
		return "non-string value"
	}
}
