package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// recordsDir is the directory of a shared store where each user records
// the entries of that store its roots keep alive.
const recordsDir = ".noxroots"

// RootRecord is what one root of one user keeps alive in a shared store:
// the file STORE/.noxroots/OWNER/KEY, one entry id a line. OWNER names the
// user and the state directory holding the roots (a user may have
// several), KEY the root (a generation).
type RootRecord struct {
	Store *Store
	Owner string
	Key   string
	IDs   []string
}

// Shared reports whether users other than st's owner may write st (its
// directory is group- or world-writable), and so collect garbage in it.
func (st *Store) Shared() bool {
	fi, err := os.Stat(st.Dir)
	return err == nil && fi.Mode().Perm()&0o022 != 0
}

// sharedStores are the collectable stores other users may collect too.
func (sp *SearchPath) sharedStores() []*Store {
	var out []*Store
	for _, st := range sp.Collectable() {
		if st.Shared() {
			out = append(out, st)
		}
	}
	return out
}

// RecordRoots records in every shared collectable store that key, a root
// of owner, keeps alive those of entries (entry paths) that lie in that
// store, so that another user's gc keeps them too. Whoever makes a root
// calls it under Guard(false), before the guard is released.
func (sp *SearchPath) RecordRoots(owner, key string, entries []string) error {
	for _, st := range sp.sharedStores() {
		if err := ensureRecord(st, owner, key, idsIn(st, entries), noStep); err != nil {
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

// ensureRecord writes the record of key in st unless it exists (a key's
// content never changes) or ids is empty.
func ensureRecord(st *Store, owner, key string, ids []string, step func() error) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(ownerRecords(st, owner), key)); err == nil {
		return nil
	}
	if err := step(); err != nil {
		return err
	}
	return writeRecord(st, owner, key, ids)
}

// idsIn returns the ids of the entry paths that lie in st.
func idsIn(st *Store, entries []string) []string {
	var ids []string
	for _, e := range entries {
		if filepath.Dir(e) == st.Dir {
			ids = append(ids, filepath.Base(e))
		}
	}
	sort.Strings(ids)
	return ids
}

// writeRecord writes the record of key in st atomically.
func writeRecord(st *Store, owner, key string, ids []string) error {
	top := filepath.Join(st.Dir, recordsDir)
	if err := os.Mkdir(top, 0o755); err == nil {
		// Every user of the store adds a directory of its own; the
		// sticky bit keeps each user from removing the others'.
		if fi, err := os.Stat(st.Dir); err == nil {
			if err := os.Chmod(top, fi.Mode().Perm()|os.ModeSticky); err != nil {
				return fmt.Errorf("store %s: %w", st.Dir, err)
			}
		}
	} else if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("store %s: %w", st.Dir, err)
	}
	dir := ownerRecords(st, owner)
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("store %s: %w", st.Dir, err)
	}
	f, err := os.CreateTemp(dir, ".tmp-"+key+"-")
	if err != nil {
		return fmt.Errorf("store %s: %w", st.Dir, err)
	}
	_, err = f.WriteString(strings.Join(ids, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
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

// RootRecords reads the records of every user in the shared collectable
// stores. Unreadable records are an error: gc must not delete what it
// cannot see is used.
func (sp *SearchPath) RootRecords() ([]RootRecord, error) {
	var out []RootRecord
	for _, st := range sp.sharedStores() {
		top := filepath.Join(st.Dir, recordsDir)
		users, err := os.ReadDir(top)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", st.Dir, err)
		}
		for _, u := range users {
			if !u.IsDir() || strings.HasPrefix(u.Name(), ".") {
				continue
			}
			keys, err := os.ReadDir(filepath.Join(top, u.Name()))
			if err != nil {
				return nil, fmt.Errorf("store %s: %w", st.Dir, err)
			}
			for _, k := range keys {
				if strings.HasPrefix(k.Name(), ".") {
					continue
				}
				ids, err := readRecord(filepath.Join(top, u.Name(), k.Name()))
				if err != nil {
					return nil, fmt.Errorf("store %s: %w", st.Dir, err)
				}
				out = append(out, RootRecord{Store: st, Owner: u.Name(), Key: k.Name(), IDs: ids})
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

// SyncRecords makes owner's records in the shared collectable stores match
// roots (key to the entry paths it keeps alive): missing ones are written,
// and records of keys no longer rooted are removed, along with unfinished
// record files. Called by gc under Guard(true).
func (sp *SearchPath) SyncRecords(owner string, roots map[string][]string, step func() error) error {
	for _, st := range sp.sharedStores() {
		for key, entries := range roots {
			if err := ensureRecord(st, owner, key, idsIn(st, entries), step); err != nil {
				return err
			}
		}
		dir := ownerRecords(st, owner)
		des, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store %s: %w", st.Dir, err)
		}
		for _, de := range des {
			if len(idsIn(st, roots[de.Name()])) > 0 {
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
