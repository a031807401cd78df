//go:build unix

package sweep

import (
	"errors"
	"os"
	"syscall"
)

// lockRun takes the lock of a run, the file path, without waiting: it reports false when
// another process holds it. The kernel drops the lock when its holder exits, however it
// exits, so a killed sweep leaves no stale lock.
func lockRun(path string) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return func() { f.Close() }, true, nil
}
