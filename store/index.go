package store

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// A store's index groups the items of its directory by package name, so
// that resolving many names reads the directory once, not once per name.
// It is built on the first resolution and kept for the life of the Store
// value; the process's own adds drop it (Add publishes through st.publish).
// Nothing else does: whoever resolves holds the gc guard, so no entry of a
// writable store disappears meanwhile, and an entry another process adds
// meanwhile is not wanted by a command that started before it. Listings
// (List, IDs) and gc never use the index; lookups by id only to spare a
// stat (see indexed).
type storeIndex struct {
	byName map[string][]indexItem
}

// indexItem is a directory item that may be an entry; Store.entry decides.
type indexItem struct {
	name    string
	de      os.DirEntry
	hasInfo bool
}

// indexMu guards every Store's index field.
var indexMu sync.Mutex

// named returns the entries of st named name, through its index, unread
// (see Store.unread).
func (st *Store) named(name string) ([]*Entry, error) {
	if st.Missing {
		return nil, nil
	}
	idx, err := st.loadIndex()
	if err != nil {
		return nil, err
	}
	var entries []*Entry
	for _, it := range idx.byName[name] {
		e, err := st.unread(it.name, it.de, it.hasInfo, name)
		if err != nil {
			return nil, err
		}
		if e != nil {
			entries = append(entries, e)
		}
	}
	return entries, nil
}

// Holds reports whether dir is the directory of an entry of a store of
// the path, from the store's listing as this process read it (once) when
// the caller holds the gc guard, as Realize does; a directory of no store
// of the path is looked at.
func (sp *SearchPath) Holds(dir string) bool {
	st := sp.store(filepath.Dir(dir))
	if st == nil || st.Missing {
		fi, err := os.Stat(dir)
		return err == nil && fi.IsDir()
	}
	idx, err := st.loadIndex()
	if err != nil {
		return false
	}
	id := filepath.Base(dir)
	_, name, _, isID := ParseID(id)
	if !isID {
		var ok bool
		if name, _, ok = SplitNameVersion(id); !ok {
			return false
		}
	}
	for _, it := range idx.byName[name] {
		if it.name == id {
			if isID && !it.hasInfo {
				return false
			}
			if it.de.IsDir() {
				return true
			}
			fi, err := os.Stat(dir)
			return err == nil && fi.IsDir()
		}
	}
	return false
}

// indexed returns the item id of st's directory as its index lists it,
// or nil when the process has not read the directory or did not find id
// there. A lookup by id uses it to know that the item is a directory
// without looking at it again: its metadata, which the lookup reads next,
// says whether the entry is still there (gc deletes the metadata before
// the tree, and nothing turns an entry into something else).
func (st *Store) indexed(id string) os.DirEntry {
	indexMu.Lock()
	idx := st.index
	indexMu.Unlock()
	if idx == nil {
		return nil
	}
	_, name, _, ok := ParseID(id)
	if !ok {
		return nil
	}
	for _, it := range idx.byName[name] {
		if it.name == id {
			return it.de
		}
	}
	return nil
}

// loadIndex returns st's index, reading the directory when it has none.
func (st *Store) loadIndex() (*storeIndex, error) {
	indexMu.Lock()
	defer indexMu.Unlock()
	if st.index != nil {
		return st.index, nil
	}
	des, infos, err := st.readDir(false)
	if err != nil {
		return nil, err
	}
	idx := &storeIndex{byName: make(map[string][]indexItem, len(infos))}
	for _, de := range des {
		n := de.Name()
		if notItem(n) {
			continue
		}
		_, pkg, _, ok := ParseID(n)
		if !ok {
			pkg, _, ok = SplitNameVersion(n)
		}
		if ok {
			idx.byName[pkg] = append(idx.byName[pkg], indexItem{name: n, de: de, hasInfo: infos[n]})
		}
	}
	st.index = idx
	return idx, nil
}

// readDir reads st's directory: its items, in order when sorted, and the
// set of the items that have metadata (ITEM.noxinfo beside them).
func (st *Store) readDir(sorted bool) ([]os.DirEntry, map[string]bool, error) {
	f, err := os.Open(st.Dir)
	if err != nil {
		return nil, nil, fmt.Errorf("store %s: %w", st.Dir, err)
	}
	des, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("store %s: %w", st.Dir, err)
	}
	if sorted {
		slices.SortFunc(des, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	}
	infos := make(map[string]bool, len(des)/3)
	for _, de := range des {
		if n := de.Name(); strings.HasSuffix(n, InfoSuffix) && !IsHiddenName(n) {
			infos[strings.TrimSuffix(n, InfoSuffix)] = true
		}
	}
	return des, infos, nil
}

// dropIndex forgets st's index: its directory changed.
func (st *Store) dropIndex() {
	indexMu.Lock()
	st.index = nil
	indexMu.Unlock()
}
