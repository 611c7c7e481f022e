package store

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// LockName is the gc lock of a managed store: shared by whoever adds,
// resolves or realizes entries, exclusive for gc.
const LockName = ".noxstore.lock"

// publishLockName serializes the last step of adds (rename into place and
// metadata) within one store; it is held for a few system calls only.
const publishLockName = ".publish.lock"

// Guard takes the gc lock of every managed, writable store of the path:
// shared (exclusive false) for whoever adds, resolves or realizes entries
// until the result is recorded as a root; exclusive for gc. Shared holders
// never block each other. release gives the locks back.
func (sp *SearchPath) Guard(exclusive bool) (release func(), err error) {
	var files []*os.File
	release = func() {
		for _, f := range files {
			f.Close() // closing drops the flock
		}
		files = nil
	}
	for _, st := range sp.Stores {
		if !st.Writable {
			continue
		}
		f, err := lockFile(filepath.Join(st.Dir, LockName), exclusive)
		if err != nil {
			release()
			return nil, fmt.Errorf("store %s: %w", st.Dir, err)
		}
		files = append(files, f)
	}
	return release, nil
}

// lockFile opens (creating) path and flocks it, waiting for other holders.
func lockFile(path string, exclusive bool) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, err
	}
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", filepath.Base(path), err)
	}
	return f, nil
}
