package profile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/noxenv/noxenv/store"
)

// idFile, in the state directory, holds its id: random, made on first use,
// so that state directories at the same path on different machines (one
// account's node-local homes) are told apart, and a state directory keeps
// its id wherever it is moved.
const idFile = "id"

// RecordOwner is the owner under which the roots of stateDir are recorded
// in stores: the user's uid and the state directory's id, made on first
// use.
func RecordOwner(stateDir string) (store.Owner, error) {
	id, err := stateID(stateDir)
	if err != nil {
		return store.Owner{}, err
	}
	host, _ := os.Hostname()
	uid := os.Getuid()
	return store.Owner{
		Name:   strconv.Itoa(uid) + "-" + id,
		Origin: store.Origin{UID: uid, Host: host, StateDir: filepath.Clean(stateDir)},
	}, nil
}

// stateID reads the id of stateDir, making it if there is none yet. Two
// processes making it at once agree on the first one linked into place.
func stateID(stateDir string) (string, error) {
	p := filepath.Join(stateDir, idFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		if err = makeStateID(stateDir, p); err == nil {
			b, err = os.ReadFile(p)
		}
	}
	if err != nil {
		return "", fmt.Errorf("state directory id: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if len(id) != 16 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", fmt.Errorf("state directory id %s: not 16 hex digits", p)
	}
	return id, nil
}

func makeStateID(stateDir, p string) error {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return err
	}
	var raw [8]byte
	rand.Read(raw[:])
	f, err := os.CreateTemp(stateDir, ".tmp-id-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(hex.EncodeToString(raw[:]) + "\n")
	if err == nil {
		// Others sharing a store read it before releasing its records.
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// A link, unlike a rename, never replaces the id another
		// process made meanwhile.
		err = os.Link(f.Name(), p)
	}
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	return err
}

// recordRoots records in the stores of sp that the generation dir keeps
// the entries at paths alive, as a root of the state directory holding
// gensDir, so that a gc from any other state directory keeps them.
// Realize calls it while its caller holds Guard(false).
func recordRoots(sp *store.SearchPath, gensDir, dir string, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	owner, err := RecordOwner(filepath.Dir(gensDir))
	if err != nil {
		return err
	}
	return sp.RecordRoots(owner, filepath.Base(dir), paths)
}

// entryPaths returns the paths of entries.
func entryPaths(entries []*store.Entry) []string {
	paths := make([]string, len(entries))
	for i, e := range entries {
		paths[i] = e.Path
	}
	return paths
}

// Presence is what this host can tell of a state directory that records
// roots in a store.
type Presence int

const (
	// Unknown: on another host, or unreadable from here.
	Unknown Presence = iota
	// Present: on this host, holding the owner's id.
	Present
	// Gone: on this host, and no longer there (or another state
	// directory, with another id, is at its path now).
	Gone
)

// PresenceOf tells whether the state directory that records as owner, from
// origin, is still there.
func PresenceOf(owner string, origin store.Origin) Presence {
	host, _ := os.Hostname()
	if origin.Host != host || origin.StateDir == "" {
		return Unknown
	}
	b, err := readID(filepath.Join(origin.StateDir, idFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Gone
	case err != nil:
		return Unknown
	case strconv.Itoa(origin.UID)+"-"+strings.TrimSpace(string(b)) == owner:
		return Present
	}
	return Gone
}

// readID reads a state directory's id file at p, a path that whoever
// writes a group store chose (its origin): without waiting for a FIFO's
// writer, and only from a regular file.
func readID(p string) ([]byte, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", p)
	}
	return io.ReadAll(io.LimitReader(f, 1<<10))
}
