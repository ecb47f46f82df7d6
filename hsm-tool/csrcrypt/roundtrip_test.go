package csrcrypt

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRoundTripForms(t *testing.T) {
	e, csr := testEncrypted(t)
	dataForm, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	plainForm, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var dataMap map[string]string
	if err := json.Unmarshal(dataForm, &dataMap); err != nil {
		t.Fatal(err)
	}
	unpadded := map[string]string{}
	for k, v := range dataMap {
		unpadded[k] = strings.TrimRight(v, "=")
	}
	secret := mustJSON(t, map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": SecretName, "namespace": "istio-system"},
		"data":     dataMap,
	})
	stringDataSecret := mustJSON(t, map[string]any{"kind": "Secret", "stringData": e})
	for name, doc := range map[string][]byte{
		"Secret .data (kubectl jsonpath={.data})": dataForm,
		"plain values":                   plainForm,
		"unpadded base64":                mustJSON(t, unpadded),
		"whole Secret (kubectl -o json)": secret,
		"Secret stringData":              stringDataSecret,
		"indented with trailing newline": append(indent(t, dataForm), '\n'),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(doc)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if *got != *e {
				t.Fatalf("Parse = %+v, want %+v", got, e)
			}
			mustDecrypt(t, got, testKEK(t, 1), csr)
		})
	}
}

func TestMarshalIsWhatDecryptCSRReads(t *testing.T) {
	// decrypt-csr (k8s-kms-plugin) json.Unmarshals into four strings and
	// base64.StdEncoding-decodes each; do the same here.
	e, _ := testEncrypted(t)
	out, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		KekID  string `json:"kek-id"`
		EncDEK string `json:"encrypted-dek"`
		CsrID  string `json:"csr-id"`
		EncCSR string `json:"encrypted-csr"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{doc.KekID: e.KEKID, doc.EncDEK: e.EncryptedDEK, doc.CsrID: e.CSRID, doc.EncCSR: e.EncryptedCSR} {
		raw, err := base64.StdEncoding.DecodeString(got)
		if err != nil || string(raw) != want {
			t.Errorf("value %q decodes to %q (%v), want %q", got, raw, err, want)
		}
	}
}

func TestBinaryCSRIDSurvivesMarshal(t *testing.T) {
	// k8s-kms-plugin's own test uses a SHA-256 digest as the AAD.
	id := string([]byte{0x00, 0xff, 0x80, '"', '\\', 0x7f})
	csr := testCSR(t)
	e, err := Encrypt("kek-1", testKEK(t, 1), csr, id, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if got.CSRID != id {
		t.Fatalf("csr-id = %q, want %q", got.CSRID, id)
	}
	mustDecrypt(t, got, testKEK(t, 1), csr)
}

func TestWrongKEK(t *testing.T) {
	e, _ := testEncrypted(t)
	out, err := Decrypt(e, testKEK(t, 2))
	mustFail(t, out, err, `the encrypted DEK does not open with KEK "kek-1": wrong KEK or tampered data`)
	var openErr *OpenError
	if !errors.As(err, &openErr) || openErr.Part != FieldEncryptedDEK {
		t.Fatalf("error %T %v is not an *OpenError for %s", err, err, FieldEncryptedDEK)
	}
}

func TestEncryptArguments(t *testing.T) {
	kek, csr := testKEK(t, 1), testCSR(t)
	short := strings.NewReader("too short")
	for name, call := range map[string]func() (*EncryptedCSR, error){
		"no KEK ID":    func() (*EncryptedCSR, error) { return Encrypt("", kek, csr, "id", rand.Reader) },
		"no CSR ID":    func() (*EncryptedCSR, error) { return Encrypt("k", kek, csr, "", rand.Reader) },
		"empty CSR":    func() (*EncryptedCSR, error) { return Encrypt("k", kek, nil, "id", rand.Reader) },
		"nil KEK":      func() (*EncryptedCSR, error) { return Encrypt("k", nil, csr, "id", rand.Reader) },
		"nil random":   func() (*EncryptedCSR, error) { return Encrypt("k", kek, csr, "id", nil) },
		"short random": func() (*EncryptedCSR, error) { return Encrypt("k", kek, csr, "id", short) },
		"KEK not GCM":  func() (*EncryptedCSR, error) { return Encrypt("k", oddAEAD{kek}, csr, "id", rand.Reader) },
	} {
		if e, err := call(); err == nil || e != nil {
			t.Errorf("%s: Encrypt = %v, %v; want an error", name, e, err)
		}
	}
}

func TestNewSoftwareAEADKeySize(t *testing.T) {
	if _, err := NewSoftwareAEAD(make([]byte, 16)); err == nil {
		t.Fatal("a 16-byte key was accepted for AES-256-GCM")
	}
}

// oddAEAD reports a nonce size A256GCM does not use.
type oddAEAD struct{ AEAD }

func (oddAEAD) NonceSize() int { return 16 }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
