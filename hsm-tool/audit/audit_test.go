package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRecordAppendsJSONLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "audit.log")
	l := Log{Path: p}
	if err := l.Record(Entry{Command: "kek generate", Token: "asm", Keys: []string{"kek-1"}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(Entry{Command: "csr sign"}, errors.New("policy refused the CSR")); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []Entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		got = append(got, e)
	}
	if len(got) != 2 || got[0].Outcome != "ok" || got[1].Outcome != "error" || got[1].Error != "policy refused the CSR" {
		t.Errorf("entries %+v", got)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %v", st.Mode().Perm())
	}
}

func TestNoPathRecordsNothing(t *testing.T) {
	if err := (Log{}).Record(Entry{Command: "x"}, nil); err != nil {
		t.Fatal(err)
	}
}
