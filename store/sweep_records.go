package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// recordsDir is the directory of a store where each owner records the
// entries of that store its roots keep alive.
const recordsDir = ".noxroots"

// originFile, in an owner's directory of records, says where the owner's
// state directory is (hidden: it is not a record).
const originFile = ".origin"

// Owner is whose roots a record keeps: one state directory of one user.
type Owner struct {
	// Name is the directory of its records in each store: the user's uid
	// and the state directory's own id (a state directory's path does not
	// tell it apart: one account has the same home path on every node of a
	// cluster).
	Name   string
	Origin Origin
}

// Origin says where an owner's roots live, for whoever must decide whether
// that state directory is gone for good.
type Origin struct {
	UID      int    `json:"uid"`
	Host     string `json:"host"`
	StateDir string `json:"state_dir"`
}

// RootRecord is what one root of one owner keeps alive in a store: the
// file STORE/.noxroots/OWNER/KEY, one entry id a line. KEY names the root
// (a generation).
type RootRecord struct {
	Store *Store
	Owner string
	// Origin is the zero Origin when the owner did not say.
	Origin Origin
	Key    string
	IDs    []string
}

// RecordRoots records in every collectable store that key, a root of
// owner, keeps alive those of entries (entry paths) that lie in that
// store, so that a gc from another state directory keeps them too.
// Whoever makes a root calls it under Guard(false), before the guard is
// released. A record that exists is left alone (a key's content never
// changes), so that reusing a root costs one stat per store.
func (sp *SearchPath) RecordRoots(owner Owner, key string, entries []string) error {
	for _, st := range sp.Collectable() {
		if err := ensureRecord(st, owner, key, entries, noStep); err != nil {
			return err
		}
	}
	return nil
}

func noStep() error { return nil }

// ownerRecords is owner's directory of records in st.
func ownerRecords(st *Store, owner string) string {
	return filepath.Join(st.Dir, recordsDir, owner)
}

// ensureRecord writes the record of key in st, of those of entries (entry
// paths) that lie in st, unless it exists or none does. The ids are
// collected only to be written: reusing a generation finds its record.
func ensureRecord(st *Store, owner Owner, key string, entries []string, step func() error) error {
	if !slices.ContainsFunc(entries, func(e string) bool { _, ok := st.idIn(e); return ok }) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(ownerRecords(st, owner.Name), key)); err == nil {
		return nil
	}
	if err := step(); err != nil {
		return err
	}
	return writeRecord(st, owner, key, idsIn(st, entries))
}

// idsIn returns the ids of the entry paths that lie in st.
func idsIn(st *Store, entries []string) []string {
	var ids []string
	for _, e := range entries {
		if id, ok := st.idIn(e); ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// writeRecord writes the record of key in st atomically, making owner's
// directory (and its origin) first if needed.
func writeRecord(st *Store, owner Owner, key string, ids []string) error {
	dir, err := makeOwnerDir(st, owner)
	if err != nil {
		return fmt.Errorf("store %s: %w", st.Dir, err)
	}
	f, err := os.CreateTemp(dir, ".tmp-"+key+"-")
	if err != nil {
		return fmt.Errorf("store %s: %w", st.Dir, err)
	}
	_, err = f.WriteString(strings.Join(ids, "\n") + "\n")
	if err == nil {
		// Every user of the store reads every record, whatever the umask.
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, key))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("store %s: record root %s: %w", st.Dir, key, err)
	}
	return nil
}

// makeOwnerDir makes owner's directory of records in st, with its origin,
// unless it exists.
func makeOwnerDir(st *Store, owner Owner) (string, error) {
	dir := ownerRecords(st, owner.Name)
	err := os.Mkdir(dir, 0o755)
	if errors.Is(err, os.ErrNotExist) {
		if err = makeRecordsDir(st); err == nil {
			err = os.Mkdir(dir, 0o755)
		}
	}
	switch {
	case err == nil:
		return dir, writeOrigin(dir, owner.Origin)
	case errors.Is(err, os.ErrExist):
		return dir, nil
	}
	return "", err
}

// makeRecordsDir makes st's directory of records. Every user of a store
// others may write adds a directory of their own there; the sticky bit
// keeps each from removing the others'.
func makeRecordsDir(st *Store) error {
	top := filepath.Join(st.Dir, recordsDir)
	err := os.Mkdir(top, 0o755)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	fi, err := os.Stat(st.Dir)
	if err != nil {
		return err
	}
	return os.Chmod(top, fi.Mode().Perm()|os.ModeSticky)
}

func writeOrigin(dir string, o Origin) error {
	b, _ := json.Marshal(o)
	return WriteFileAtomic(filepath.Join(dir, originFile), append(b, '\n'), 0o644)
}

// readOrigin reads an owner's origin; a missing or unreadable one is the
// zero Origin, as the records themselves are what gc must read.
func readOrigin(dir string) Origin {
	var o Origin
	if b, err := os.ReadFile(filepath.Join(dir, originFile)); err == nil {
		json.Unmarshal(b, &o)
	}
	return o
}

// RootRecords reads the records of every owner in the collectable
// stores. Unreadable records are an error: gc must not delete what it
// cannot see is used.
func (sp *SearchPath) RootRecords() ([]RootRecord, error) {
	var out []RootRecord
	for _, st := range sp.Collectable() {
		top := filepath.Join(st.Dir, recordsDir)
		owners, err := os.ReadDir(top)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", st.Dir, err)
		}
		for _, o := range owners {
			if !o.IsDir() || strings.HasPrefix(o.Name(), ".") {
				continue
			}
			dir := filepath.Join(top, o.Name())
			keys, err := os.ReadDir(dir)
			if err != nil {
				return nil, fmt.Errorf("store %s: %w", st.Dir, err)
			}
			origin := readOrigin(dir)
			for _, k := range keys {
				if strings.HasPrefix(k.Name(), ".") {
					continue
				}
				ids, err := readRecord(filepath.Join(dir, k.Name()))
				if errors.Is(err, os.ErrNotExist) {
					continue // its owner's gc dropped it meanwhile
				}
				if err != nil {
					return nil, fmt.Errorf("store %s: %w", st.Dir, err)
				}
				out = append(out, RootRecord{Store: st, Owner: o.Name(), Origin: origin, Key: k.Name(), IDs: ids})
			}
		}
	}
	return out, nil
}

func readRecord(p string) ([]string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if id := strings.TrimSpace(sc.Text()); id != "" {
			ids = append(ids, id)
		}
	}
	return ids, sc.Err()
}

// SyncRecords makes owner's records in the collectable stores match roots
// (key to the entry paths it keeps alive): missing ones are written, and
// records of keys no longer rooted are removed, along with unfinished
// record files; the origin is brought up to date. Called by gc under
// Guard(true).
func (sp *SearchPath) SyncRecords(owner Owner, roots map[string][]string, step func() error) error {
	for _, st := range sp.Collectable() {
		for key, entries := range roots {
			if err := ensureRecord(st, owner, key, entries, step); err != nil {
				return err
			}
		}
		dir := ownerRecords(st, owner.Name)
		des, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store %s: %w", st.Dir, err)
		}
		if readOrigin(dir) != owner.Origin {
			if err := writeOrigin(dir, owner.Origin); err != nil {
				return fmt.Errorf("store %s: %w", st.Dir, err)
			}
		}
		for _, de := range des {
			if de.Name() == originFile || len(idsIn(st, roots[de.Name()])) > 0 {
				continue
			}
			if err := step(); err != nil {
				return err
			}
			if err := os.Remove(filepath.Join(dir, de.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("store %s: %w", st.Dir, err)
			}
		}
	}
	return nil
}

// ReleaseRecords removes every record of owner from the collectable
// stores: what only they kept alive goes at the next gc. It is how a
// state directory that is gone for good lets go. It returns the stores
// that held records of owner.
func (sp *SearchPath) ReleaseRecords(owner string) ([]*Store, error) {
	if owner == "" || owner != filepath.Base(owner) || strings.HasPrefix(owner, ".") {
		return nil, fmt.Errorf("%q is not an owner of records", owner)
	}
	var held []*Store
	for _, st := range sp.Collectable() {
		dir := ownerRecords(st, owner)
		if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			return held, fmt.Errorf("store %s: release %s: %w", st.Dir, owner, err)
		}
		held = append(held, st)
	}
	return held, nil
}
