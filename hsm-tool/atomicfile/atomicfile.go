// Package atomicfile writes files so that an interrupted run leaves either the old file or
// the new one: the data goes to a temporary file in the same folder, is synced, gets its
// mode, and is renamed over the target.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Modes for what hsm-tool writes: public material, and anything sensitive.
const (
	Public  os.FileMode = 0o644
	Private os.FileMode = 0o600
)

// Write replaces path with data, atomically, with the given mode.
func Write(path string, data []byte, mode os.FileMode) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("failed to create a temporary file beside %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("failed to set the mode of %s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("failed to sync %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("failed to close %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("failed to replace %s: %w", path, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// WriteAll writes several files, each atomically; it checks first that every folder
// exists, so a missing folder fails before any file is written.
func WriteAll(files []File) error {
	for _, f := range files {
		if st, err := os.Stat(filepath.Dir(f.Path)); err != nil || !st.IsDir() {
			return fmt.Errorf("failed to write %s: folder %s does not exist", f.Path, filepath.Dir(f.Path))
		}
	}
	for _, f := range files {
		if err := Write(f.Path, f.Data, f.Mode); err != nil {
			return err
		}
	}
	return nil
}

// File is one file for WriteAll.
type File struct {
	Path string
	Data []byte
	Mode os.FileMode
}
