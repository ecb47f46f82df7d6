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

// tempPrefix starts the name of every temporary file Render writes into a package. A
// file of that name found in a package is left over from a render that was killed, and
// is removed.
const tempPrefix = ".meshfn-render-"

func isTemp(name string) bool { return strings.HasPrefix(filepath.Base(name), tempPrefix) }

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

// writeAll replaces the files atomically, each on its own: all of them are first written
// to temporary files in their own folders and synced, then renamed over the old files,
// and the folders synced. Killed at any point, each file is either as before or as
// given; a temporary file left behind is removed by the next Render.
func (w *pkgWriter) writeAll(files map[string]file) error {
	var done []staged
	defer func() {
		for _, s := range done {
			w.root.Remove(s.temp) // not renamed: an earlier step failed
		}
	}()
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		s, err := w.stage(rel, files[rel])
		if err != nil {
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

// stage writes f to a new temporary file in the folder of rel (created if missing) and
// syncs it.
func (w *pkgWriter) stage(rel string, f file) (staged, error) {
	if err := w.makeFolders(filepath.Dir(rel)); err != nil {
		return staged{}, err
	}
	if err := w.checkTarget(rel); err != nil {
		return staged{}, err
	}
	var random [8]byte
	rand.Read(random[:])
	s := staged{rel: rel, temp: filepath.Join(filepath.Dir(rel), tempPrefix+filepath.Base(rel)+"-"+hex.EncodeToString(random[:]))}
	out, err := w.root.OpenFile(s.temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return staged{}, fmt.Errorf("writing %s: %w", w.path(rel), err)
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
		return staged{}, fmt.Errorf("writing %s: %w", w.path(rel), err)
	}
	return s, nil
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

// removeAll removes files, then the folders they leave empty.
func (w *pkgWriter) removeAll(rels []string) error {
	slices.Sort(rels)
	folders := map[string]bool{}
	for _, rel := range rels {
		if err := w.checkTarget(rel); err != nil {
			return err
		}
		if err := w.root.Remove(rel); err != nil {
			return fmt.Errorf("removing %s: %w", w.path(rel), err)
		}
		folders[filepath.Dir(rel)] = true
	}
	for _, rel := range slices.Backward(rels) {
		for d := filepath.Dir(rel); d != "."; d = filepath.Dir(d) {
			if w.root.Remove(d) != nil {
				break // not empty (or already gone)
			}
			delete(folders, d)
			folders[filepath.Dir(d)] = true
		}
	}
	return w.syncFolders(folders)
}
