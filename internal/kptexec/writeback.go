package kptexec

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// tempPrefix starts the name of every temporary file Render writes into a package; a
// random part ends it (tempName). A file of that form is removed only when the journal
// of a killed render names it (workspace.leftovers): a user's file is never taken for
// one.
const tempPrefix = ".meshfn-render-"

// tempName is a new temporary name for the file rel, in its folder.
func tempName(rel string) string {
	var random [8]byte
	rand.Read(random[:])
	return filepath.Join(filepath.Dir(rel), tempPrefix+filepath.Base(rel)+"-"+hex.EncodeToString(random[:]))
}

// isTempName reports whether a file has the form of a name tempName gives.
func isTempName(rel string) bool {
	base := filepath.Base(rel)
	i := strings.LastIndexByte(base, '-')
	if !strings.HasPrefix(base, tempPrefix) || i < len(tempPrefix)+1 || len(base)-i-1 != 16 {
		return false
	}
	_, err := hex.DecodeString(base[i+1:])
	return err == nil && strings.ToLower(base[i+1:]) == base[i+1:]
}

// pkgWriter changes files of a package folder and nothing else: every path is resolved
// inside the folder (os.Root), and a symlink anywhere on a path is refused rather than
// followed, even one pointing inside the package.
type pkgWriter struct {
	dir  string
	root *os.Root
}

func openPackage(dir string) (*pkgWriter, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &pkgWriter{dir: dir, root: root}, nil
}

func (w *pkgWriter) Close() error { return w.root.Close() }

func (w *pkgWriter) path(rel string) string { return filepath.Join(w.dir, rel) }

// staged is a file written under a temporary name next to the file it replaces.
type staged struct{ rel, temp string }

// writeAll replaces the files atomically, each on its own: record is given the names
// of the temporary files first (the journal that proves them render-exec's own); then
// they are written in the files' own folders and synced, then renamed over the old
// files, and the folders synced. Killed at any point, each file is either as before or
// as given; a temporary file left behind is removed by the next Render.
func (w *pkgWriter) writeAll(files map[string]file, record func(temps []string) error) error {
	rels := slices.Sorted(maps.Keys(files))
	temps := make([]string, len(rels))
	for i, rel := range rels {
		temps[i] = tempName(rel)
	}
	if err := record(temps); err != nil {
		return err
	}
	var done []staged
	defer func() {
		for _, s := range done {
			w.root.Remove(s.temp) // not renamed: an earlier step failed
		}
	}()
	for i, rel := range rels {
		s := staged{rel: rel, temp: temps[i]}
		if err := w.stage(s, files[rel]); err != nil {
			return err
		}
		done = append(done, s)
	}
	folders := map[string]bool{}
	for len(done) > 0 {
		s := done[0]
		if err := w.checkTarget(s.rel); err != nil {
			return err
		}
		if err := w.root.Rename(s.temp, s.rel); err != nil {
			return fmt.Errorf("writing %s: %w", w.path(s.rel), err)
		}
		done = done[1:]
		folders[filepath.Dir(s.rel)] = true
	}
	return w.syncFolders(folders)
}

// stage writes f to the new temporary file s.temp, in the folder of s.rel (created if
// missing), and syncs it.
func (w *pkgWriter) stage(s staged, f file) error {
	rel := s.rel
	if err := w.makeFolders(filepath.Dir(rel)); err != nil {
		return err
	}
	if err := w.checkTarget(rel); err != nil {
		return err
	}
	out, err := w.root.OpenFile(s.temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing %s: %w", w.path(rel), err)
	}
	_, err = out.Write(f.data)
	if err == nil {
		err = out.Chmod(f.mode)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		w.root.Remove(s.temp)
		return fmt.Errorf("writing %s: %w", w.path(rel), err)
	}
	return nil
}

// makeFolders creates the folder rel and its parents where missing, refusing a symlink
// or a file on the way.
func (w *pkgWriter) makeFolders(rel string) error {
	if rel == "." {
		return nil
	}
	if err := w.makeFolders(filepath.Dir(rel)); err != nil {
		return err
	}
	fi, err := w.root.Lstat(rel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := w.root.Mkdir(rel, 0o755); err != nil {
			return fmt.Errorf("creating folder %s: %w", w.path(rel), err)
		}
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symlink: render-exec never writes through a symlink", w.path(rel))
	case !fi.IsDir():
		return fmt.Errorf("cannot write under %s: it is not a folder", w.path(rel))
	}
	return nil
}

// checkTarget accepts a path to write when nothing or a regular file is there.
func (w *pkgWriter) checkTarget(rel string) error {
	if !filepath.IsLocal(rel) {
		return fmt.Errorf("refusing to write %s: outside the package %s", rel, w.dir)
	}
	fi, err := w.root.Lstat(rel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symlink: render-exec never writes through a symlink", w.path(rel))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("cannot write %s: it is not a regular file", w.path(rel))
	}
	return nil
}

func (w *pkgWriter) syncFolders(folders map[string]bool) error {
	for _, rel := range slices.Sorted(maps.Keys(folders)) {
		d, err := w.root.Open(rel)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed as it became empty
		}
		if err != nil {
			return err
		}
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("syncing folder %s: %w", w.path(rel), err)
		}
	}
	return nil
}

// removeAll removes files (regular files only, never through a symlink). The folders
// they leave empty stay, as kpt leaves them: render-exec removes no folder it did not
// make.
func (w *pkgWriter) removeAll(rels []string) error {
	folders := map[string]bool{}
	for _, rel := range slices.Sorted(slices.Values(rels)) {
		if err := w.checkTarget(rel); err != nil {
			return err
		}
		if err := w.root.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", w.path(rel), err)
		}
		folders[filepath.Dir(rel)] = true
	}
	return w.syncFolders(folders)
}
