package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// fakeID makes an id-shaped name from a short one.
func fakeID(name string) string {
	h := []byte(strings.Repeat("0", 32))
	for i := range len(name) {
		h[i] = base32Alphabet[name[i]%32]
	}
	return string(h) + "-" + name + "-1.0"
}

// putEntry writes an entry as an add leaves it: a read-only tree, its
// listing and its metadata.
func putEntry(t *testing.T, st *Store, name string, refs ...string) string {
	t.Helper()
	id := fakeID(name)
	dir := filepath.Join(st.Dir, id)
	for _, f := range []string{"bin/" + name, "lib/lib" + name + ".so", "share/doc/README"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for _, r := range refs {
		ids = append(ids, fakeID(r))
	}
	items, err := hashTree(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+ListingSuffix, listingOf(items), 0o444); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(Info{Name: name, Version: "1.0", Size: 100, Files: 3, References: ids})
	if err := os.WriteFile(dir+".noxinfo", b, 0o444); err != nil {
		t.Fatal(err)
	}
	readOnly(t, dir)
	return id
}

func readOnly(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			defer os.Chmod(p, 0o555)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// WalkDir visits parents first; make them read-only last.
	os.Chmod(dir, 0o555)
}

func newStore(t *testing.T, writable bool) *Store {
	t.Helper()
	dir := t.TempDir()
	// Entries are read-only: make them removable before TempDir's cleanup,
	// which runs after this one, or the test fails for a user other than root.
	t.Cleanup(func() { removeTree(dir) })
	return &Store{Dir: dir, Managed: true, Writable: writable}
}

// entriesOf lists the entries of st by the rule: ID/ and ID.noxinfo both
// exist.
func entriesOf(t *testing.T, st *Store) map[string]bool {
	t.Helper()
	des, err := os.ReadDir(st.Dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, de := range des {
		id, ok := strings.CutSuffix(de.Name(), ".noxinfo")
		if !ok {
			continue
		}
		if fi, err := os.Stat(filepath.Join(st.Dir, id)); err == nil && fi.IsDir() {
			out[id] = true
		}
	}
	return out
}

// checkClosures fails unless every entry of stores is whole and every
// reference of it is an entry of one of the stores.
func checkClosures(t *testing.T, stores ...*Store) {
	t.Helper()
	all := map[string]bool{}
	for _, st := range stores {
		for id := range entriesOf(t, st) {
			all[id] = true
		}
	}
	for _, st := range stores {
		for id := range entriesOf(t, st) {
			g, err := readGarbage(st, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range g.References {
				if !all[r] {
					t.Errorf("entry %s references %s, which is gone", id, r)
				}
			}
			n := 0
			filepath.WalkDir(filepath.Join(st.Dir, id), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					n++
				}
				return nil
			})
			if n != 3 {
				t.Errorf("entry %s has %d files, want 3", id, n)
			}
		}
	}
}

func TestPlanSweep(t *testing.T) {
	w, ro := newStore(t, true), newStore(t, false)
	sp := &SearchPath{Stores: []*Store{w, ro, {Dir: filepath.Join(t.TempDir(), "gone"), Missing: true}}}
	libc := putEntry(t, w, "libc")
	zlib := putEntry(t, w, "zlib", "libc")
	app := putEntry(t, w, "app", "zlib", "libc")
	tool := putEntry(t, w, "tool", "libc")
	old := putEntry(t, ro, "old")
	if err := os.Mkdir(filepath.Join(w.Dir, "plain-2.0"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Leftovers: a tree without metadata, metadata without a tree, a
	// listing without an entry, an unfinished add, a trash tree.
	half := fakeID("half")
	for _, d := range []string{half, ".tmp-add123", ".trash-" + fakeID("x")} {
		if err := os.MkdirAll(filepath.Join(w.Dir, d, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{fakeID("lone") + ".noxinfo", half + ListingSuffix} {
		if err := os.WriteFile(filepath.Join(w.Dir, f), []byte("{}"), 0o444); err != nil {
			t.Fatal(err)
		}
	}

	// An entry an older noxenv added with a version ending in .noxdirs
	// (no longer a valid version): left alone, never taken for the
	// listing of another id.
	odd := fakeID("odd")
	odd = strings.TrimSuffix(odd, "-1.0") + "-1.noxdirs"
	for _, f := range []string{odd + ".noxinfo", odd + ".noxdirs"} {
		if err := os.WriteFile(filepath.Join(w.Dir, f), []byte("{}"), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(w.Dir, odd, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}

	plan, err := sp.PlanSweep(map[string]bool{tool: true, libc: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range plan.Garbage {
		got = append(got, g.ID)
	}
	if want := []string{app, zlib}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("garbage %v, want %v", got, want)
	}
	if plan.Kept != 2 || plan.Size() != 200 {
		t.Errorf("kept %d size %d, want 2 and 200", plan.Kept, plan.Size())
	}
	var left []string
	for _, l := range plan.Leftovers {
		left = append(left, l.Name)
	}
	if len(left) != 5 {
		t.Errorf("leftovers %v, want 5", left)
	}

	if err := Sweep(plan, SweepOptions{}); err != nil {
		t.Fatal(err)
	}
	des, _ := os.ReadDir(w.Dir)
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	want := []string{libc, libc + ".noxdirs", libc + ".noxinfo", odd, odd + ".noxdirs", odd + ".noxinfo", "plain-2.0", tool, tool + ".noxdirs", tool + ".noxinfo"}
	sort.Strings(want)
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("store holds %v, want %v", names, want)
	}
	if !entriesOf(t, ro)[old] {
		t.Errorf("entry of a read-only store deleted")
	}
}

func TestDependentsFirst(t *testing.T) {
	w := &Store{Dir: "/s"}
	g := func(name string, refs ...string) Garbage {
		var ids []string
		for _, r := range refs {
			ids = append(ids, fakeID(r))
		}
		return Garbage{Store: w, ID: fakeID(name), References: ids}
	}
	gs := []Garbage{g("a"), g("b", "a", "b"), g("c", "b", "a"), g("d", "a"), g("e", "c", "d")}
	pos := map[string]int{}
	for i, x := range dependentsFirst(gs) {
		pos[x.ID] = i
	}
	for _, x := range gs {
		for _, r := range x.References {
			if r != x.ID && pos[x.ID] > pos[r] {
				t.Errorf("%s deleted after its dependency %s", x.ID, r)
			}
		}
	}
	if len(pos) != len(gs) {
		t.Errorf("plan has %d entries, want %d", len(pos), len(gs))
	}
}

var errStop = errors.New("stopped")

// TestSweepStoppedAnywhere stops a sweep before each of its changes on
// disk in turn: every remaining entry stays whole with its closure, and the
// next sweep finishes the work.
func TestSweepStoppedAnywhere(t *testing.T) {
	for n := 0; ; n++ {
		w := newStore(t, true)
		sp := &SearchPath{Stores: []*Store{w}}
		live := map[string]bool{}
		libc := putEntry(t, w, "libc")
		live[libc] = true
		live[putEntry(t, w, "keep", "libc")] = true
		putEntry(t, w, "zlib", "libc")
		putEntry(t, w, "app", "zlib")
		putEntry(t, w, "app2", "app", "zlib")
		if err := os.MkdirAll(filepath.Join(w.Dir, ".tmp-x", "a", "b"), 0o755); err != nil {
			t.Fatal(err)
		}
		plan, err := sp.PlanSweep(live)
		if err != nil {
			t.Fatal(err)
		}
		steps := 0
		err = Sweep(plan, SweepOptions{Step: func() error {
			if steps == n {
				return errStop
			}
			steps++
			return nil
		}})
		checkClosures(t, w)
		if err == nil {
			if n < 10 {
				t.Fatalf("sweep finished after %d steps", n)
			}
			break
		}
		if !errors.Is(err, errStop) {
			t.Fatal(err)
		}
		plan, err = sp.PlanSweep(live)
		if err != nil {
			t.Fatal(err)
		}
		if err := Sweep(plan, SweepOptions{}); err != nil {
			t.Fatalf("sweep after a stop at step %d: %v", n, err)
		}
		des, _ := os.ReadDir(w.Dir)
		if len(des) != 6 {
			t.Fatalf("after a stop at step %d and a full sweep the store holds %d names, want 6", n, len(des))
		}
		checkClosures(t, w)
	}
}

func TestRemoveTreeReadOnly(t *testing.T) {
	w := newStore(t, true)
	id := putEntry(t, w, "ro")
	if err := os.Symlink("/nonexistent", filepath.Join(w.Dir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(w.Dir, id), filepath.Join(w.Dir, "link"), filepath.Join(w.Dir, "missing")} {
		if err := RemoveTree(p, noStep); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there", p)
		}
	}
}
