package csrcrypt

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// JOSE values this package reads and writes (RFC 7518 §4.5 and §5.3).
const (
	algDir     = "dir"
	encA256GCM = "A256GCM"
)

// jweHeader is the protected header as gose writes it; the field order is
// gose's (jose.JweHeader), so our output matches it byte for byte.
type jweHeader struct {
	Alg      string `json:"alg"`
	Kid      string `json:"kid,omitempty"`
	OtherAAD string `json:"_thales_aad,omitempty"`
	Enc      string `json:"enc"`
}

// compactJWE is a parsed, structurally checked compact JWE (alg dir, enc
// A256GCM). encodedHeader is the first part as transmitted: the GCM AAD.
type compactJWE struct {
	encodedHeader string
	kid           string
	otherAAD      []byte // the decoded _thales_aad; nil when absent
	iv            []byte
	ciphertext    []byte
	tag           []byte
}

var b64url = base64.RawURLEncoding.Strict()

// decodePart decodes one unpadded base64url part. Characters outside the
// alphabet (including the newlines Go's decoder would skip) are refused, so a
// part has exactly one accepted spelling.
func decodePart(s, what string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, fmt.Errorf("failed to decode the %s: byte %d (%q) is not unpadded base64url", what, i, c)
		}
	}
	b, err := b64url.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("failed to decode the %s: %w", what, err)
	}
	return b, nil
}

// parseCompact splits and checks a compact JWE without opening it.
func parseCompact(s string) (*compactJWE, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 5 {
		return nil, fmt.Errorf("not a compact JWE: %d dot-separated parts, want 5", len(parts))
	}
	headerJSON, err := decodePart(parts[0], "JWE header")
	if err != nil {
		return nil, err
	}
	j := &compactJWE{encodedHeader: parts[0]}
	if err := j.readHeader(headerJSON); err != nil {
		return nil, err
	}
	if parts[1] != "" {
		return nil, fmt.Errorf("the JWE encrypted key must be empty for alg %q", algDir)
	}
	if j.iv, err = decodePart(parts[2], "JWE IV"); err != nil {
		return nil, err
	}
	if len(j.iv) != nonceSize {
		return nil, fmt.Errorf("the JWE IV is %d bytes; A256GCM uses %d", len(j.iv), nonceSize)
	}
	if j.ciphertext, err = decodePart(parts[3], "JWE ciphertext"); err != nil {
		return nil, err
	}
	if j.tag, err = decodePart(parts[4], "JWE authentication tag"); err != nil {
		return nil, err
	}
	if len(j.tag) != tagSize {
		return nil, fmt.Errorf("the JWE authentication tag is %d bytes; A256GCM uses %d", len(j.tag), tagSize)
	}
	return j, nil
}

// readHeader checks the protected header: alg dir, enc A256GCM, a kid, no
// zip, no crit, and an optional _thales_aad.
func (j *compactJWE) readHeader(headerJSON []byte) error {
	members, err := objectMembers(headerJSON)
	if err != nil {
		return fmt.Errorf("failed to parse the JWE header: %w", err)
	}
	get := func(name string) (string, bool, error) {
		v, ok, err := stringMember(members, name)
		if err != nil {
			return "", ok, fmt.Errorf("JWE header: %w", err)
		}
		return v, ok, nil
	}
	if alg, ok, err := get("alg"); err != nil || !ok || alg != algDir {
		return headerValueError(err, "alg", alg, ok, algDir)
	}
	if enc, ok, err := get("enc"); err != nil || !ok || enc != encA256GCM {
		return headerValueError(err, "enc", enc, ok, encA256GCM)
	}
	for _, refused := range []string{"zip", "crit"} {
		if _, ok := members[refused]; ok {
			return fmt.Errorf("the JWE header has %q, which is not supported", refused)
		}
	}
	kid, _, err := get("kid")
	if err != nil {
		return err
	}
	if kid == "" {
		return fmt.Errorf("the JWE header has no \"kid\"")
	}
	j.kid = kid
	aad, ok, err := get("_thales_aad")
	if err != nil || !ok {
		return err
	}
	if j.otherAAD, err = decodePart(aad, "JWE header member _thales_aad"); err != nil {
		return err
	}
	if len(j.otherAAD) == 0 {
		return fmt.Errorf("the JWE header member \"_thales_aad\" is empty")
	}
	return nil
}

// headerValueError explains a wrong or missing alg/enc.
func headerValueError(err error, name, got string, present bool, want string) error {
	switch {
	case err != nil:
		return err
	case !present:
		return fmt.Errorf("the JWE header has no %q; want %q", name, want)
	default:
		return fmt.Errorf("unsupported JWE %q %q: only %q is accepted", name, got, want)
	}
}

// open authenticates and decrypts the JWE with a.
func (j *compactJWE) open(a AEAD) ([]byte, error) {
	if err := checkGCMShape(a); err != nil {
		return nil, err
	}
	sealed := make([]byte, 0, len(j.ciphertext)+len(j.tag))
	sealed = append(append(sealed, j.ciphertext...), j.tag...)
	return a.Open(j.iv, sealed, []byte(j.encodedHeader))
}

// sealCompact encrypts plaintext as a compact JWE (alg dir, enc A256GCM) whose
// header names kid and carries otherAAD (if any) as _thales_aad, as gose's
// JweDirectEncryptorAead does. The IV is read from random.
func sealCompact(a AEAD, kid string, otherAAD, plaintext []byte, random io.Reader) (string, error) {
	if err := checkGCMShape(a); err != nil {
		return "", err
	}
	iv := make([]byte, nonceSize)
	if _, err := io.ReadFull(random, iv); err != nil {
		return "", fmt.Errorf("failed to read a random IV: %w", err)
	}
	h := jweHeader{Alg: algDir, Kid: kid, Enc: encA256GCM}
	if len(otherAAD) > 0 {
		h.OtherAAD = b64url.EncodeToString(otherAAD)
	}
	headerJSON, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("failed to encode the JWE header: %w", err)
	}
	encodedHeader := b64url.EncodeToString(headerJSON)
	sealed, err := a.Seal(iv, plaintext, []byte(encodedHeader))
	if err != nil {
		return "", fmt.Errorf("failed to seal: %w", err)
	}
	if len(sealed) != len(plaintext)+tagSize {
		return "", fmt.Errorf("failed to seal: the AEAD returned %d bytes, want %d", len(sealed), len(plaintext)+tagSize)
	}
	ct, tag := sealed[:len(plaintext)], sealed[len(plaintext):]
	return strings.Join([]string{
		encodedHeader, "", b64url.EncodeToString(iv), b64url.EncodeToString(ct), b64url.EncodeToString(tag),
	}, "."), nil
}
