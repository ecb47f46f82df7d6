package kptexec

import (
	"errors"
	"fmt"
	"os"
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
