package kptexec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// lockTree takes the locks that keep two renders from writing the same files, for as
// long as one Render works: an exclusive lock on the package folder dir and a shared
// lock on every folder above it, up to the file system's root. A render writes the
// whole tree under its package, so a render of a package and one of a folder inside it
// (a subpackage) exclude each other whichever starts first, as do two renders of one
// package; renders of folders side by side, neither inside the other, run at once. The
// second render fails at once, naming the folder it found locked. Locks are flock(2)
// locks: they go with the process, even when it is killed.
//
// dir must be absolute, its symlinks resolved, so that the folders above it are the
// real ones. A folder above it that this user cannot open is skipped: this user cannot
// read it, so cannot render it either.
func lockTree(dir string) (unlock func(), err error) {
	var held []*os.File
	unlock = func() {
		for _, f := range held {
			f.Close()
		}
	}
	f, err := lockFolder(dir, syscall.LOCK_EX)
	if err != nil {
		return nil, lockError(err, dir, dir)
	}
	held = append(held, f)
	for d := dir; filepath.Dir(d) != d; {
		d = filepath.Dir(d)
		f, err := lockFolder(d, syscall.LOCK_SH)
		if errors.Is(err, fs.ErrPermission) {
			continue
		}
		if err != nil {
			unlock()
			return nil, lockError(err, dir, d)
		}
		held = append(held, f)
	}
	return unlock, nil
}

// lockFolder opens a folder and locks it (how: LOCK_EX or LOCK_SH) without waiting.
func lockFolder(dir string, how int) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// lockError says why the render of dir could not lock the folder at.
func lockError(err error, dir, at string) error {
	switch {
	case !errors.Is(err, syscall.EWOULDBLOCK):
		return fmt.Errorf("locking %s: %w", at, err)
	case at == dir:
		return fmt.Errorf("another render-exec is rendering %s, or a package inside it", dir)
	}
	return fmt.Errorf("another render-exec is rendering %s, which holds %s", at, dir)
}
