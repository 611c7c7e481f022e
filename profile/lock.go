package profile

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lock takes p's exclusive lock for a change, waiting for whoever holds
// it; a release profile is never changed. The lock is a flock on a hidden
// file beside the profile: the kernel releases it when its holder dies, so
// a killed change never leaves the profile locked.
func (p *Profile) lock() (unlock func(), err error) {
	if p.ReadOnly {
		return nil, &ReadOnlyError{p.Path}
	}
	if err := os.MkdirAll(p.dir(), 0o755); err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.Path, err)
	}
	path := filepath.Join(p.dir(), "."+p.base()+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("profile %s: lock: %w", p.Path, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("profile %s: lock: %w", p.Path, err)
	}
	return func() { f.Close() }, nil
}

// lockedGenerations takes p's lock and reads its generations under it; the
// caller releases the lock with unlock.
func (p *Profile) lockedGenerations() (gens []GenerationInfo, unlock func(), err error) {
	if unlock, err = p.lock(); err != nil {
		return nil, nil, err
	}
	if gens, err = p.Generations(); err != nil {
		unlock()
		return nil, nil, err
	}
	return gens, unlock, nil
}
