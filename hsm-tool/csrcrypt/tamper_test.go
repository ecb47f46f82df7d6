package csrcrypt

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// flip changes the character at i to another base64url character.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestTamperEveryJWEPart(t *testing.T) {
	good, _ := testEncrypted(t)
	for _, field := range []string{FieldEncryptedDEK, FieldEncryptedCSR} {
		value := map[string]string{FieldEncryptedDEK: good.EncryptedDEK, FieldEncryptedCSR: good.EncryptedCSR}[field]
		parts := strings.Split(value, ".")
		for pi, name := range []string{"header", "encrypted key", "IV", "ciphertext", "tag"} {
			if parts[pi] == "" {
				continue
			}
			for _, at := range []int{0, len(parts[pi]) / 2, len(parts[pi]) - 1} {
				p := append([]string(nil), parts...)
				p[pi] = flip(p[pi], at)
				e := *good
				if field == FieldEncryptedDEK {
					e.EncryptedDEK = strings.Join(p, ".")
				} else {
					e.EncryptedCSR = strings.Join(p, ".")
				}
				out, err := Decrypt(&e, testKEK(t, 1))
				if err == nil || out != nil {
					t.Errorf("%s %s flipped at %d: Decrypt = %d bytes, %v; want an error", field, name, at, len(out), err)
				}
			}
		}
	}
}

func TestTamperIdentifiers(t *testing.T) {
	good, _ := testEncrypted(t)

	e := *good
	e.KEKID = "kek-2"
	out, err := Decrypt(&e, testKEK(t, 1))
	mustFail(t, out, err, `"encrypted-dek" was sealed with KEK "kek-1", but "kek-id" is "kek-2"`)

	e = *good
	e.CSRID = "csr-id-2"
	out, err = Decrypt(&e, testKEK(t, 1))
	mustFail(t, out, err, `sealed for csr-id "csr-id-1", not "csr-id-2"`)
}

func TestSwappedDEKFromAnotherCSR(t *testing.T) {
	a, _ := testEncrypted(t)
	b, _ := testEncrypted(t)
	e := *a
	e.EncryptedDEK = b.EncryptedDEK // same KEK, different DEK
	out, err := Decrypt(&e, testKEK(t, 1))
	mustFail(t, out, err, `"encrypted-csr" was sealed with DEK`, `but "encrypted-dek" holds DEK`)
}

func TestCSRSealedUnderWrongDEKKid(t *testing.T) {
	// A JWE whose kid names the right DEK but which was sealed with another
	// key must fail authentication, not just the kid check.
	good, _ := testEncrypted(t)
	dekJWE, err := parseCompact(good.EncryptedDEK)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := dekJWE.open(testKEK(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	_, kid, err := parseDEK(jwk)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := sealCompact(testKEK(t, 9), kid, []byte(good.CSRID), []byte("forged"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e := *good
	e.EncryptedCSR = forged
	out, err := Decrypt(&e, testKEK(t, 1))
	mustFail(t, out, err, `the encrypted CSR does not open`)
	var openErr *OpenError
	if !errors.As(err, &openErr) || openErr.Part != FieldEncryptedCSR {
		t.Fatalf("error %v is not an *OpenError for %s", err, FieldEncryptedCSR)
	}
}

func TestParseNamesTheBadField(t *testing.T) {
	good, _ := testEncrypted(t)
	doc, err := good.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	for _, field := range fields {
		v := m[field]
		for name, bad := range map[string]string{
			"truncated":       v[:len(v)-3],
			"garbage":         "%%%not base64%%%",
			"cut mid-quantum": v[:len(v)/2+1],
			"missing":         "",
		} {
			changed := map[string]string{}
			for k, x := range m {
				changed[k] = x
			}
			if bad == "" {
				delete(changed, field)
			} else {
				changed[field] = bad
			}
			e, err := Parse(mustJSON(t, changed))
			if err == nil {
				t.Errorf("%s %s: Parse accepted it: %+v", field, name, e)
				continue
			}
			if !strings.Contains(err.Error(), `"`+field+`"`) {
				t.Errorf("%s %s: error %q does not name the field", field, name, err)
			}
		}
	}
}

func TestParseRejectsOddDocuments(t *testing.T) {
	good, _ := testEncrypted(t)
	doc, _ := good.Marshal()
	dekB64 := base64.StdEncoding.EncodeToString([]byte(good.EncryptedDEK))
	for name, bad := range map[string]string{
		"empty":              "",
		"not JSON":           "kek-id: x",
		"array":              `["kek-id"]`,
		"trailing data":      string(doc) + `{}`,
		"duplicate member":   strings.Replace(string(doc), `{`, `{"encrypted-dek":"`+dekB64+`",`, 1),
		"number value":       strings.Replace(string(doc), `"kek-id":"`, `"kek-id":1,"x":"`, 1),
		"Secret without CSR": `{"kind":"Secret","data":{"ca.crt":"eA=="}}`,
		"Secret data array":  `{"kind":"Secret","data":[]}`,
	} {
		if e, err := Parse([]byte(bad)); err == nil {
			t.Errorf("%s: Parse accepted it: %+v", name, e)
		}
	}
}
