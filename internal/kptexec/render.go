package kptexec

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
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
	// Bin is the folder holding the function binaries. When set, every meshfn function
	// a Kptfile names must be there, and kpt's PATH starts with it.
	Bin string
	// Env is kpt's environment (os.Environ() when nil). Without Bin, its PATH must find
	// the function binaries, since exec entries name them without a folder.
	Env []string
	// Stdout and Stderr receive kpt's output; discarded when nil.
	Stdout, Stderr io.Writer
	// AllowPackageExec lets the package's own `exec:` entries run: any program its
	// Kptfiles name, with the rights of the user. Without it such a package is refused
	// before kpt starts, and only meshfn's functions run, in place of their images.
	AllowPackageExec bool
}

// Render renders the kpt package at dir in exec mode: it copies the package into a
// temporary folder, rewrites the copy's meshfn image references into exec entries, runs
// `kpt fn render --allow-exec` there, restores the image references and writes back the
// files that changed, removing the files the render removed. When kpt fails, or ctx is
// done before the write-back, nothing in dir is touched.
//
// The only programs kpt runs are meshfn's functions in place of their images (see
// execKptfile), unless opts.AllowPackageExec. A render that would remove a Kptfile, a
// function config or every resource file of a package, or write a file that is not a
// resource file, is not written back.
//
// The write-back never leaves dir and never follows a symlink: a package holding one is
// refused before anything runs. Each file is replaced atomically (a temporary file in
// its folder, renamed over it), so a render killed while writing leaves every file as it
// was or as rendered, and rendering again completes it: the next render removes the
// temporary files the journal of the killed one names, and nothing else.
//
// Top-level entries the package's .krmignore names (plain names or glob patterns), and
// .git, are neither copied nor compared.
func Render(ctx context.Context, dir string, opts Options) error {
	dir, err := filepath.Abs(dir)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return err
	}
	unlock, err := lockTree(dir)
	if err != nil {
		return err
	}
	defer unlock()
	pkg, err := openPackage(dir)
	if err != nil {
		return err
	}
	defer pkg.Close()
	ws := workspaceFor(dir)
	if err := removeLeftovers(pkg, ws); err != nil {
		return err
	}
	defer os.RemoveAll(ws.dir)
	ignored, err := readIgnore(dir)
	if err != nil {
		return err
	}
	source, err := readTree(dir, ignored)
	if err != nil {
		return err
	}
	noteTempNames(source, dir, opts.Stderr)
	images, err := copyForExec(source, dir, ws.work(dir), opts.AllowPackageExec)
	if err != nil {
		return err
	}
	if err := runKpt(ctx, ws.work(dir), images, opts); err != nil {
		return fmt.Errorf("kpt fn render of %s (exec mode): %w", dir, err)
	}
	rendered, err := readTree(ws.work(dir), ignored)
	if err != nil {
		return err
	}
	if err := checkRemovals(dir, source, rendered); err != nil {
		return err
	}
	changed, removed := changes(source, rendered, images)
	if err := checkResourcesOnly(dir, changed, removed); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := pkg.writeAll(changed, ws.record); err != nil {
		return err
	}
	return pkg.removeAll(removed)
}

// removeLeftovers removes the temporary files the journal of a killed render names, then
// makes the workspace afresh.
func removeLeftovers(pkg *pkgWriter, ws workspace) error {
	temps, err := ws.leftovers()
	if err != nil {
		return err
	}
	if err := pkg.removeAll(temps); err != nil {
		return err
	}
	return ws.reset()
}

// noteTempNames tells about files named like temporary files that no journal proves
// render-exec's (left by a render killed under another TMPDIR, or the user's own): they
// are files of the package, rendered and kept as any other.
func noteTempNames(files map[string]file, dir string, w io.Writer) {
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		if isTempName(rel) && w != nil {
			fmt.Fprintf(w, "render-exec: %s is named like a temporary file of render-exec, but no journal of a killed render names it: it is kept\n",
				filepath.Join(dir, rel))
		}
	}
}

// copyForExec writes the package's files into work, its Kptfiles' image references
// rewritten to exec entries (execKptfile), and returns which references it replaced, by
// Kptfile. Every Kptfile is checked before anything is written.
func copyForExec(files map[string]file, dir, work string, allowPackageExec bool) (map[string]Images, error) {
	images := map[string]Images{}
	data := map[string][]byte{}
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		data[rel] = files[rel].data
		if filepath.Base(rel) == "Kptfile" {
			var err error
			if data[rel], images[rel], err = execKptfile(rel, files[rel].data, files, allowPackageExec); err != nil {
				return nil, fmt.Errorf("%s: %w", filepath.Join(dir, rel), err)
			}
		}
	}
	for rel, f := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(work, rel)), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(work, rel), data[rel], f.mode); err != nil {
			return nil, err
		}
	}
	return images, nil
}

// runKpt runs `kpt fn render --allow-exec` in work, with the function binaries from
// opts.Bin (each function the Kptfiles name must be there) or from opts.Env's PATH.
func runKpt(ctx context.Context, work string, images map[string]Images, opts Options) error {
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	if opts.Bin != "" {
		bin, err := filepath.Abs(opts.Bin)
		if err != nil {
			return err
		}
		if err := checkBinaries(bin, images); err != nil {
			return err
		}
		env = append(slices.Clip(env), "PATH="+bin+string(os.PathListSeparator)+getenv(env, "PATH"))
	}
	kpt := opts.Kpt
	if kpt == "" {
		kpt = "kpt"
	}
	cmd := exec.CommandContext(ctx, kpt, append(append([]string{"fn", "render", "--allow-exec"}, opts.Args...), ".")...)
	cmd.Dir = work
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = opts.Stdout, opts.Stderr
	return cmd.Run()
}

// checkBinaries makes sure that bin holds an executable for every function the Kptfiles
// name by image, so that kpt does not fall back to another one on PATH.
func checkBinaries(bin string, images map[string]Images) error {
	var missing []string
	for _, imgs := range images {
		for name := range imgs {
			fi, err := os.Stat(filepath.Join(bin, name))
			if (err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0) && !slices.Contains(missing, name) {
				missing = append(missing, name)
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("function binaries %s not found in %s (build them with `make build`, or pass -bin)",
			strings.Join(missing, ", "), bin)
	}
	return nil
}

// getenv is the value of key in env (the last one wins, as in os/exec).
func getenv(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// changes compares the rendered files (image references restored) with the source:
// the files to write, and those to remove.
func changes(source, rendered map[string]file, images map[string]Images) (changed map[string]file, removed []string) {
	changed = map[string]file{}
	for rel, f := range rendered {
		if filepath.Base(rel) == "Kptfile" {
			f.data = ToImages(f.data, images[rel])
		}
		if old, ok := source[rel]; ok && bytes.Equal(old.data, f.data) {
			continue
		}
		changed[rel] = f
	}
	for rel := range source {
		if _, ok := rendered[rel]; !ok {
			removed = append(removed, rel)
		}
	}
	return changed, removed
}
