// Package atomicfile writes files so that an interrupted run leaves either the old files
// or the new ones: the data goes to temporary files in the target folders, is synced and
// gets its mode, and only when every file is written are they renamed over the targets.
// The folders are reached with safefs, as the kernel resolves them, and kept open.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/meshfn/meshfn/hsm-tool/safefs"
	"golang.org/x/sys/unix"
)

// Modes for what hsm-tool writes: public material, and anything sensitive.
const (
	Public  os.FileMode = 0o644
	Private os.FileMode = 0o600
)

// File is one file for WriteAll.
type File struct {
	Path string
	Data []byte
	Mode os.FileMode
}

// Write replaces path with data, atomically, with the given mode.
func Write(path string, data []byte, mode os.FileMode) error {
	return WriteAll([]File{{Path: path, Data: data, Mode: mode}})
}

// WriteAll writes several files as one change, as far as a file system allows: it
// opens each file's folder as the kernel resolves it (safefs.OpenDir: missing folders are
// created, a symlink among the folders of a relative path is refused), refuses a target
// that exists and is not a regular file (a folder, a symlink, a pipe), writes and syncs
// every file under a temporary name in that open folder, and renames them over their
// targets only when all are written. A failure before the renames leaves every target as
// it was and no temporary file behind.
func WriteAll(files []File) (err error) {
	targets := make([]*target, 0, len(files))
	defer func() {
		for _, t := range targets {
			if err != nil && t.tmp != "" {
				_ = unix.Unlinkat(t.dirFD(), t.tmp, 0)
			}
			t.dir.Close()
		}
	}()
	for _, f := range files {
		t, err := openTarget(f.Path)
		if err != nil {
			return err
		}
		targets = append(targets, t)
	}
	for i, f := range files {
		if err := targets[i].writeTemp(f); err != nil {
			return err
		}
	}
	for i, t := range targets {
		if err := unix.Renameat(t.dirFD(), t.tmp, t.dirFD(), t.name); err != nil {
			for _, done := range targets[:i] {
				done.tmp = "" // in place
			}
			return fmt.Errorf("failed to replace %s: %w", files[i].Path, err)
		}
	}
	for _, t := range targets {
		t.tmp = ""
		_ = t.dir.Sync()
	}
	return nil
}

// Check tells, without creating or changing anything, whether WriteAll could write
// paths: their folders resolve (safefs.CheckDir) and what exists at each path is a
// regular file. A step runs it before it touches the token, so that a path WriteAll
// would refuse leaves the token as it was. WriteAll checks again when it writes.
func Check(paths ...string) error {
	for _, path := range paths {
		dirName, name, err := safefs.Split(path)
		if err != nil {
			return fmt.Errorf("failed to write %s: %w", path, err)
		}
		if err := safefs.CheckDir(dirName); err != nil {
			return fmt.Errorf("failed to write %s: %w", path, err)
		}
		st, err := os.Lstat(safefs.Join(dirName, name))
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return fmt.Errorf("failed to write %s: %w", path, err)
		case !st.Mode().IsRegular():
			return fmt.Errorf("failed to write %s: it exists and is not a regular file (%s)", path, st.Mode().Type())
		}
	}
	return nil
}

// target is where one file goes: its folder, open, and its name in it.
type target struct {
	dir  *os.File
	name string
	path string
	tmp  string // the temporary file's name in dir, once written
}

func (t *target) dirFD() int { return int(t.dir.Fd()) }

// openTarget opens the folder of path (creating it) and refuses a target that is not a
// regular file.
func openTarget(path string) (*target, error) {
	dirName, name, err := safefs.Split(path)
	if err != nil {
		return nil, fmt.Errorf("failed to write %s: %w", path, err)
	}
	dir, err := safefs.OpenDir(dirName, true)
	if err != nil {
		return nil, fmt.Errorf("failed to write %s: %w", path, err)
	}
	t := &target{dir: dir, name: name, path: path}
	var st unix.Stat_t
	switch err := unix.Fstatat(t.dirFD(), name, &st, unix.AT_SYMLINK_NOFOLLOW); {
	case errors.Is(err, unix.ENOENT):
		return t, nil
	case err != nil:
		dir.Close()
		return nil, fmt.Errorf("failed to write %s: %w", path, err)
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		dir.Close()
		return nil, fmt.Errorf("failed to write %s: it exists and is not a regular file (%s)", path, os.FileMode(st.Mode&0o170000).Type())
	}
	return t, nil
}

// writeTemp writes f under a new temporary name beside its target, with its mode, synced.
func (t *target) writeTemp(f File) (err error) {
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "." + t.name + ".tmp-" + hex.EncodeToString(suffix)
	fd, err := unix.Openat(t.dirFD(), name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(f.Mode.Perm()))
	if err != nil {
		return fmt.Errorf("failed to create a temporary file beside %s: %w", t.path, err)
	}
	t.tmp = name
	tmp := os.NewFile(uintptr(fd), name)
	defer func() {
		if cerr := tmp.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("failed to close %s: %w", t.path, cerr)
		}
	}()
	if err = tmp.Chmod(f.Mode); err != nil {
		return fmt.Errorf("failed to set the mode of %s: %w", t.path, err)
	}
	if _, err = tmp.Write(f.Data); err != nil {
		return fmt.Errorf("failed to write %s: %w", t.path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("failed to sync %s: %w", t.path, err)
	}
	return nil
}
