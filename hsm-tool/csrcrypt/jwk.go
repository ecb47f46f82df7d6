package csrcrypt

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
)

// dekJWK is the DEK as gose's JwkFromSymmetric(key, A256GCM) marshals it; the
// field order is gose's (jose.OctSecretKey.MarshalJSON).
type dekJWK struct {
	KeyOps []string `json:"key_ops,omitempty"`
	Alg    string   `json:"alg,omitempty"`
	Kid    string   `json:"kid,omitempty"`
	K      string   `json:"k"`
	Kty    string   `json:"kty"`
}

// dekKeyID is gose's CalculateKeyID for an "oct" key: the lower-case hex
// SHA-256 of "v1.jwk.oct." followed by the base64url key.
func dekKeyID(key []byte) string {
	sum := sha256.Sum256([]byte("v1.jwk.oct." + b64url.EncodeToString(key)))
	return hex.EncodeToString(sum[:])
}

// marshalDEK encodes a 32-byte DEK as a JWK and returns the JSON and its kid.
func marshalDEK(key []byte) ([]byte, string, error) {
	if len(key) != keySize {
		return nil, "", fmt.Errorf("failed to encode the DEK: %d bytes, want %d", len(key), keySize)
	}
	kid := dekKeyID(key)
	out, err := json.Marshal(dekJWK{
		KeyOps: []string{"encrypt", "decrypt", "sign", "verify"},
		Alg:    encA256GCM,
		Kid:    kid,
		K:      b64url.EncodeToString(key),
		Kty:    "oct",
	})
	if err != nil {
		return nil, "", fmt.Errorf("failed to encode the DEK: %w", err)
	}
	return out, kid, nil
}

// parseDEK reads the JWK sealed in encrypted-dek and returns the key and kid.
func parseDEK(data []byte) ([]byte, string, error) {
	if _, err := objectMembers(data); err != nil {
		return nil, "", fmt.Errorf("the DEK is not a JSON Web Key: %w", err)
	}
	var jwk dekJWK
	if err := json.Unmarshal(data, &jwk); err != nil {
		return nil, "", fmt.Errorf("the DEK is not a JSON Web Key: %w", err)
	}
	switch {
	case jwk.Kty != "oct":
		return nil, "", fmt.Errorf("the DEK JWK has kty %q, want \"oct\"", jwk.Kty)
	case jwk.Alg != encA256GCM:
		return nil, "", fmt.Errorf("the DEK JWK has alg %q, want %q", jwk.Alg, encA256GCM)
	case jwk.Kid == "":
		return nil, "", fmt.Errorf("the DEK JWK has no kid")
	case !slices.Contains(jwk.KeyOps, "decrypt"):
		return nil, "", fmt.Errorf("the DEK JWK key_ops %q do not allow \"decrypt\"", jwk.KeyOps)
	}
	key, err := decodePart(jwk.K, "DEK JWK member k")
	if err != nil {
		return nil, "", err
	}
	if len(key) != keySize {
		return nil, "", fmt.Errorf("the DEK JWK key is %d bytes; A256GCM needs %d", len(key), keySize)
	}
	return key, jwk.Kid, nil
}
