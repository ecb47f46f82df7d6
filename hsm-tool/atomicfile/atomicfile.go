// Package atomicfile writes files so that an interrupted run leaves either the old files
// or the new ones: the data goes to temporary files in the target folders, is synced and
// gets its mode, and only when every file is written are they renamed over the targets.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
// creates missing folders, refuses a target that exists and is not a regular file (a
// folder, a symlink), writes and syncs every file under a temporary name, and renames
// them over their targets only when all are written. A failure before the renames
// leaves every target as it was and no temporary file behind.
func WriteAll(files []File) (err error) {
	for _, f := range files {
		if err := checkTarget(f.Path); err != nil {
			return err
		}
	}
	temps := make([]string, 0, len(files))
	defer func() {
		if err != nil {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()
	for _, f := range files {
		tmp, err := writeTemp(f)
		if err != nil {
			return err
		}
		temps = append(temps, tmp)
	}
	for i, f := range files {
		if err := os.Rename(temps[i], f.Path); err != nil {
			temps = temps[i:] // the renamed ones are in place
			return fmt.Errorf("failed to replace %s: %w", f.Path, err)
		}
	}
	for _, dir := range folders(files) {
		if d, derr := os.Open(dir); derr == nil {
			_ = d.Sync()
			d.Close()
		}
	}
	return nil
}

// checkTarget creates the folder of path and refuses a path that is not a regular file,
// or a relative path with a symlink among its folders.
func checkTarget(path string) error {
	if err := checkFolders(filepath.Dir(path)); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("failed to create the folder of %s: %w", path, err)
	}
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("failed to write %s: %w", path, err)
	case !st.Mode().IsRegular():
		return fmt.Errorf("failed to write %s: it exists and is not a regular file (%s)", path, st.Mode().Type())
	}
	return nil
}

// checkFolders refuses a relative folder path with a symlink among its existing folders:
// relative paths name what a repository holds, which a pull request can make a symlink to
// anywhere. An absolute path is the operator's own choice and is taken as it is.
func checkFolders(dir string) error {
	if filepath.IsAbs(dir) {
		return nil
	}
	dir = filepath.Clean(dir)
	if dir == "." {
		return nil
	}
	if err := checkFolders(filepath.Dir(dir)); err != nil {
		return err
	}
	st, err := os.Lstat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("failed to check %s: %w", dir, err)
	case st.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("%s is a symlink: hsm-tool never writes through one", dir)
	}
	return nil
}

// writeTemp writes f under a temporary name beside it and returns that name.
func writeTemp(f File) (name string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), "."+filepath.Base(f.Path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("failed to create a temporary file beside %s: %w", f.Path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(f.Mode); err != nil {
		return "", fmt.Errorf("failed to set the mode of %s: %w", f.Path, err)
	}
	if _, err = tmp.Write(f.Data); err != nil {
		return "", fmt.Errorf("failed to write %s: %w", f.Path, err)
	}
	if err = tmp.Sync(); err != nil {
		return "", fmt.Errorf("failed to sync %s: %w", f.Path, err)
	}
	if err = tmp.Close(); err != nil {
		return "", fmt.Errorf("failed to close %s: %w", f.Path, err)
	}
	return tmp.Name(), nil
}

// folders lists the folders of files, once each.
func folders(files []File) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		if d := filepath.Dir(f.Path); !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
