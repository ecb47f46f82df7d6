// Package kptpackage reads a kpt package tree from disk as `kpt fn render` gives it to
// the pipeline of its root package, one file at a time: every file kpt reads as resources
// (the Kptfiles, *.yaml, *.yml and *.json, less what a .krmignore leaves out), of each
// subpackage first (in the order of their folders' paths, depth first) and then of the
// package itself, each resource with the annotations kpt gives it (its path and index in
// its file, relative to its own package, and its package's folder).
//
// It is how validate-mesh checks a rendered repository without kpt in the loop: kpt holds
// every resource of the tree in memory, several times over while a validator runs, where
// a reader of one file at a time holds one file.
package kptpackage

import (
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// PackagePathAnnotation is where kpt records each resource's package folder (absolute).
const PackagePathAnnotation = "internal.config.kubernetes.io/package-path"

const kptfileName = "Kptfile"

// matchKRM are the file names kpt reads as resources.
var matchKRM = append([]string{kptfileName}, kio.MatchAll...)

// File is one file of the tree whose resources kpt reads.
type File struct {
	// Package is the folder of the package the file belongs to (absolute).
	Package string
	// Path is the file's path from Package, slash-separated.
	Path string
	// top is the folder of the tree's root package, which Read never leaves.
	top string
}

// Files lists the files of the package tree at root in the order kpt's root pipeline
// receives their resources. A symbolic link among them is an error: kpt would read (and
// write back) through it, outside the package.
func Files(root string) ([]File, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("reading the package %s: %w", root, err)
	}
	if _, err := os.Stat(filepath.Join(abs, kptfileName)); err != nil {
		return nil, fmt.Errorf("reading the package %s: it has no Kptfile: %w", root, err)
	}
	var files []File
	return files, walkPackage(abs, abs, &files)
}

// walkPackage appends the files of the package at dir (its subpackages first) of the tree
// at top.
func walkPackage(top, dir string, files *[]File) error {
	subpackages, err := subpackagesOf(dir)
	if err != nil {
		return err
	}
	for _, sub := range subpackages {
		if err := walkPackage(top, sub, files); err != nil {
			return err
		}
	}
	// kyaml's reader decides which files are the package's own (its .krmignore, the
	// subpackages left out); listing them through its skip hook keeps its rules exactly.
	var own []string
	reader := kio.LocalPackageReader{
		PackagePath:     dir,
		PackageFileName: kptfileName,
		MatchFilesGlob:  matchKRM,
		FileSkipFunc: func(rel string) bool {
			for _, g := range matchKRM {
				if ok, _ := filepath.Match(g, filepath.Base(rel)); ok {
					own = append(own, rel)
					break
				}
			}
			return true
		},
	}
	if _, err := reader.Read(); err != nil {
		return fmt.Errorf("reading the package %s: %w", dir, err)
	}
	for _, rel := range own {
		fi, err := os.Lstat(filepath.Join(dir, rel))
		if err != nil {
			return fmt.Errorf("reading %s: %w", filepath.Join(dir, rel), err)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("reading %s: not a regular file (a symbolic link or device): refused, a package's files are read where they are", filepath.Join(dir, rel))
		}
		*files = append(*files, File{Package: dir, Path: filepath.ToSlash(rel), top: top})
	}
	return nil
}

// subpackagesOf returns the folders under dir that hold a Kptfile and are not inside
// another such folder, sorted by path, as kpt finds them (it looks into every folder but
// .git, whatever a .krmignore says).
func subpackagesOf(dir string) ([]string, error) {
	var subs []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading the package %s: %w", dir, err)
		}
		if path == dir || !d.IsDir() {
			return nil
		}
		if d.Name() == ".git" {
			return filepath.SkipDir
		}
		if fi, err := os.Lstat(filepath.Join(path, kptfileName)); err == nil && !fi.IsDir() {
			subs = append(subs, path)
			return filepath.SkipDir
		}
		return nil
	})
	slices.Sort(subs)
	return subs, err
}

// Read parses the file's resources as kpt does, with kpt's annotations. The file is
// opened as the kernel resolves its path, inside the tree's root folder only (os.Root: a
// folder swapped for a symlink since Files listed it cannot lead out), never through a
// symlink of its own, without blocking on a pipe, and only when it is a regular file.
func (f File) Read() ([]*yaml.RNode, error) {
	name := filepath.Join(f.Package, filepath.FromSlash(f.Path))
	root, err := os.OpenRoot(f.top)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	defer root.Close()
	rel, err := filepath.Rel(f.top, name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	file, err := root.OpenFile(rel, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	defer file.Close()
	if fi, err := file.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("reading %s: not a regular file: refused, a package's files are read where they are", name)
	}
	r := &kio.ByteReader{
		Reader:            file,
		DisableUnwrapping: true,
		PreserveSeqIndent: true,
		WrapBareSeqNode:   true,
		SetAnnotations: map[string]string{
			kioutil.PathAnnotation:       f.Path,
			kioutil.LegacyPathAnnotation: f.Path,
			PackagePathAnnotation:        f.Package,
		},
	}
	nodes, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return nodes, nil
}

// Resources yields every resource of the package tree at root, in the order of Files,
// reading one file at a time; it stops at the first error, which it yields.
func Resources(root string) iter.Seq2[*yaml.RNode, error] {
	return func(yield func(*yaml.RNode, error) bool) {
		files, err := Files(root)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, f := range files {
			nodes, err := f.Read()
			if err != nil {
				yield(nil, err)
				return
			}
			for i, n := range nodes {
				nodes[i] = nil
				if !yield(n, nil) {
					return
				}
			}
		}
	}
}
