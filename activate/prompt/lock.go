package prompt

import (
	"errors"
	"maps"
	"path/filepath"
	"slices"
)

// LockName is the name of the lock file beside a .noxprofile.
const LockName = ".noxprofile.lock"

// LockVersion is the format version written in lock files.
const LockVersion = 1

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
	return &Lock{Version: LockVersion, Packages: map[string]Pin{}}
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
// Package activate sets it, with encoding/json, which the prompt's front
// does not link: the front leaves a project whose lock it would have to
// read (a lock changed since 'noxenv allow') to noxenv.
var ParseLock func(path string, data []byte) (*Lock, error)

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
	if ParseLock == nil {
		return nil, errors.New("the lock was not read")
	}
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

// PinChange is a request whose pin a Relock changed: Old is "" for a
// request newly locked, New is "" for one no longer used. OldHash and
// NewHash are the pins' content hashes.
type PinChange struct {
	Request          string
	Old, New         string
	OldHash, NewHash string
}
