package profile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestChange(t *testing.T) {
	sp := plainStore(t, "tool-1.0")
	if err := os.MkdirAll(filepath.Join(sp.Stores[0].Dir, "tool-1.0", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	add := func(cur []Member) ([]Member, error) {
		ms, _, err := addMembers(t, sp, cur, []string{"tool"}, nil)
		return ms, err
	}

	ro := &Profile{Path: filepath.Join(t.TempDir(), "team"), ReadOnly: true}
	var roe *ReadOnlyError
	if _, err := ro.Change(sp, state, false, add); !errors.As(err, &roe) {
		t.Errorf("changing a release profile: %v", err)
	}
	if _, err := os.Lstat(ro.Path); err == nil {
		t.Error("a release profile was made")
	}

	adhoc := &Profile{Path: filepath.Join(t.TempDir(), "envs", "dev")}
	gi, err := adhoc.Change(sp, state, true, add)
	if err != nil {
		t.Fatal(err)
	}
	if gi.Number != 1 || len(gi.Members) != 1 || filepath.Dir(gi.Dir) != GenerationsDir(state) {
		t.Errorf("Change = %+v", gi)
	}
	roots, err := os.ReadDir(filepath.Join(state, AdHocRootsDir))
	if err != nil || len(roots) != 1 {
		t.Fatalf("ad hoc roots: %v, %v", roots, err)
	}
	if target, _ := os.Readlink(filepath.Join(state, AdHocRootsDir, roots[0].Name())); target != adhoc.Path {
		t.Errorf("ad hoc root points to %s, want %s", target, adhoc.Path)
	}
	if fi, err := os.Stat(filepath.Join(adhoc.Path, "bin")); err != nil || !fi.IsDir() {
		t.Errorf("the profile lacks the member's bin: %v", err)
	}

	// A failing change leaves the profile as it was.
	boom := errors.New("boom")
	if _, err := adhoc.Change(sp, state, true, func([]Member) ([]Member, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("failing change: %v", err)
	}
	if cur, err := adhoc.Current(); err != nil || cur.Number != 1 {
		t.Errorf("after a failing change: %+v, %v", cur, err)
	}
}
