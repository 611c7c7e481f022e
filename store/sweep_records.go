package store

import (
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
	// Damaged, when not nil, says the record cannot be read as a list of
	// entries: IDs is empty, and what it keeps alive is unknown.
	Damaged *DamagedRecordError
}

// DamagedRecordError is a record that cannot be read as a list of entries
// (cut short, overwritten): a gc must not delete what it may keep alive.
type DamagedRecordError struct {
	Store  string
	Path   string
	Owner  string
	Origin Origin
	Reason string
}

func (e *DamagedRecordError) Error() string {
	return fmt.Sprintf("store %s: record %s is damaged (%s): gc cannot tell what it keeps alive", e.Store, e.Path, e.Reason)
}

// Hint says how the record goes away.
func (e *DamagedRecordError) Hint() string {
	from := "the state directory it belongs to"
	if e.Origin.StateDir != "" {
		from = fmt.Sprintf("%s (on %s)", e.Origin.StateDir, e.Origin.Host)
	}
	return fmt.Sprintf("a gc from %s writes it again; if that state directory is gone for good, run 'noxenv store release %s'", from, e.Owner)
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
	readFile(filepath.Join(dir, originFile), func(b []byte) error {
		if json.Unmarshal(b, &o) != nil {
			o = Origin{}
		}
		return nil
	})
	return o
}

// RootRecords reads the records of every owner in the collectable
// stores. Unreadable records are an error, and damaged ones are returned
// as such (Damaged): gc must not delete what it cannot see is used.
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
				p := filepath.Join(dir, k.Name())
				ids, err := readRecord(p)
				if errors.Is(err, os.ErrNotExist) {
					continue // its owner's gc dropped it meanwhile
				}
				rec := RootRecord{Store: st, Owner: o.Name(), Origin: origin, Key: k.Name(), IDs: ids}
				var reason damagedRecord
				switch {
				case errors.As(err, &reason):
					rec.Damaged = &DamagedRecordError{Store: st.Dir, Path: p, Owner: o.Name(), Origin: origin, Reason: string(reason)}
				case err != nil:
					return nil, fmt.Errorf("store %s: %w", st.Dir, err)
				}
				out = append(out, rec)
			}
		}
	}
	return out, nil
}

// damagedRecord says why a record is damaged.
type damagedRecord string

func (d damagedRecord) Error() string { return string(d) }

// readRecord reads the ids of a record, as writeRecord writes it: at least
// one, each an entry's name and each on a line of its own; anything else
// is a damagedRecord (nil ids).
//
// It reads without waiting: a FIFO in a record's place (a user of a
// group store can make one among records of their own) is cut short.
func readRecord(p string) ([]string, error) {
	var ids []string
	err := readFile(p, func(b []byte) error {
		if len(b) == 0 || b[len(b)-1] != '\n' {
			return damagedRecord("cut short")
		}
		ids = strings.Split(string(b[:len(b)-1]), "\n")
		for i, id := range ids {
			if _, ok := parseItem(id); !ok {
				return damagedRecord(fmt.Sprintf("line %d names no entry", i+1))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// SyncRecords makes owner's records in the collectable stores match roots
// (key to the entry paths it keeps alive): missing ones are written, and
// records of keys no longer rooted are removed, along with unfinished
// record files; the origin is brought up to date. Called by gc under
// Guard(true).
func (sp *SearchPath) SyncRecords(owner Owner, roots map[string][]string, step func() error) error {
	for _, st := range sp.Collectable() {
		dir := ownerRecords(st, owner.Name)
		for key, entries := range roots {
			// A damaged record is written again.
			var damaged damagedRecord
			if _, err := readRecord(filepath.Join(dir, key)); errors.As(err, &damaged) {
				if err := os.Remove(filepath.Join(dir, key)); err != nil {
					return fmt.Errorf("store %s: %w", st.Dir, err)
				}
			}
			if err := ensureRecord(st, owner, key, entries, step); err != nil {
				return err
			}
		}
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
