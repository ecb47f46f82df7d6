package kptexec

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockPackage takes an exclusive lock on the package folder for as long as one Render
// works on it, so that a second render-exec of the same package fails at once instead of
// interleaving its writes. The lock goes with the process, even when it is killed.
func lockPackage(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another render-exec is rendering %s", dir)
		}
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return func() { f.Close() }, nil
}

// workDir makes the temporary folder a package is rendered in: one per package, in the
// system's temporary folder, named after the package's path. The caller holds the
// package's lock, so a folder of that name is left over from a render that was killed:
// it is removed first. The rendered copy goes in a subfolder named like the package
// (kpt names packages after their folder).
func workDir(dir string) (tmp, work string, err error) {
	sum := sha256.Sum256([]byte(dir))
	tmp = filepath.Join(os.TempDir(), "meshfn-render-"+hex.EncodeToString(sum[:8]))
	if err := os.RemoveAll(tmp); err != nil {
		return "", "", fmt.Errorf("removing what a killed render left in %s: %w", tmp, err)
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return "", "", err
	}
	return tmp, filepath.Join(tmp, filepath.Base(dir)), nil
}
