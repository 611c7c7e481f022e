package store

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRootRecords(t *testing.T) {
	own, group := newStore(t, true), newStore(t, true)
	if err := os.Chmod(group.Dir, 0o2775); err != nil {
		t.Fatal(err)
	}
	sp := &SearchPath{Stores: []*Store{own, group}}
	if own.Shared() || !group.Shared() {
		t.Fatalf("shared: own %v, group %v", own.Shared(), group.Shared())
	}
	a, b := putEntry(t, group, "a"), putEntry(t, group, "b")
	mine := putEntry(t, own, "mine", "a")
	paths := []string{filepath.Join(own.Dir, mine), filepath.Join(group.Dir, a)}
	if err := sp.RecordRoots("me", "gen1", paths); err != nil {
		t.Fatal(err)
	}
	// Another user's record, as that user's own noxenv writes it.
	other := filepath.Join(group.Dir, recordsDir, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "genX"), []byte(b+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := sp.RootRecords()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range recs {
		got[r.Owner+"/"+r.Key] = r.IDs
	}
	uid := "me"
	if len(got) != 2 || len(got[uid+"/gen1"]) != 1 || got[uid+"/gen1"][0] != a || got["other/genX"][0] != b {
		t.Fatalf("records %v", got)
	}
	if _, err := os.Stat(filepath.Join(own.Dir, recordsDir)); err == nil {
		t.Errorf("records written in a store nobody else writes")
	}
	fi, err := os.Stat(filepath.Join(group.Dir, recordsDir))
	if err != nil || fi.Mode()&os.ModeSticky == 0 {
		t.Errorf("records directory not sticky: %v", fi.Mode())
	}

	// gc syncs: gen1 is no longer rooted, gen2 is.
	if err := sp.SyncRecords("me", map[string][]string{"gen2": {filepath.Join(group.Dir, b)}}, noStep); err != nil {
		t.Fatal(err)
	}
	recs, err = sp.RootRecords()
	if err != nil {
		t.Fatal(err)
	}
	got = map[string][]string{}
	for _, r := range recs {
		got[r.Owner+"/"+r.Key] = r.IDs
	}
	if len(got) != 2 || got[uid+"/gen2"][0] != b || got["other/genX"] == nil {
		t.Fatalf("records after sync %v", got)
	}
}
