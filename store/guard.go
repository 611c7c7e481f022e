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

// guard is a Guard held: its locks, and whether they are exclusive.
type guard struct {
	exclusive bool
	files     []*os.File
}

// Guard takes the gc lock of every managed, writable store of the path:
// shared (exclusive false) for whoever adds, resolves or realizes entries
// until the result is recorded as a root; exclusive for gc. Shared holders
// never block each other. The default user store, made on first write,
// and a store outside the path named to write to (WritableStore) are
// locked as they are taken, while the guard is held. release gives the
// locks back.
func (sp *SearchPath) Guard(exclusive bool) (release func(), err error) {
	g := &guard{exclusive: exclusive}
	release = func() {
		sp.guardMu.Lock()
		defer sp.guardMu.Unlock()
		for _, f := range g.files {
			f.Close() // closing drops the flock
		}
		g.files = nil
		delete(sp.guards, g)
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
		g.files = append(g.files, f)
	}
	sp.guardMu.Lock()
	defer sp.guardMu.Unlock()
	if sp.guards == nil {
		sp.guards = map[*guard]bool{}
	}
	sp.guards[g] = true
	return release, nil
}

// guardMade takes, for every guard held, the lock of the store st, made
// or taken from outside the path just now.
func (sp *SearchPath) guardMade(st *Store) error {
	sp.guardMu.Lock()
	defer sp.guardMu.Unlock()
	for g := range sp.guards {
		f, err := lockFile(filepath.Join(st.Dir, LockName), g.exclusive)
		if err != nil {
			return fmt.Errorf("store %s: %w", st.Dir, err)
		}
		g.files = append(g.files, f)
	}
	return nil
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
