//go:build cgo

package hsm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/meshfn/meshfn/hsm-tool/safefs"
)

// DefaultLockDir is where the lock files that serialize changes to a token live:
// /run/lock (Debian's and FHS's folder for lock files, shared by every process and
// user of the machine, emptied at boot), or the temporary folder where it is missing.
// Config.LockDir (the CLI's HSM_TOOL_LOCK_DIR) overrides it; every process changing
// one token must use the same folder.
func DefaultLockDir() string {
	if st, err := os.Stat("/run/lock"); err == nil && st.IsDir() {
		return "/run/lock"
	}
	return os.TempDir()
}

// tokenLockName is the lock file of a token, named after what identifies it across
// modules and processes: manufacturer, model and serial number (labels can repeat).
func tokenLockName(manufacturer, model, serial string) string {
	sum := sha256.Sum256([]byte(manufacturer + "\x00" + model + "\x00" + serial))
	return "hsm-tool-token-" + hex.EncodeToString(sum[:16]) + ".lock"
}

// lockFile takes an exclusive flock(2) on path, creating the file when needed, and
// waits for it as long as another process holds it. The kernel releases the lock when
// the process ends, so a crashed ceremony never leaves the token locked. The file is
// never removed (removing a lock file lets two processes lock two different files),
// and is readable by all so that every user's hsm-tool can lock it. It is opened with
// safefs: never through a symlink, never blocking, and only when it is a regular file
// (any user can plant a named pipe in /run/lock, which would block a plain open).
func lockFile(path string) (release func(), err error) {
	f, err := safefs.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("failed to open the token's lock file: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("failed to lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// lockPath is the lock file of the token in dir (DefaultLockDir when empty).
func lockPath(dir, manufacturer, model, serial string) string {
	if dir == "" {
		dir = DefaultLockDir()
	}
	return filepath.Join(dir, tokenLockName(manufacturer, model, serial))
}
