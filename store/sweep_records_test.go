package store

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// recordsOf reads sp's records as "store/owner/key" → ids.
func recordsOf(t *testing.T, sp *SearchPath) map[string]string {
	t.Helper()
	recs, err := sp.RootRecords()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs {
		got[filepath.Base(r.Store.Dir)+"/"+r.Owner+"/"+r.Key] = fmt.Sprint(r.IDs)
	}
	return got
}

func TestRootRecords(t *testing.T) {
	own, group, ro := newStore(t, true), newStore(t, true), newStore(t, false)
	if err := os.Chmod(group.Dir, 0o2775); err != nil {
		t.Fatal(err)
	}
	sp := &SearchPath{Stores: []*Store{own, group, ro}}
	a, b := putEntry(t, group, "a"), putEntry(t, group, "b")
	mine := putEntry(t, own, "mine", "a")
	frozen := putEntry(t, ro, "frozen")
	me := Owner{Name: "me", Origin: Origin{UID: 7, Host: "node1", StateDir: "/home/me/state"}}
	paths := []string{filepath.Join(own.Dir, mine), filepath.Join(group.Dir, a), filepath.Join(ro.Dir, frozen)}
	if err := sp.RecordRoots(me, "gen1", paths); err != nil {
		t.Fatal(err)
	}
	// Another state directory's record, as its own noxenv writes it.
	other := filepath.Join(group.Dir, recordsDir, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "genX"), []byte(b+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	O, G := filepath.Base(own.Dir), filepath.Base(group.Dir)
	want := map[string]string{
		// Whatever the store's permissions: the same user may reach it
		// from another state directory.
		O + "/me/gen1":    fmt.Sprint([]string{mine}),
		G + "/me/gen1":    fmt.Sprint([]string{a}),
		G + "/other/genX": fmt.Sprint([]string{b}),
	}
	if got := recordsOf(t, sp); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(ro.Dir, recordsDir)); err == nil {
		t.Errorf("records written in a read-only store")
	}
	fi, err := os.Stat(filepath.Join(group.Dir, recordsDir))
	if err != nil || fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o775 {
		t.Errorf("records directory of a group store: %v, want sticky and group-writable", fi.Mode())
	}
	recs, _ := sp.RootRecords()
	for _, r := range recs {
		if want := (Origin{}); r.Owner == "other" && r.Origin != want {
			t.Errorf("origin of an owner that did not say: %+v", r.Origin)
		}
		if r.Owner == "me" && r.Origin != me.Origin {
			t.Errorf("origin %+v, want %+v", r.Origin, me.Origin)
		}
	}

	// gc syncs: gen1 is no longer rooted, gen2 is; the state directory
	// moved.
	me.Origin.StateDir = "/home/me/moved"
	if err := sp.SyncRecords(me, map[string][]string{"gen2": {filepath.Join(group.Dir, b)}}, noStep); err != nil {
		t.Fatal(err)
	}
	want = map[string]string{
		G + "/me/gen2":    fmt.Sprint([]string{b}),
		G + "/other/genX": fmt.Sprint([]string{b}),
	}
	if got := recordsOf(t, sp); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records after sync %v, want %v", got, want)
	}
	if o := readOrigin(ownerRecords(group, "me")); o != me.Origin {
		t.Errorf("origin after sync %+v, want %+v", o, me.Origin)
	}

	// Releasing an owner removes its records from every store.
	held, err := sp.ReleaseRecords("other")
	if err != nil || len(held) != 1 || held[0] != group {
		t.Fatalf("release: %v %v", held, err)
	}
	want = map[string]string{G + "/me/gen2": fmt.Sprint([]string{b})}
	if got := recordsOf(t, sp); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records after release %v, want %v", got, want)
	}
	if held, err := sp.ReleaseRecords("other"); err != nil || len(held) != 0 {
		t.Errorf("release again: %v %v", held, err)
	}
	for _, bad := range []string{"", ".", "..", "../x", "a/b", ".origin"} {
		if _, err := sp.ReleaseRecords(bad); err == nil {
			t.Errorf("release %q: no error", bad)
		}
	}
}

// Records written at once by several processes of several owners are all
// there, whole.
// A record or origin that is a FIFO (a user of a group store may make
// one in a directory of records of their own) is damaged, found without
// waiting for a writer: it does not hang every user's gc.
func TestRootRecordsFIFO(t *testing.T) {
	group := newStore(t, true)
	sp := &SearchPath{Stores: []*Store{group}}
	other := filepath.Join(group.Dir, recordsDir, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{originFile, "genX"} {
		if err := unix.Mkfifo(filepath.Join(other, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan []RootRecord, 1)
	go func() {
		recs, err := sp.RootRecords()
		if err != nil {
			t.Error(err)
		}
		done <- recs
	}()
	select {
	case recs := <-done:
		if len(recs) != 1 || recs[0].Damaged == nil {
			t.Errorf("records %+v, want genX damaged", recs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading records of which some are FIFOs still waits after 5s")
	}
}

func TestRecordRootsConcurrent(t *testing.T) {
	st := newStore(t, true)
	sp := &SearchPath{Stores: []*Store{st}}
	ids := []string{putEntry(t, st, "a"), putEntry(t, st, "b")}
	paths := []string{filepath.Join(st.Dir, ids[0]), filepath.Join(st.Dir, ids[1])}
	errs := make(chan error)
	const owners, keys = 4, 8
	for o := range owners {
		for k := range keys {
			go func() {
				errs <- sp.RecordRoots(Owner{Name: fmt.Sprint("o", o)}, fmt.Sprint("k", k%3), paths)
			}()
		}
	}
	for range owners * keys {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got := recordsOf(t, sp)
	sort.Strings(ids)
	if len(got) != owners*3 {
		t.Errorf("%d records, want %d: %v", len(got), owners*3, got)
	}
	for k, v := range got {
		if v != fmt.Sprint(ids) {
			t.Errorf("record %s: %s", k, v)
		}
	}
}
