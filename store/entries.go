package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// InfoSuffix ends the name of an entry's metadata file, ID.noxinfo.
const InfoSuffix = ".noxinfo"

// hashLen is the length of the HASH part of an entry id.
const hashLen = 32

// base32Alphabet is Nix's: digits and letters without e, o, u and t.
const base32Alphabet = "0123456789abcdfghijklmnpqrsvwxyz"

// base32Digit marks the bytes of base32Alphabet.
var base32Digit = func() (t [256]bool) {
	for i := range len(base32Alphabet) {
		t[base32Alphabet[i]] = true
	}
	return t
}()

func isBase32(c byte) bool { return base32Digit[c] }

// ParseID splits an entry id HASH-NAME-VERSION; ok is false for anything
// else (plain ids NAME-VERSION included).
func ParseID(id string) (hash, name, version string, ok bool) {
	if len(id) < hashLen+4 || id[hashLen] != '-' {
		return "", "", "", false
	}
	for i := 0; i < hashLen; i++ {
		if !isBase32(id[i]) {
			return "", "", "", false
		}
	}
	name, version, ok = SplitNameVersion(id[hashLen+1:])
	if !ok || CheckName(name) != nil || CheckVersion(version) != nil {
		return "", "", "", false
	}
	return id[:hashLen], name, version, true
}

// IsHiddenName reports whether a store's directory item is noxenv's own
// bookkeeping (markers, locks, unfinished adds): never an entry.
func IsHiddenName(name string) bool { return strings.HasPrefix(name, ".") }

// notItem reports whether a store's directory item is none of its entries
// or plain entries: noxenv's own, or an entry's metadata or listing.
func notItem(name string) bool {
	return IsHiddenName(name) || strings.HasSuffix(name, InfoSuffix) || strings.HasSuffix(name, ListingSuffix)
}

// DamagedEntriesError names the entries whose metadata List could not
// read (malformed, or unreadable to the user): List returns it with every
// other entry, so that one damaged entry hides no other.
type DamagedEntriesError struct {
	Errs []error // one per entry
}

func (e *DamagedEntriesError) Error() string { return errors.Join(e.Errs...).Error() }

// List returns the entries of st sorted by id. A directory named like an
// entry id without its .noxinfo (an unfinished add or gc leftover) is
// neither an entry nor a plain entry. A missing store has no entries. An
// entry whose metadata cannot be read is left out, and named by a
// *DamagedEntriesError returned with the others.
func (st *Store) List() ([]*Entry, error) {
	if st.Missing {
		return nil, nil
	}
	items, err := st.items(true)
	if err != nil {
		return nil, err
	}
	var entries []*Entry
	var damaged DamagedEntriesError
	for _, it := range items {
		e := st.unread(it)
		if e == nil {
			continue
		}
		if err := e.read(); err != nil {
			damaged.Errs = append(damaged.Errs, err)
			continue
		}
		entries = append(entries, e)
	}
	if damaged.Errs != nil {
		return entries, &damaged
	}
	return entries, nil
}

// IDs returns the ids of the entries of st that have metadata, without
// reading it.
func (st *Store) IDs() ([]string, error) {
	if st.Missing {
		return nil, nil
	}
	items, err := st.items(true)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, it := range items {
		if it.isID && it.hasInfo && it.isDir {
			ids = append(ids, it.name)
		}
	}
	return ids, nil
}

// unread makes the entry of the item it, its metadata not read: an entry
// that has some is marked unread, for read to fill in. Such entries never
// leave the package: every *Entry it hands out has its metadata. It
// returns nil when it is no entry (see isEntry).
func (st *Store) unread(it storeItem) *Entry {
	if !st.isEntry(it) {
		return nil
	}
	return &Entry{ID: it.name, Name: it.pkg, Version: it.version, Path: st.path(it.name), Store: st, unread: it.isID}
}

// isEntry reports whether the item it is an entry: not an id without
// metadata, and a directory (looked at when the listing did not say so).
func (st *Store) isEntry(it storeItem) bool {
	if it.isID && !it.hasInfo {
		return false
	}
	if it.isDir {
		return true
	}
	fi, err := os.Stat(st.path(it.name))
	return err == nil && fi.IsDir()
}

// path is the path of the item name of st's directory. st.Dir is
// absolute and clean (Open), and name one component that is not . or ..
// (hidden names are no items): the path needs none of filepath.Join's
// cleaning, which was 7 % of the instructions of a profile add resolving
// 200 names.
func (st *Store) path(name string) string {
	if st.Dir == "/" {
		return "/" + name
	}
	return st.Dir + "/" + name
}

// read reads e's metadata if it is unread.
func (e *Entry) read() error {
	if !e.unread {
		return nil
	}
	info, err := readInfo(e.Path + InfoSuffix)
	if err != nil {
		return fmt.Errorf("entry %s of store %s: %w", e.ID, e.Store.Dir, err)
	}
	e.Info, e.unread = info, false
	return nil
}

// lookup returns the entry id of st, or nil.
func (st *Store) lookup(id string) (*Entry, error) {
	if st.Missing || strings.ContainsRune(id, '/') {
		return nil, nil
	}
	it, ok := parseItem(id)
	if !ok {
		return nil, nil
	}
	// The metadata is read at once rather than looked for first: an id
	// without it is no entry (or one gc is deleting). The store's index,
	// when read, spares looking at the item (see Store.listedDir).
	it.hasInfo, it.isDir = true, st.listedDir(id)
	e := st.unread(it)
	if e == nil {
		return nil, nil
	}
	if err := e.read(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	return e, nil
}

func readInfo(path string) (*Info, error) {
	var info Info
	err := readFile(path, func(data []byte) error {
		var ok bool
		if info, ok = decodeInfo(data); ok {
			return nil
		}
		if err := json.Unmarshal(data, &info); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &info, nil
}

// infoKeys are the keys of an entry's metadata.
var infoKeys = [...]string{"name", "version", "hash", "size", "files", "references", "env", "added"}

// decodeInfo reads an entry's metadata as json.Unmarshal does, with a
// Decoder: realizing a profile reads that of every member (ok false: leave
// it to encoding/json).
func decodeInfo(b []byte) (info Info, ok bool) {
	d := NewDecoder(b)
	ok = d.Fields(infoKeys[:], func(k int) bool {
		var ok bool
		switch k {
		case 0:
			info.Name, ok = d.Str()
		case 1:
			info.Version, ok = d.Str()
		case 2:
			info.Hash, ok = d.Str()
		case 3:
			var n int
			n, ok = d.Integer()
			info.Size = int64(n)
		case 4:
			info.Files, ok = d.Integer()
		case 5:
			info.References, ok = d.Strs()
		case 6:
			// Mostly empty; settings have types of their own.
			var v []byte
			switch v, ok = d.SkipValue(); {
			case ok && string(v) == "[]":
				info.Env = []EnvSetting{}
			case ok:
				ok = json.Unmarshal(v, &info.Env) == nil
			}
		case 7:
			var v []byte
			if v, ok = d.SkipValue(); ok {
				ok = info.Added.UnmarshalJSON(v) == nil
			}
		}
		return ok
	})
	if !ok || !d.End() {
		return Info{}, false
	}
	return info, true
}

// List returns the entries of every store of the path, in search order.
// Entries whose metadata cannot be read are left out, and named by a
// *DamagedEntriesError returned with the others.
func (sp *SearchPath) List() ([]*Entry, error) {
	var all []*Entry
	var damaged DamagedEntriesError
	for _, st := range sp.Stores {
		es, err := st.List()
		var de *DamagedEntriesError
		if errors.As(err, &de) {
			damaged.Errs = append(damaged.Errs, de.Errs...)
		} else if err != nil {
			return nil, err
		}
		all = append(all, es...)
	}
	if damaged.Errs != nil {
		return all, &damaged
	}
	return all, nil
}

// sortNewestFirst orders entries of one name by version, highest first;
// among equal versions an entry with metadata before a plain one, the most
// recently added first, then by id.
func sortNewestFirst(es []*Entry) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if c := CompareVersions(a.Version, b.Version); c != 0 {
			return c > 0
		}
		if a.Plain() != b.Plain() {
			return !a.Plain()
		}
		if !a.Plain() && !a.Info.Added.Equal(b.Info.Added) {
			return a.Info.Added.After(b.Info.Added)
		}
		return a.ID > b.ID
	})
}
