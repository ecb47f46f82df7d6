package kptexec

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestLeftoversNeedTheJournal: after a killed write-back, the next render removes the
// temporary files the journal names and nothing else: not a user's file of the same
// form that the journal does not name, not a file of another form the journal names,
// not the folders they were in.
func TestLeftoversNeedTheJournal(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	pkg := t.TempDir()
	ws := workspaceFor(pkg)
	ours := tempName(filepath.Join("sub", "a.yaml"))
	users := map[string]string{
		"sub/.meshfn-render-a.yaml-0011223344556677": "user's, of the form",
		".meshfn-render-notes":                       "user's",
		"Kptfile":                                    "named by a forged entry",
		"docs/.meshfn-render-x":                      "user's, alone in its folder",
	}
	writeFiles(t, pkg, users)
	writeFiles(t, pkg, map[string]string{ours: "half-written"})
	if err := ws.reset(); err != nil {
		t.Fatal(err)
	}
	if err := ws.record([]string{ours, "Kptfile", "../outside", tempName("gone.yaml")}); err != nil {
		t.Fatal(err)
	}
	w, err := openPackage(pkg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := removeLeftovers(w, ws); err != nil {
		t.Fatal(err)
	}
	got := readFiles(t, pkg)
	if _, ok := got[filepath.ToSlash(ours)]; ok {
		t.Errorf("the journaled temporary %s is still there", ours)
	}
	for name, data := range users {
		if got[name] != data {
			t.Errorf("the user's file %s was removed", name)
		}
	}
	if entries, err := os.ReadDir(ws.dir); err != nil || len(entries) != 0 {
		t.Errorf("the workspace is not afresh: %v, %v", entries, err)
	}
	// A second run finds no journal, and removes nothing.
	if err := removeLeftovers(w, ws); err != nil {
		t.Fatal(err)
	}
	if after := readFiles(t, pkg); len(after) != len(got) {
		t.Errorf("a render without a journal removed files: %v", after)
	}
}

// TestLeftoversRefuseAForeignWorkspace: a workspace folder that others can write (or a
// symlink) proves nothing: its journal is not read and the render stops.
func TestLeftoversRefuseAForeignWorkspace(t *testing.T) {
	for _, c := range []string{"open to others", "symlink"} {
		t.Run(c, func(t *testing.T) {
			t.Setenv("TMPDIR", t.TempDir())
			pkg := t.TempDir()
			ws := workspaceFor(pkg)
			temp := tempName("a.yaml")
			writeFiles(t, pkg, map[string]string{temp: "user's"})
			elsewhere := t.TempDir()
			writeFiles(t, elsewhere, map[string]string{"journal.json": `{"temporaries":["` + temp + `"]}`})
			if c == "symlink" {
				if err := os.Symlink(elsewhere, ws.dir); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := os.Rename(elsewhere, ws.dir); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(ws.dir, 0o777); err != nil {
					t.Fatal(err)
				}
			}
			w, err := openPackage(pkg)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if err := removeLeftovers(w, ws); err == nil {
				t.Error("a foreign workspace was accepted")
			}
			if got := readFiles(t, pkg); got[filepath.ToSlash(temp)] != "user's" {
				t.Errorf("%s was removed on a foreign journal's word", temp)
			}
		})
	}
}

func TestIsTempName(t *testing.T) {
	for name, want := range map[string]bool{
		tempName("a.yaml"):                         true,
		tempName("sub/Kptfile"):                    true,
		".meshfn-render-a.yaml-0011223344556677":   true,
		".meshfn-render-a.yaml-00112233445566":     false,
		".meshfn-render-a.yaml-00112233445566ZZ":   false,
		".meshfn-render-a.yaml-0011223344556677AA": false,
		".meshfn-render--0011223344556677":         false,
		"a.yaml-0011223344556677":                  false,
	} {
		if got := isTempName(name); got != want {
			t.Errorf("isTempName(%q) = %v, want %v", name, got, want)
		}
	}
	if a, b := tempName("a"), tempName("a"); a == b || !slices.Contains([]string{"."}, filepath.Dir(a)) {
		t.Errorf("tempName gave %s and %s", a, b)
	}
}
