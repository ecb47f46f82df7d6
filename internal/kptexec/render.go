package kptexec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Options says how Render runs kpt.
type Options struct {
	// Kpt is the kpt binary; "kpt" (found on PATH) when empty.
	Kpt string
	// Args are more arguments for `kpt fn render`, after --allow-exec.
	Args []string
	// Env is kpt's environment (os.Environ() when nil). Its PATH must find the function
	// binaries, since exec entries name them without a folder.
	Env []string
	// Stdout and Stderr receive kpt's output; discarded when nil.
	Stdout, Stderr io.Writer
}

// Render renders the kpt package at dir in exec mode: it copies the package into a
// temporary folder, rewrites the copy's meshfn image references into exec entries, runs
// `kpt fn render --allow-exec` there, restores the image references and writes back the
// files that changed, removing the files the render removed. When kpt fails, nothing in
// dir is touched.
//
// Top-level entries the package's .krmignore names (plain names or glob patterns), and
// .git, are neither copied nor compared.
func Render(dir string, opts Options) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	ignored, err := readIgnore(dir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "meshfn-render-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	work := filepath.Join(tmp, filepath.Base(dir))

	source, err := readTree(dir, ignored)
	if err != nil {
		return err
	}
	images := map[string]Images{}
	for rel, f := range source {
		data := f.data
		if filepath.Base(rel) == "Kptfile" {
			if data, images[rel], err = ToExec(data); err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(dir, rel), err)
			}
		}
		if err := writeFile(filepath.Join(work, rel), data, f.mode); err != nil {
			return err
		}
	}

	kpt := opts.Kpt
	if kpt == "" {
		kpt = "kpt"
	}
	cmd := exec.Command(kpt, append(append([]string{"fn", "render", "--allow-exec"}, opts.Args...), ".")...)
	cmd.Dir = work
	cmd.Env = opts.Env
	cmd.Stdout, cmd.Stderr = opts.Stdout, opts.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("kpt fn render of %s (exec mode): %w", dir, err)
	}

	rendered, err := readTree(work, ignored)
	if err != nil {
		return err
	}
	for rel, f := range rendered {
		if filepath.Base(rel) == "Kptfile" {
			f.data = ToImages(f.data, images[rel])
		}
		if old, ok := source[rel]; ok && bytes.Equal(old.data, f.data) {
			continue
		}
		if err := writeFile(filepath.Join(dir, rel), f.data, f.mode); err != nil {
			return err
		}
	}
	var removed []string
	for rel := range source {
		if _, ok := rendered[rel]; !ok {
			removed = append(removed, rel)
		}
	}
	return removeFiles(dir, removed)
}

type file struct {
	data []byte
	mode fs.FileMode
}

// readTree reads every regular file under dir by its path relative to dir, skipping .git
// and the ignored top-level entries.
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
		if !d.Type().IsRegular() {
			return nil
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
	f, err := os.Open(filepath.Join(dir, ".krmignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
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

func writeFile(path string, data []byte, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// removeFiles removes files under dir, then the folders they leave empty.
func removeFiles(dir string, rels []string) error {
	slices.Sort(rels)
	for _, rel := range rels {
		if err := os.Remove(filepath.Join(dir, rel)); err != nil {
			return fmt.Errorf("removing %s: %w", filepath.Join(dir, rel), err)
		}
	}
	for _, rel := range slices.Backward(rels) {
		for d := filepath.Dir(rel); d != "."; d = filepath.Dir(d) {
			if os.Remove(filepath.Join(dir, d)) != nil {
				break // not empty (or already gone)
			}
		}
	}
	return nil
}
