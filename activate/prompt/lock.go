package prompt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
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

// LockPath returns the lock file of the .noxprofile file.
func LockPath(file string) string {
	return filepath.Join(filepath.Dir(file), LockName)
}

// NewLock returns an empty lock.
func NewLock() *Lock {
	return &Lock{Version: lockVersion, Packages: map[string]Pin{}}
}

// ReadLock reads the lock at path; a missing file is an empty lock.
func ReadLock(path string) (*Lock, error) {
	data, err := readOptional(path)
	if err != nil {
		return nil, err
	}
	return ParseLock(path, data)
}

// ParseLock reads data, the lock at path (nil: no file, an empty lock).
func ParseLock(path string, data []byte) (*Lock, error) {
	l := NewLock()
	if data == nil {
		return l, nil
	}
	if err := json.Unmarshal(data, l); err != nil {
		return nil, newBadLockError(path, data, err)
	}
	if l.Version > lockVersion {
		return nil, fmt.Errorf("%s: format version %d is newer than this noxenv knows (%d)", path, l.Version, lockVersion)
	}
	if l.Packages == nil {
		l.Packages = map[string]Pin{}
	}
	return l, nil
}

// PinChanges returns the requests whose pin differs from before to
// after, in the order of their names.
func PinChanges(before, after *Lock) []PinChange {
	reqs := slices.Collect(maps.Keys(after.Packages))
	for req := range before.Packages {
		if _, ok := after.Packages[req]; !ok {
			reqs = append(reqs, req)
		}
	}
	slices.Sort(reqs)
	var changes []PinChange
	for _, req := range reqs {
		if old, now := before.Packages[req], after.Packages[req]; old != now {
			changes = append(changes, PinChange{Request: req, Old: old.ID, New: now.ID, OldHash: old.Hash, NewHash: now.Hash})
		}
	}
	return changes
}

// lockPinChanges returns the pin changes from the lock content before to
// after, both of the lock at path (nil: none).
func lockPinChanges(path string, before, after []byte) ([]PinChange, error) {
	b, err := ParseLock(path, before)
	if err != nil {
		return nil, err
	}
	a, err := ParseLock(path, after)
	if err != nil {
		return nil, err
	}
	return PinChanges(b, a), nil
}

// badLockError is a lock file that is not a lock.
type badLockError struct {
	path      string
	line, col int // of the fault, 0 when unknown
	what      string
	err       error
}

// newBadLockError places err, the decoder's error for data, in the file.
func newBadLockError(path string, data []byte, err error) *badLockError {
	e := &badLockError{path: path, what: "not a lock", err: err}
	var offset int64
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		e.what, offset = "not valid JSON", syntax.Offset
	case errors.As(err, &typ):
		e.what, offset = fmt.Sprintf("not a lock: %s has the wrong type", typ.Field), typ.Offset
	}
	// The decoder's offset is just past the faulty byte.
	if pos := int(offset) - 1; pos >= 0 && pos <= len(data) {
		before := data[:pos]
		e.line = bytes.Count(before, []byte("\n")) + 1
		e.col = pos - bytes.LastIndexByte(before, '\n')
	}
	return e
}

func (e *badLockError) Error() string {
	if e.line == 0 {
		return fmt.Sprintf("%s: %s", e.path, e.what)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.path, e.line, e.col, e.what)
}
func (e *badLockError) Unwrap() error { return e.err }

// Hint says how to start the lock again.
func (e *badLockError) Hint() string {
	return "repair it, or delete it and run 'noxenv lock' to pin the requests again"
}

// Marshal returns the lock as written: stable, indented, one pin a line,
// constraints as written (>=1.2, not \u003e=1.2).
func (l *Lock) Marshal() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(l) // a map of strings always encodes
	return b.Bytes()
}

// PinChange is a request whose pin a Relock changed: Old is "" for a
// request newly locked, New is "" for one no longer used. OldHash and
// NewHash are the pins' content hashes.
type PinChange struct {
	Request          string
	Old, New         string
	OldHash, NewHash string
}
