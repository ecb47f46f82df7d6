package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readEntries(t *testing.T, path string) []Entry {
	t.Helper()
	f, err := os.Open(path)
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
	return got
}

func TestStartAndFinishAppendJSONLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "audit.log")
	clock := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	l, err := Open(p, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{Command: "kek generate", Token: "asm", Keys: []string{"kek-1"}}
	if err := l.Start(&e); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(e, nil); err != nil {
		t.Fatal(err)
	}
	s := Entry{Command: "csr sign"}
	if err := l.Start(&s); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(s, errors.New("policy refused the CSR")); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got := readEntries(t, p)
	if len(got) != 4 {
		t.Fatalf("%d entries, want 4: %+v", len(got), got)
	}
	for i, want := range []struct{ event, outcome, op string }{
		{Started, "", got[0].Operation}, {Finished, "ok", got[0].Operation},
		{Started, "", got[2].Operation}, {Finished, "error", got[2].Operation},
	} {
		g := got[i]
		if g.Event != want.event || g.Outcome != want.outcome || g.Operation != want.op || !g.Time.Equal(clock) || g.PID != os.Getpid() {
			t.Errorf("entry %d = %+v, want event %s outcome %q operation %s", i, g, want.event, want.outcome, want.op)
		}
	}
	if got[0].Operation == got[2].Operation || got[3].Error != "policy refused the CSR" {
		t.Errorf("entries %+v", got)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %v", st.Mode().Perm())
	}
}

// TestOpenFailsEarly: a log that cannot be opened is an error at Open, before any
// operation starts (a missing folder, a symlink).
func TestOpenFailsEarly(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing", "audit.log"), nil); err == nil {
		t.Error("Open succeeded in a missing folder")
	}
	target := filepath.Join(dir, "elsewhere")
	link := filepath.Join(dir, "link.log")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(link, nil); err == nil || !strings.Contains(err.Error(), "audit log") {
		t.Errorf("Open through a symlink: %v", err)
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("Open wrote through the symlink")
	}
}

func TestNoPathRecordsNothing(t *testing.T) {
	l, err := Open("", nil)
	if err != nil || l != nil {
		t.Fatalf("Open(\"\") = %v, %v", l, err)
	}
	e := Entry{Command: "x"}
	if err := l.Start(&e); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(e, nil); err != nil {
		t.Fatal(err)
	}
}
