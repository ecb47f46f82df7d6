package kptexec

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

type file struct {
	data []byte
	mode fs.FileMode
}

// readTree reads every regular file under dir by its path relative to dir, skipping .git
// and the ignored top-level entries. A package holds folders and regular files only: a
// symlink (wherever it points) or any other kind of file is an error naming it, so that
// nothing is read or written through it.
func readTree(dir string, ignored []string) (map[string]file, error) {
	files := map[string]file{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if rel != "." && !strings.Contains(rel, string(filepath.Separator)) && isIgnored(d.Name(), ignored) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			return fmt.Errorf("%s is a symlink (to %s): render-exec neither follows nor copies symlinks; replace it by the file or folder", path, target)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file (%s)", path, d.Type())
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files[rel] = file{data: data, mode: info.Mode().Perm()}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading package %s: %w", dir, err)
	}
	return files, nil
}

func isIgnored(name string, patterns []string) bool {
	if name == ".git" {
		return true
	}
	return slices.ContainsFunc(patterns, func(p string) bool {
		ok, _ := filepath.Match(p, name)
		return ok
	})
}

// readIgnore reads the top-level names of the package's .krmignore (comments and blank
// lines skipped, a leading or trailing slash dropped).
func readIgnore(dir string) ([]string, error) {
	path := filepath.Join(dir, ".krmignore")
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file (%s)", path, fi.Mode().Type())
	}
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var patterns []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.Trim(strings.TrimSpace(sc.Text()), "/")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		patterns = append(patterns, line)
	}
	return patterns, sc.Err()
}
