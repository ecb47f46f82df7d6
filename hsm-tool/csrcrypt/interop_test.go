package csrcrypt

import (
	"bytes"
	"testing"
)

// goseDocument was written by github.com/ThalesGroup/gose (164fb69d2430)
// driven as k8s-kms-plugin's GenerateDEK and AuthenticatedEncrypt drive it
// (JwkFromSymmetric, JweDirectEncryptorAead with the KEK, then with the DEK
// and the csr-id as AAD), with the KEK testKEK(t, 1) named "kek-1", and
// encoded as the Secret's .data. Only its output is kept here.
const goseDocument = `{"csr-id":"Z29zZS1jc3ItaWQ=","encrypted-csr":"ZXlKaGJHY2lPaUprYVhJaUxDSnJhV1FpT2lKak5tWTRNREE0TWpCak56bGpNbU0zTnpGbVpXWTFZakkwWTJNMFpUVXhaRGxtTUdFMVlUVTFOekE1TW1Vek0yVmpORE0zTkRBME5qYzVNR0ZtTjJKbElpd2lYM1JvWVd4bGMxOWhZV1FpT2lKYU1qbDZXbE14YW1NelNYUmhWMUVpTENKbGJtTWlPaUpCTWpVMlIwTk5JbjAuLkNjZFF2NG9rQ05PNndCWW8uNGZRUU9GaEVweFpFbjdGd2JMUk9PUUlVVm9SQjhTRGlpWHRHMXRiSDRmQnN4TzlzUkdwSm5xcE1HQzZwX3BXZ0htbnhJcURta2htdEVHTlZPOHUyekpoS2tLUU5jMGNOLTl0bnFqbTJsZGM4YnVLMlFOMlhVZ1lGcmpOZXNSc0tUU25ORWg5RktGZVJ6WDU4d3IzNUhJbjVfWWdUZ3FkY2doZzJ3bU9NUVEuQVdnOTNLLVFmUkVOUmw3N3E1SXZVZw==","encrypted-dek":"ZXlKaGJHY2lPaUprYVhJaUxDSnJhV1FpT2lKclpXc3RNU0lzSW1WdVl5STZJa0V5TlRaSFEwMGlmUS4uQ1pRYUV6UTdDU2pseHJzbi55eTR1dnhDUEJ5SlZONU5DcUtNX1pNOWF2SS1QdzQtWGxNb3JoRGVyX0FobmVuMmI1elZwSFVrbGttaTVRZ0xuZUZ6UVdVSFpGSGVLR1NETTdYNWVrUVU0M2MxLVp1VHotd0N5ZUo4QTA4TUE2MV9uNlMyOC1tT3VkbUJ5VHppWC1fRVg0enJkeGNzZy0wRFJyTl9OY0N4QnZTWGd2alRKZGN4NVhPYkxENzNGa2lIenVOTTdDaENOdWZ5NDlLaV9wOTgtYTZNSjFQU1p4eVBzVjY5RTdPejBqM2dkYzZoRmkxWHJpMkh5UEdlclpadmN5Y3ZBd1lhS1lyT0szTUREU2lpbGxvbEctRjAuTHk4elNGRWk1MU1jeUsyODNqc2Yydw==","kek-id":"a2VrLTE="}`

const goseCSR = "-----BEGIN CERTIFICATE REQUEST-----\nTUlJQlZUQ0IvQUlCQURBbk1RNHdEQVlEVlFRS0V3VkpjM1JwYnc9PQ==\n-----END CERTIFICATE REQUEST-----\n"

func TestDecryptsGoseOutput(t *testing.T) {
	e, err := Parse([]byte(goseDocument))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if e.KEKID != "kek-1" || e.CSRID != "gose-csr-id" {
		t.Fatalf("ids = %q, %q", e.KEKID, e.CSRID)
	}
	mustDecrypt(t, e, testKEK(t, 1), []byte(goseCSR))
}

func TestDEKLayoutMatchesGose(t *testing.T) {
	e, err := Parse([]byte(goseDocument))
	if err != nil {
		t.Fatal(err)
	}
	j, err := parseCompact(e.EncryptedDEK)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := j.open(testKEK(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	key, kid, err := parseDEK(jwk)
	if err != nil {
		t.Fatal(err)
	}
	ours, ourKid, err := marshalDEK(key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ours, jwk) || ourKid != kid {
		t.Fatalf("our JWK\n%s\ngose's\n%s", ours, jwk)
	}
	h, _ := b64url.DecodeString(j.encodedHeader)
	if string(h) != `{"alg":"dir","kid":"kek-1","enc":"A256GCM"}` {
		t.Fatalf("gose's DEK header is %s", h)
	}
}
