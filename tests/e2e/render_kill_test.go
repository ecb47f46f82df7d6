package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestKilledRenderLeavesEachFileOldOrNew kills render-exec (SIGKILL) at several points
// of its write-back, found by watching the package folder with inotify: at the first
// change to the package (while a large file is written) and after more and more changes
// (between files). After each kill every file must hold either its content from before
// the render or the rendered one; rendering again must give the whole rendered package,
// and leave no temporary file in the package or temporary folder behind.
func TestKilledRenderLeavesEachFileOldOrNew(t *testing.T) {
	kptPath(t)
	renderExec := filepath.Join(functionBin(t), "render-exec")
	before := killPackage(t)
	want := killRender(t, renderExec, before, -1).after

	for _, killAt := range []int{1, 2, 5, 20, 100, 300, 450, 550} {
		t.Run(fmt.Sprintf("killed at change %d", killAt), func(t *testing.T) {
			r := killRender(t, renderExec, before, killAt)
			if !r.killed {
				t.Logf("the render finished before change %d", killAt)
			}
			var old, rendered, temps int
			for name, got := range r.after {
				switch {
				case isTempName(name):
					temps++ // a temporary file of the killed run: the next render removes it
				case got == before[name]:
					old++
				case got == want[name]:
					rendered++
				default:
					t.Errorf("after the kill %s is neither as before (%d bytes) nor as rendered (%d bytes): %d bytes",
						name, len(before[name]), len(want[name]), len(got))
				}
			}
			t.Logf("after the kill: %d files as before, %d as rendered, %d temporary files", old, rendered, temps)
			for name := range want {
				if _, ok := r.after[name]; !ok {
					t.Errorf("after the kill %s is missing", name)
				}
			}
			out, ok := runEnv(t, r.dir, []string{"TMPDIR=" + r.tmp}, renderExec, "-bin", functionBin(t), ".")
			if !ok {
				t.Fatalf("rendering again failed:\n%s", out)
			}
			if d := diffTrees(want, snapshot(t, r.dir)); d != "" {
				t.Errorf("rendering again did not give the rendered package:\n%s", d)
			}
			if left, _ := os.ReadDir(r.tmp); len(left) > 0 {
				t.Errorf("rendering again left %s in the temporary folder", left[0].Name())
			}
		})
	}
}

// isTempName reports whether a package file is a temporary file of render-exec.
func isTempName(name string) bool {
	return strings.HasPrefix(filepath.Base(name), ".meshfn-render-")
}

// killPackage is a package in which a render changes every file: a Namespace with an
// 2 MB annotation and 200 small Namespaces, all moved to another revision. It returns
// the files, the Kptfile already edited for the new revision.
func killPackage(t *testing.T) map[string]string {
	files := map[string]string{
		"Kptfile": "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: kill\npipeline:\n  mutators:\n" +
			"    - image: ghcr.io/meshfn/set-namespace-revision:" + version(t) + "\n" +
			"      configMap:\n        revision: new\n        selector: mesh=on\n",
	}
	ns := func(name, annotation string) string {
		return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name +
			"\n  annotations:\n    note: \"" + annotation + "\"\n  labels:\n    mesh: \"on\"\n    istio.io/rev: old\n"
	}
	files["big.yaml"] = ns("big", strings.Repeat("x", 2<<20))
	for i := range 200 {
		files[fmt.Sprintf("ns-%03d.yaml", i)] = ns(fmt.Sprintf("ns-%03d", i), "small")
	}
	return files
}

type killResult struct {
	dir, tmp string            // the package, and the TMPDIR render-exec ran with
	after    map[string]string // the package after the kill
	killed   bool              // whether the kill came before render-exec finished
}

// killRender writes files into a new package, renders it with render-exec and kills it
// (SIGKILL) as soon as the package has seen killAt changes (never when killAt < 0).
func killRender(t *testing.T, renderExec string, files map[string]string, killAt int) killResult {
	t.Helper()
	r := killResult{dir: filepath.Join(t.TempDir(), "kill"), tmp: t.TempDir()}
	for name, data := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(r.dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	watch := watchFolder(t, r.dir)
	defer watch.close()
	cmd := exec.Command(renderExec, "-bin", functionBin(t), ".")
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "TMPDIR="+r.tmp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if killAt > 0 && watch.waitFor(killAt, done) {
		r.killed = cmd.Process.Signal(unix.SIGKILL) == nil
	}
	if err := <-done; err != nil && !r.killed {
		t.Fatalf("render-exec failed: %v\n%s", err, out.String())
	}
	r.after = snapshot(t, r.dir)
	return r
}

// folderWatch counts the changes (created, written, moved in, deleted) to the files of
// one folder.
type folderWatch struct {
	f       *os.File
	changes atomic.Int64
	changed chan struct{} // ready when changes grew
}

func watchFolder(t *testing.T, dir string) *folderWatch {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CREATE|unix.IN_MODIFY|unix.IN_MOVED_TO|unix.IN_DELETE); err != nil {
		t.Fatalf("inotify: %v", err)
	}
	w := &folderWatch{f: os.NewFile(uintptr(fd), "inotify"), changed: make(chan struct{}, 1)}
	go w.read()
	return w
}

// read counts events until the watch is closed.
func (w *folderWatch) read() {
	buf := make([]byte, 64<<10)
	for {
		k, err := w.f.Read(buf)
		if err != nil {
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= k; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			off += unix.SizeofInotifyEvent + int(ev.Len)
			w.changes.Add(1)
		}
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
}

// waitFor blocks until n changes have happened (true) or done is ready (false; the
// process's result is put back).
func (w *folderWatch) waitFor(n int, done chan error) bool {
	for w.changes.Load() < int64(n) {
		select {
		case <-w.changed:
		case err := <-done:
			done <- err
			return false
		}
	}
	return true
}

func (w *folderWatch) close() { w.f.Close() }
