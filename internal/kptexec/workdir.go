package kptexec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// workspace is the folder, outside the package, where one render of it works: the copy
// kpt renders, and the journal of the temporary files the write-back creates in the
// package. It is named after the package's path, in the system's temporary folder, so
// that the next render of the package (under the same TMPDIR) finds what a killed one
// left: the journal is the only proof render-exec accepts that a file in a package is
// its own temporary file.
type workspace struct{ dir string }

func workspaceFor(pkg string) workspace {
	sum := sha256.Sum256([]byte(pkg))
	return workspace{dir: filepath.Join(os.TempDir(), "meshfn-render-"+hex.EncodeToString(sum[:8]))}
}

// work is where the copy of the package goes: a subfolder named like the package (kpt
// names packages after their folder).
func (ws workspace) work(pkg string) string { return filepath.Join(ws.dir, filepath.Base(pkg)) }

func (ws workspace) journal() string { return filepath.Join(ws.dir, "journal.json") }

// journal lists the temporary files a write-back is about to create, by path relative
// to the package.
type journal struct {
	Temporaries []string `json:"temporaries"`
}

// leftovers reads the journal a killed render left and returns the temporary files it
// names (only names of the form render-exec gives them). A workspace folder that is not
// this user's private folder is an error: what it holds proves nothing. A journal cut
// short names nothing: it is written, and synced, before any temporary file is created.
func (ws workspace) leftovers() ([]string, error) {
	fi, err := os.Lstat(ws.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := ownPrivate(fi); err != nil {
		return nil, fmt.Errorf("%s is not render-exec's own folder (%w): remove it", ws.dir, err)
	}
	fi, err = os.Lstat(ws.journal())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	if err != nil {
		return nil, fmt.Errorf("reading the journal %s: %w", ws.journal(), err)
	}
	data, err := os.ReadFile(ws.journal())
	if err != nil {
		return nil, err
	}
	var j journal
	if json.Unmarshal(data, &j) != nil {
		return nil, nil
	}
	var temps []string
	for _, rel := range j.Temporaries {
		if filepath.IsLocal(rel) && isTempName(rel) {
			temps = append(temps, rel)
		}
	}
	return temps, nil
}

// ownPrivate accepts a folder owned by this user that no one else can open.
func ownPrivate(fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("not a folder (%s)", fi.Mode().Type())
	case !ok || int(st.Uid) != os.Geteuid():
		return errors.New("owned by another user")
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("mode %v", fi.Mode().Perm())
	}
	return nil
}

// reset removes the workspace folder (what a killed render left, its journal already
// read) and makes it again, empty and private.
func (ws workspace) reset() error {
	if err := os.RemoveAll(ws.dir); err != nil {
		return fmt.Errorf("removing what a killed render left in %s: %w", ws.dir, err)
	}
	return os.Mkdir(ws.dir, 0o700)
}

// record writes the journal of the temporary files about to be created, and syncs it
// and its folder, before the first of them is.
func (ws workspace) record(temps []string) error {
	data, err := json.Marshal(journal{Temporaries: temps})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(ws.journal(), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing the journal: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncFolder(ws.dir)
	}
	if err != nil {
		return fmt.Errorf("writing the journal %s: %w", ws.journal(), err)
	}
	return nil
}

func syncFolder(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
