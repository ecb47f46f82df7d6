package csrcrypt

import (
	"encoding/json"
	"testing"
)

// FuzzParseDecrypt feeds arbitrary documents to Parse and Decrypt. Neither may
// panic; a document that parses must survive Marshal and Parse unchanged; a
// failed Decrypt returns no plaintext.
func FuzzParseDecrypt(f *testing.F) {
	e, _ := testEncrypted(f)
	dataForm, err := e.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	plainForm, err := json.Marshal(e)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		dataForm,
		plainForm,
		append([]byte(`{"kind":"Secret","data":`), append(dataForm, '}')...),
		dataForm[:len(dataForm)/2],
		[]byte(`{"kek-id":"a","encrypted-dek":"a.b.c.d.e","csr-id":"a","encrypted-csr":"....."}`),
		[]byte(`{}`),
		[]byte(`null`),
		[]byte("\x00\xff{"),
	} {
		f.Add(seed)
	}
	kek := testKEK(f, 1)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse(data)
		if err != nil {
			if e != nil {
				t.Fatalf("Parse returned a value with error %v", err)
			}
			return
		}
		again, err := e.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed document failed: %v", err)
		}
		e2, err := Parse(again)
		if err != nil || *e2 != *e {
			t.Fatalf("Parse(Marshal(e)) = %+v, %v; want %+v", e2, err, e)
		}
		out, err := Decrypt(e, kek)
		if err != nil && out != nil {
			t.Fatalf("Decrypt returned %d bytes with error %v", len(out), err)
		}
		if err == nil && len(out) == 0 {
			t.Fatal("Decrypt succeeded with an empty CSR")
		}
	})
}
