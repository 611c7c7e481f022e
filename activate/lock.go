package activate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LockName is the name of the lock file beside a .noxprofile.
const LockName = ".noxprofile.lock"

// lockVersion is the format version written in lock files.
const lockVersion = 1

// Lock is a project's .noxprofile.lock: each use request pinned to the
// entry it resolved to.
type Lock struct {
	Version int `json:"version"`
	// Packages maps a request as written (NAME or NAME@CONSTRAINT) to its
	// pinned entry.
	Packages map[string]Pin `json:"packages"`
}

// Pin is the entry a request is locked to.
type Pin struct {
	ID   string `json:"id"`
	Hash string `json:"hash,omitempty"` // empty for a plain entry
}

// lockPath returns the lock file of the .noxprofile file.
func lockPath(file string) string {
	return filepath.Join(filepath.Dir(file), LockName)
}

// readLock reads the lock at path; a missing file is an empty lock.
func readLock(path string) (*Lock, error) {
	l := &Lock{Version: lockVersion, Packages: map[string]Pin{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, l); err != nil {
		return nil, &badLockError{path, err}
	}
	if l.Version > lockVersion {
		return nil, fmt.Errorf("%s: format version %d is newer than this noxenv knows (%d)", path, l.Version, lockVersion)
	}
	if l.Packages == nil {
		l.Packages = map[string]Pin{}
	}
	return l, nil
}

// badLockError is a lock file that is not a lock.
type badLockError struct {
	path string
	err  error
}

func (e *badLockError) Error() string { return fmt.Sprintf("%s: %v", e.path, e.err) }
func (e *badLockError) Unwrap() error { return e.err }

// Hint says how to start the lock again.
func (e *badLockError) Hint() string {
	return "repair it, or delete it and run 'noxenv lock' to pin the requests again"
}

// marshal returns the lock as written: stable, indented, one pin a line,
// constraints as written (>=1.2, not \u003e=1.2).
func (l *Lock) marshal() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(l) // a map of strings always encodes
	return b.Bytes()
}
