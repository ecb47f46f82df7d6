package csrcrypt

import (
	"crypto/rand"
	"strings"
	"testing"
)

// sealWithHeader builds a compact JWE whose header is headerJSON, sealed
// correctly under kek, so that only the header's content can be refused.
func sealWithHeader(t *testing.T, kek AEAD, headerJSON string, plaintext []byte) string {
	t.Helper()
	h := b64url.EncodeToString([]byte(headerJSON))
	iv := make([]byte, 12)
	if _, err := rand.Read(iv); err != nil {
		t.Fatal(err)
	}
	sealed, err := kek.Seal(iv, plaintext, []byte(h))
	if err != nil {
		t.Fatal(err)
	}
	n := len(plaintext)
	return strings.Join([]string{h, "", b64url.EncodeToString(iv),
		b64url.EncodeToString(sealed[:n]), b64url.EncodeToString(sealed[n:])}, ".")
}

func TestJWEHeaderChecks(t *testing.T) {
	kek := testKEK(t, 1)
	jwk, _, err := marshalDEK(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ header, want string }{
		{`{"alg":"RSA-OAEP","kid":"kek-1","enc":"A256GCM"}`, `unsupported JWE "alg" "RSA-OAEP": only "dir" is accepted`},
		{`{"alg":"A256KW","kid":"kek-1","enc":"A256GCM"}`, `"alg" "A256KW"`},
		{`{"alg":"none","kid":"kek-1","enc":"A256GCM"}`, `"alg" "none"`},
		{`{"kid":"kek-1","enc":"A256GCM"}`, `no "alg"`},
		{`{"alg":"dir","kid":"kek-1","enc":"A128GCM"}`, `unsupported JWE "enc" "A128GCM": only "A256GCM" is accepted`},
		{`{"alg":"dir","kid":"kek-1","enc":"A256CBC-HS512"}`, `"enc" "A256CBC-HS512"`},
		{`{"alg":"dir","kid":"kek-1"}`, `no "enc"`},
		{`{"alg":"dir","kid":"kek-1","enc":"A256GCM","zip":"DEF"}`, `"zip"`},
		{`{"alg":"dir","kid":"kek-1","enc":"A256GCM","crit":["exp"],"exp":1}`, `"crit"`},
		{`{"alg":"dir","enc":"A256GCM"}`, `no "kid"`},
		{`{"alg":"dir","kid":7,"enc":"A256GCM"}`, `"kid" is not a JSON string`},
		{`{"alg":"dir","kid":"kek-1","enc":"A256GCM","alg":"dir"}`, `"alg" appears more than once`},
		{`{"alg":"dir","kid":"kek-1","enc":"A256GCM","_thales_aad":"a=="}`, `_thales_aad`},
		{`{"alg":"dir","kid":"kek-1","enc":"A256GCM","_thales_aad":"YQ"}`, `carries "_thales_aad"`},
		{`["alg","dir"]`, `not an object`},
	} {
		e := &EncryptedCSR{KEKID: "kek-1", CSRID: "id", EncryptedDEK: sealWithHeader(t, kek, tc.header, jwk)}
		e.EncryptedCSR = e.EncryptedDEK
		out, err := Decrypt(e, kek)
		mustFail(t, out, err, `"encrypted-dek"`, tc.want)
	}
}

func TestJWEStructureChecks(t *testing.T) {
	good, _ := testEncrypted(t)
	parts := strings.Split(good.EncryptedCSR, ".")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, ".")
	}
	for _, tc := range []struct{ jwe, want string }{
		{strings.Join(parts[:4], "."), "4 dot-separated parts, want 5"},
		{good.EncryptedCSR + ".", "6 dot-separated parts"},
		{with(1, "AAAA"), "encrypted key must be empty"},
		{with(2, parts[2][:8]), "IV is 6 bytes"},
		{with(4, parts[4][:12]), "authentication tag is 9 bytes"},
		{with(3, parts[3]+"="), `byte`},
		{with(3, parts[3][:10]+"\n"+parts[3][10:]), `'\n'`},
		{with(3, parts[3][:10]+"+"+parts[3][11:]), `'+'`},
		{with(0, "!!"), "JWE header"},
		{with(0, b64url.EncodeToString([]byte("{"))), "JWE header"},
		{with(2, parts[2][:15]), "JWE IV"},
	} {
		e := *good
		e.EncryptedCSR = tc.jwe
		out, err := Decrypt(&e, testKEK(t, 1))
		mustFail(t, out, err, `"encrypted-csr"`, tc.want)
		if _, err := Parse(mustJSON(t, &e)); err == nil {
			t.Errorf("Parse accepted encrypted-csr %q", tc.jwe)
		}
	}
}

func TestSealMatchesGoseHeaderLayout(t *testing.T) {
	e, _ := testEncrypted(t)
	h, err := b64url.DecodeString(strings.Split(e.EncryptedCSR, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"alg":"dir","kid":"` // gose order: alg, kid, _thales_aad, enc
	if !strings.HasPrefix(string(h), want) ||
		!strings.HasSuffix(string(h), `","_thales_aad":"`+b64url.EncodeToString([]byte("csr-id-1"))+`","enc":"A256GCM"}`) {
		t.Fatalf("header %s is not in gose's layout", h)
	}
}
