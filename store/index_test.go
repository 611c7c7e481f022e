package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/noxenv/noxenv/internal/testutil"
)

// One search path reads each store's listing once for all its
// resolutions; its own adds are seen at once, another process's only by a
// search path opened after them.
func TestResolveIndex(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "tool-1.0")
	testutil.WriteFiles(t, src, map[string]string{"bin/tool": "1.0"})
	add(t, sp, st, src, AddOptions{})
	if e, err := sp.Resolve(Request{Name: "tool"}); err != nil || e.Version != "1.0" {
		t.Fatalf("Resolve(tool) = %v, %v; want 1.0", e, err)
	}

	// Made behind the search path's back after its listing was read.
	if err := os.MkdirAll(filepath.Join(st.Dir, "tool-3.0", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if e, err := sp.Resolve(Request{Name: "tool"}); err != nil || e.Version != "1.0" {
		t.Errorf("Resolve(tool) = %v, %v; want 1.0 from the listing read once", e, err)
	}

	// The path's own add drops the listing: both new versions show.
	src2 := filepath.Join(t.TempDir(), "tool-2.0")
	testutil.WriteFiles(t, src2, map[string]string{"bin/tool": "2.0"})
	added, _ := add(t, sp, st, src2, AddOptions{})
	if e, err := sp.Resolve(Request{Name: "tool", Constraint: "<3"}); err != nil || e.ID != added.ID {
		t.Errorf("Resolve(tool@<3) after an add = %v, %v; want %s", e, err, added.ID)
	}
	if e, err := sp.Resolve(Request{Name: "tool"}); err != nil || e.ID != "tool-3.0" {
		t.Errorf("Resolve(tool) after an add = %v, %v; want tool-3.0", e, err)
	}

	// Listings and lookups by id never use the index.
	if err := os.MkdirAll(filepath.Join(st.Dir, "other-1.0"), 0o755); err != nil {
		t.Fatal(err)
	}
	if e, err := sp.Get("other-1.0"); err != nil || e.ID != "other-1.0" {
		t.Errorf("Get(other-1.0) = %v, %v", e, err)
	}
	if all, err := st.List(); err != nil || len(all) != 4 {
		t.Errorf("List = %d entries, %v; want 4", len(all), err)
	}
	fresh, err := Open([]string{st.Dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	if e, err := fresh.Resolve(Request{Name: "other"}); err != nil || e.ID != "other-1.0" {
		t.Errorf("a new search path: Resolve(other) = %v, %v", e, err)
	}
}

// The index decides as a lookup of the item itself: a plain entry may be
// a symlink to a directory, a file named like one is no entry, nor is an
// id without metadata; names of no entry's form are no items.
func TestIndexItemKinds(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "tool-1.0")
	testutil.WriteFiles(t, src, map[string]string{"bin/tool": "1.0"})
	added, _ := add(t, sp, st, src, AddOptions{})
	dir := func(name string) string { return filepath.Join(st.Dir, name) }
	real := t.TempDir()
	for _, err := range []error{
		os.Symlink(real, dir("linked-2.0")),                               // a plain entry
		os.WriteFile(dir("file-1.0"), nil, 0o644),                         // a file: none
		os.Mkdir(dir("0abcdfghijklmnpqrsvwxyz012345678-bare-1.0"), 0o755), // no metadata: none
		os.Mkdir(dir("odd name-1.0"), 0o755),                              // not a name: none
		os.Mkdir(dir("noversion"), 0o755),                                 // none
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	sp, err := Open([]string{st.Dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"tool": added.ID, "linked": "linked-2.0", "file": "", "bare": "", "noversion": ""} {
		e, err := sp.Resolve(Request{Name: name})
		switch {
		case want == "" && !errors.Is(err, ErrNotFound):
			t.Errorf("Resolve(%s) = %v, %v; want not found", name, e, err)
		case want != "" && (err != nil || e.ID != want):
			t.Errorf("Resolve(%s) = %v, %v; want %s", name, e, err, want)
		}
	}
	for name, want := range map[string]bool{added.ID: true, "linked-2.0": true, "file-1.0": false,
		"0abcdfghijklmnpqrsvwxyz012345678-bare-1.0": false, "odd name-1.0": false, "noversion": false, "gone-1.0": false} {
		if got := sp.Holds(dir(name)); got != want {
			t.Errorf("Holds(%s) = %v, want %v", name, got, want)
		}
	}
	if e, err := sp.Get("linked-2.0"); err != nil || e.Path != dir("linked-2.0") {
		t.Errorf("Get(linked-2.0) = %v, %v", e, err)
	}
	ids, err := st.IDs()
	if err != nil || len(ids) != 1 || ids[0] != added.ID {
		t.Errorf("IDs = %v, %v; want [%s]", ids, err, added.ID)
	}
}

// idIn says what filepath.Dir and filepath.Base say, for paths of every
// form.
func TestIDIn(t *testing.T) {
	for _, dir := range []string{"/s/store", "/"} {
		st := &Store{Dir: dir}
		for _, p := range []string{"/s/store/a-1.0", "/s/store/a-1.0/", "/s/store//a-1.0", "/s/store/./a-1.0",
			"/s/store/x/../a-1.0", "/s/store/.", "/s/store/..", "/s/store", "/s/storex/a-1.0", "/s/store/a/b",
			"/a-1.0", "//a-1.0", "/", "a-1.0", "/s/store/"} {
			wantID, wantOK := filepath.Base(p), filepath.Dir(p) == dir
			if id, ok := st.idIn(p); ok != wantOK || ok && id != wantID {
				t.Errorf("store %s: idIn(%q) = %q, %v; want %q, %v", dir, p, id, ok, wantID, wantOK)
			}
		}
	}
}

// byID finds an item by its name, and nothing by any other name: items of
// both forms, a plain entry's name that reads as an id's tail too, names
// an item's name starts or ends with, and names of no item's form.
func TestIndexByID(t *testing.T) {
	const hash = "0abcdfghijklmnpqrsvwxyz012345678"
	var items []storeItem
	for _, name := range []string{hash + "-a-1.0", hash + "-a-b-2", "a-1.0", "b-2-3.1", hash + "-b-2-3.1", "x-" + hash + "-a-1.0"} {
		it, ok := parseItem(name)
		if !ok {
			t.Fatalf("%s: no item", name)
		}
		items = append(items, it)
	}
	idx := newIndex(slices.Clone(items))
	for _, it := range items {
		if got, ok := idx.byID(it.name); !ok || got != it {
			t.Errorf("byID(%s) = %+v, %v; want %+v", it.name, got, ok, it)
		}
	}
	for _, id := range []string{hash + "-a-1", hash + "-a-1.0.noxinfo", hash + "-a-1.0.noxdirs", ".a-1.0", "a-1.0x",
		hash + "-c-1.0", "1.0", "a", "", hash, hash + "-", "-a-1.0", "a-1.0/", hash[1:] + "-a-1.0"} {
		if got, ok := idx.byID(id); ok {
			t.Errorf("byID(%q) = %+v; want none", id, got)
		}
	}
}
