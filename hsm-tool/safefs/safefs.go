// Package safefs opens the files hsm-tool reads and writes the way a CA tool must.
//
//   - A folder is reached as the kernel reaches it, one component after the other from
//     the folder it starts at, never through filepath.Clean (which turns "link/../c2"
//     into "c2" while the kernel goes through link). In a relative path (what a
//     repository holds, and a pull request can turn into a symlink to anywhere) a symlink
//     among the folders is refused; an absolute path is the operator's own and is
//     followed. The folder stays open, so a folder swapped for a link afterwards changes
//     nothing: files are then opened, created and renamed relative to it.
//   - A file is opened without blocking and refused unless it is a regular file: a named
//     pipe planted where a file belongs (a lock file in /run/lock, which any user can
//     write, an audit log, an input) would otherwise block hsm-tool forever.
package safefs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Split returns the folder and the name of the file path names, as the kernel reads
// them: the last component is the name, and everything before it the folder ("." when
// there is none). A path that does not end in a file name ("", "x/", "..") is an error.
func Split(path string) (dir, name string, err error) {
	i := strings.LastIndexByte(path, '/')
	dir, name = path[:i+1], path[i+1:]
	if name == "" || name == "." || name == ".." {
		return "", "", fmt.Errorf("%q does not name a file", path)
	}
	switch {
	case dir == "":
		dir = "."
	case dir != "/":
		dir = strings.TrimRight(dir, "/")
		if dir == "" {
			dir = "/"
		}
	}
	return dir, name, nil
}

// Join is the path of name in the folder dir, as the kernel will read it: unlike
// filepath.Join it cleans nothing ("link/.." stays, and goes through link).
func Join(dir, name string) string {
	if dir == "" {
		return name
	}
	return strings.TrimRight(dir, "/") + "/" + name
}

// OpenDir opens the folder dir for the *at system calls (File.Fd), creating the folders
// that are missing (0755) when create is set. In a relative dir, a component that is a
// symlink is an error naming it; an absolute dir is followed.
func OpenDir(dir string, create bool) (*os.File, error) {
	if filepath.IsAbs(dir) {
		if create {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("failed to create %s: %w", dir, err)
			}
		}
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("failed to open the folder %s: %w", dir, err)
		}
		return os.NewFile(uintptr(fd), dir), nil
	}
	fd, deepest, complete, err := walk(dir, create)
	if err != nil {
		return nil, err
	}
	if !complete {
		unix.Close(fd)
		return nil, fmt.Errorf("failed to open the folder %s: a folder below %s %w", dir, deepest, errMissing)
	}
	return os.NewFile(uintptr(fd), dir), nil
}

// CheckDir checks, without creating or changing anything, that OpenDir(dir, true)
// would open dir and a file could be created in it: the folders that exist are
// folders, none of a relative dir is a symlink, and the deepest one that exists is
// writable. A missing folder is no error (it would be created).
func CheckDir(dir string) error {
	if filepath.IsAbs(dir) {
		deepest := dir
		for {
			st, err := os.Stat(deepest)
			if err == nil && !st.IsDir() {
				return fmt.Errorf("%s is not a folder", deepest)
			}
			if err == nil || deepest == filepath.Dir(deepest) {
				break
			}
			deepest = filepath.Dir(deepest)
		}
		if err := unix.Access(deepest, unix.W_OK|unix.X_OK); err != nil {
			return fmt.Errorf("cannot write in %s: %w", deepest, err)
		}
		return nil
	}
	fd, deepest, _, err := walk(dir, false)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Faccessat(fd, ".", unix.W_OK|unix.X_OK, 0); err != nil {
		return fmt.Errorf("cannot write in %s: %w", deepest, err)
	}
	return nil
}

// errMissing marks a folder of the path that does not exist.
var errMissing = errors.New("does not exist")

// walk opens the relative folder dir component by component from the current folder,
// never following a symlink, creating what is missing when create is set. Otherwise a
// missing folder ends the walk, not complete. It returns the deepest folder reached,
// open, and its path as written.
func walk(dir string, create bool) (fd int, deepest string, complete bool, err error) {
	fd = unix.AT_FDCWD
	var walked []string // the components so far, as written, for messages
	complete = true
	for _, c := range strings.Split(dir, "/") {
		if c == "" || c == "." {
			continue
		}
		next, err := openFolder(fd, c, create)
		if errors.Is(err, unix.ENOENT) && !create {
			complete = false
			break
		}
		if fd != unix.AT_FDCWD {
			unix.Close(fd)
		}
		walked = append(walked, c)
		if err != nil {
			return -1, "", false, folderError(dir, strings.Join(walked, "/"), err)
		}
		fd = next
	}
	deepest = strings.Join(walked, "/")
	if fd == unix.AT_FDCWD {
		if fd, err = unix.Open(".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
			return -1, "", false, fmt.Errorf("failed to open the current folder: %w", err)
		}
		deepest = "."
	}
	return fd, deepest, complete, nil
}

// errSymlink marks a symlink met among the folders of a relative path.
var errSymlink = errors.New("is a symlink: hsm-tool never writes through one")

// openFolder opens the folder name in the folder at, never following a symlink,
// creating it when it is missing and create is set.
func openFolder(at int, name string, create bool) (int, error) {
	const flags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	fd, err := unix.Openat(at, name, flags, 0)
	if errors.Is(err, unix.ENOENT) && create && name != ".." {
		if err := unix.Mkdirat(at, name, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
			return -1, err
		}
		fd, err = unix.Openat(at, name, flags, 0)
	}
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
		var st unix.Stat_t
		if unix.Fstatat(at, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return -1, errSymlink
		}
	}
	return fd, err
}

func folderError(dir, at string, err error) error {
	switch {
	case errors.Is(err, unix.ENOENT):
		return fmt.Errorf("%s %w (in %s)", at, errMissing, dir)
	case errors.Is(err, errSymlink):
		return fmt.Errorf("%s %w (in %s)", at, err, dir)
	case errors.Is(err, unix.ENOTDIR):
		return fmt.Errorf("%s is not a folder (in %s)", at, dir)
	}
	return fmt.Errorf("failed to open the folder %s: %w", at, err)
}

// OpenFile opens path with flag (os.O_* flags; perm when it creates the file) the way
// hsm-tool opens a file it writes: its folder with OpenDir (not creating it), the file
// itself never through a symlink and without blocking, and only a regular file. The
// returned file blocks again as files do.
func OpenFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	dir, name, err := Split(path)
	if err != nil {
		return nil, err
	}
	d, err := OpenDir(dir, false)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	fd, err := unix.Openat(int(d.Fd()), name, flag|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		// What is there tells more than the error (ELOOP for a symlink, ENXIO for a
		// pipe nobody reads).
		var st unix.Stat_t
		if unix.Fstatat(int(d.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT != unix.S_IFREG {
			if st.Mode&unix.S_IFMT == unix.S_IFLNK {
				return nil, fmt.Errorf("%s %w", path, errSymlink)
			}
			return nil, notRegular(path, st.Mode)
		}
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return regular(fd, path)
}

// OpenRead opens path for reading, following a symlink (an input is the operator's
// pick), without blocking, and only when it is a regular file.
func OpenRead(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return regular(fd, path)
}

// ReadFile reads the regular file path (OpenRead) when it holds at most max bytes.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := OpenRead(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return data, nil
}

// regular wraps fd as a file when it is a regular file, in blocking mode, and closes it
// otherwise.
func regular(fd int, path string) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, notRegular(path, st.Mode)
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

func notRegular(path string, mode uint32) error {
	return fmt.Errorf("%s is not a regular file (%s): hsm-tool reads and writes regular files only", path, kind(mode))
}

// kind names a file type.
func kind(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFIFO:
		return "a named pipe"
	case unix.S_IFDIR:
		return "a folder"
	case unix.S_IFCHR, unix.S_IFBLK:
		return "a device"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFLNK:
		return "a symlink"
	}
	return "not a file"
}
