package store

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// A store's index groups the items of its directory by package name, so
// that resolving many names reads the directory once, not once per name.
// It is built on the first resolution, from the directory or the items an
// earlier process kept of it (kept.go), and kept for the life of the Store
// value; the process's own adds drop it (Add publishes through st.publish).
// Nothing else does: whoever resolves holds the gc guard, so no entry of a
// writable store disappears meanwhile, and an entry another process adds
// meanwhile is not wanted by a command that started before it. Listings
// (List, IDs) and gc never use the index; lookups by id only to spare a
// stat (see listedDir).
type storeIndex struct {
	// items are the directory's items named like entries, parsed, sorted
	// by package name, and first the index of each name's first item: a
	// resolution finds its name's with one lookup (a profile add of 200
	// names makes 600).
	items []storeItem
	first map[string]int
}

// newIndex makes the index of items, which it sorts.
func newIndex(items []storeItem) *storeIndex {
	slices.SortFunc(items, func(a, b storeItem) int { return strings.Compare(a.pkg, b.pkg) })
	first := make(map[string]int, len(items))
	for i, it := range items {
		if i == 0 || it.pkg != items[i-1].pkg {
			first[it.pkg] = i
		}
	}
	return &storeIndex{items: items, first: first}
}

// storeItem is a store's directory item named like an entry,
// HASH-NAME-VERSION (an entry when it has metadata) or NAME-VERSION (a
// plain entry, when it is a directory); Store.unread decides.
type storeItem struct {
	name         string // the id
	pkg, version string
	isID         bool
	isDir        bool // as the directory listed it; false: look
	hasInfo      bool // name.noxinfo is beside it
}

// parseItem parses the store's directory item name, ok false when it is
// named like no entry.
func parseItem(name string) (it storeItem, ok bool) {
	if notItem(name) {
		return storeItem{}, false
	}
	_, n, v, isID := ParseID(name)
	if !isID {
		if n, v, ok = SplitNameVersion(name); !ok || CheckName(n) != nil || CheckVersion(v) != nil {
			return storeItem{}, false
		}
	}
	return storeItem{name: name, pkg: n, version: v, isID: isID}, true
}

// named returns the items of idx of package pkg.
func (idx *storeIndex) named(pkg string) []storeItem {
	i, ok := idx.first[pkg]
	if !ok {
		return nil
	}
	j := i + 1
	for j < len(idx.items) && idx.items[j].pkg == pkg {
		j++
	}
	return idx.items[i:j]
}

// byID returns the item of idx whose name is id. The item is among those
// of its package, the NAME of id read as HASH-NAME-VERSION or else as
// NAME-VERSION (parseItem): both are looked at, without checking id
// first, since no item but id's own bears its name. Reusing a generation
// looks up each of its entries so.
func (idx *storeIndex) byID(id string) (storeItem, bool) {
	in := func(pkg string) (storeItem, bool) {
		for _, x := range idx.named(pkg) {
			if x.name == id {
				return x, true
			}
		}
		return storeItem{}, false
	}
	if len(id) > hashLen && id[hashLen] == '-' {
		if pkg, _, ok := SplitNameVersion(id[hashLen+1:]); ok {
			if it, ok := in(pkg); ok {
				return it, true
			}
		}
	}
	if pkg, _, ok := SplitNameVersion(id); ok {
		return in(pkg)
	}
	return storeItem{}, false
}

// indexMu guards every Store's index field.
var indexMu sync.Mutex

// Holds reports whether dir is the directory of an entry of a store of
// the path, from the store's listing as this process read it (once) when
// the caller holds the gc guard, as Realize does; a directory of no store
// of the path is looked at.
func (sp *SearchPath) Holds(dir string) bool {
	var st *Store
	var id string
	for _, s := range sp.Stores {
		var ok bool
		if id, ok = s.idIn(dir); ok {
			st = s
			break
		}
	}
	if st == nil || st.Missing {
		fi, err := os.Stat(dir)
		return err == nil && fi.IsDir()
	}
	idx, err := st.loadIndex()
	if err != nil {
		return false
	}
	it, ok := idx.byID(id)
	switch {
	case !ok, it.isID && !it.hasInfo:
		return false
	case it.isDir:
		return true
	}
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// idIn returns the name of the path p in st's directory when p lies
// there (filepath.Dir(p) is st.Dir): p's last element, found without
// cleaning p when it is clean (an entry's path is), as it is 200 times
// when a profile of 200 members is reused.
func (st *Store) idIn(p string) (string, bool) {
	if rest, ok := strings.CutPrefix(p, st.Dir); ok {
		if st.Dir != "/" {
			rest, ok = strings.CutPrefix(rest, "/")
		}
		if ok && rest != "" && rest != "." && rest != ".." && !strings.ContainsRune(rest, '/') {
			return rest, true
		}
	}
	if filepath.Dir(p) != st.Dir {
		return "", false
	}
	return filepath.Base(p), true
}

// listedDir reports whether the directory of st, as the process read it,
// lists id as a directory; false when it has not read it or did not find
// id there. A lookup by id uses it to know that the item is a directory
// without looking at it again: its metadata, which the lookup reads next,
// says whether the entry is still there (gc deletes the metadata before
// the tree, and nothing turns an entry into something else).
func (st *Store) listedDir(id string) bool {
	indexMu.Lock()
	idx := st.index
	indexMu.Unlock()
	if idx == nil {
		return false
	}
	it, ok := idx.byID(id)
	return ok && it.isDir
}

// loadIndex returns st's index, reading the directory when it has none.
func (st *Store) loadIndex() (*storeIndex, error) {
	indexMu.Lock()
	defer indexMu.Unlock()
	if st.index != nil {
		return st.index, nil
	}
	items, err := st.items(false)
	if err != nil {
		return nil, err
	}
	st.index = newIndex(items)
	return st.index, nil
}

// items returns the items of st's directory named like entries, with
// whether each is a directory and has metadata (ITEM.noxinfo beside it),
// sorted by name when sorted: those kept by an earlier process while the
// directory is as it was then (see kept.go), or else read now, and kept
// when st keeps its items.
func (st *Store) items(sorted bool) ([]storeItem, error) {
	fd, err := openDir(st.Dir)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", st.Dir, err)
	}
	defer unix.Close(fd)
	var s dirState
	if st.keptFile != "" {
		if s, err = stateOf(fd, clock()); err != nil {
			return nil, fmt.Errorf("store %s: %w", st.Dir, &os.PathError{Op: "stat", Path: st.Dir, Err: err})
		}
		if items, ok := st.keptItems(s); ok {
			return sortItems(items, sorted), nil
		}
	}
	items, err := st.readDir(fd)
	if err != nil {
		return nil, err
	}
	if s.keepable {
		st.writeKept(items, s)
	}
	return sortItems(items, sorted), nil
}

// sortItems sorts items by name when sorted.
func sortItems(items []storeItem, sorted bool) []storeItem {
	if sorted {
		slices.SortFunc(items, func(a, b storeItem) int { return strings.Compare(a.name, b.name) })
	}
	return items
}

// readDir reads st's directory, open at fd: the items named like
// entries, with whether each is a directory and has metadata.
func (st *Store) readDir(fd int) ([]storeItem, error) {
	dis, err := readDirItems(fd, st.Dir, func(name []byte) bool {
		// Metadata is kept (for hasInfo); no listing or hidden name is
		// an item.
		listing := len(name) > len(ListingSuffix) && string(name[len(name)-len(ListingSuffix):]) == ListingSuffix
		return !listing && name[0] != '.'
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", st.Dir, err)
	}
	infos := make(map[string]bool, len(dis)/3)
	for _, di := range dis {
		if n := di.name; strings.HasSuffix(n, InfoSuffix) && !IsHiddenName(n) {
			infos[strings.TrimSuffix(n, InfoSuffix)] = true
		}
	}
	items := make([]storeItem, 0, len(infos))
	for _, di := range dis {
		if it, ok := parseItem(di.name); ok {
			it.isDir, it.hasInfo = di.isDir, infos[di.name]
			items = append(items, it)
		}
	}
	return items, nil
}

// dropIndex forgets st's index: its directory changed.
func (st *Store) dropIndex() {
	indexMu.Lock()
	st.index = nil
	indexMu.Unlock()
}
