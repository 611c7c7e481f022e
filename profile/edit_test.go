package profile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/store"
)

// plainStore is a search path of one unmanaged store holding the plain
// entries ids (NAME-VERSION directories).
func plainStore(t *testing.T, ids ...string) *store.SearchPath {
	t.Helper()
	dir := t.TempDir()
	for _, id := range ids {
		if err := os.Mkdir(filepath.Join(dir, id), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sp, err := store.Open([]string{dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// addMembers is AddMembers of pkgs as sp locates them.
func addMembers(t *testing.T, sp *store.SearchPath, cur []Member, pkgs []string, priority *int) ([]Member, []Change, error) {
	t.Helper()
	found, _, err := sp.LocateAll(context.Background(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	return AddMembers(found, cur, pkgs, priority)
}

func memberList(ms []Member) string {
	var s string
	for _, m := range ms {
		s += fmt.Sprintf("%s %s %s %d; ", m.Name, m.Version, m.Request, m.Priority)
	}
	return s
}

func TestAddMembers(t *testing.T) {
	sp := plainStore(t, "tool-1.0", "tool-2.0", "lib-1.0")
	ms, changes, err := addMembers(t, sp, nil, []string{"tool@1", "lib"}, nil)
	if err != nil || len(changes) != 0 {
		t.Fatalf("AddMembers = %v, %v", changes, err)
	}
	if got, want := memberList(ms), "tool 1.0 tool@1 5; lib 1.0 lib 5; "; got != want {
		t.Errorf("members %q, want %q", got, want)
	}

	// Another version of a name takes its place and keeps its priority;
	// an id is pinned to its version; --priority overrides.
	ms[0].Priority = 3
	up, changes, err := addMembers(t, sp, ms, []string{"tool-2.0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := memberList(up), "tool 2.0 tool@=2.0 3; lib 1.0 lib 5; "; got != want {
		t.Errorf("members %q, want %q", got, want)
	}
	if len(changes) != 1 || changes[0].String() != "upgrading tool from 1.0 to 2.0" {
		t.Errorf("changes %v", changes)
	}
	prio := 7
	down, changes, err := addMembers(t, sp, up, []string{"tool@1"}, &prio)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := memberList(down), "tool 1.0 tool@1 7; lib 1.0 lib 5; "; got != want {
		t.Errorf("members %q, want %q", got, want)
	}
	if len(changes) != 1 || changes[0].String() != "downgrading tool from 2.0 to 1.0" {
		t.Errorf("changes %v", changes)
	}
	same, changes, err := addMembers(t, sp, down, []string{"lib"}, &prio)
	if err != nil || len(same) != 2 || len(changes) != 1 || changes[0].String() != "lib 1.0: priority 7, was 5" {
		t.Errorf("AddMembers(lib, priority 7) = %q, %v, %v", memberList(same), changes, err)
	}
	if _, changes, _ := addMembers(t, sp, same, []string{"lib"}, nil); len(changes) != 0 {
		t.Errorf("adding a member again: changes %v", changes)
	}

	var de *DuplicateNameError
	if _, _, err := addMembers(t, sp, nil, []string{"tool", "tool-1.0"}, nil); !errors.As(err, &de) || err.Error() != "tool and tool-1.0 are both tool: a profile holds one package of a name" {
		t.Errorf("two of one name: %v", err)
	}
	if _, _, err := addMembers(t, sp, nil, []string{"nosuch"}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a missing package: %v", err)
	}
}

func TestChangeReplacing(t *testing.T) {
	old := Member{Name: "a", Version: "1", ID: "x-a-1", Priority: 5}
	m := old
	m.ID = "y-a-1"
	if got := (Change{old, m}).String(); got != "replacing a 1 (x-a-1) with y-a-1" {
		t.Errorf("Change = %q", got)
	}
}

func TestRemoveAndUpgradeMembers(t *testing.T) {
	sp := plainStore(t, "tool-1.0", "lib-1.0")
	cur, _, err := addMembers(t, sp, nil, []string{"tool", "lib"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var nm *NotMemberError
	if _, err := RemoveMembers(cur, []string{"lib", "nosuch"}); !errors.As(err, &nm) || nm.Name != "nosuch" {
		t.Errorf("RemoveMembers(nosuch) = %v", err)
	}
	if ms, err := RemoveMembers(cur, []string{"lib"}); err != nil || memberList(ms) != "tool 1.0 tool 5; " {
		t.Errorf("RemoveMembers(lib) = %q, %v", memberList(ms), err)
	}
	if _, changes, err := UpgradeMembers(sp, cur, nil); err != nil || len(changes) != 0 {
		t.Errorf("nothing to upgrade: %v, %v", changes, err)
	}
	if _, _, err := UpgradeMembers(sp, cur, []string{"nosuch"}); !errors.As(err, &nm) {
		t.Errorf("UpgradeMembers(nosuch) = %v", err)
	}
	if err := os.Mkdir(filepath.Join(sp.Stores[0].Dir, "tool-1.5"), 0o755); err != nil {
		t.Fatal(err)
	}
	sp, err = store.Open([]string{sp.Stores[0].Dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	ms, changes, err := UpgradeMembers(sp, cur, []string{"tool"})
	if err != nil || memberList(ms) != "tool 1.5 tool 5; lib 1.0 lib 5; " || len(changes) != 1 {
		t.Errorf("UpgradeMembers(tool) = %q, %v, %v", memberList(ms), changes, err)
	}
}

func TestSummary(t *testing.T) {
	a1 := Member{Name: "a", Version: "1", ID: "a-1"}
	a2 := Member{Name: "a", Version: "2", ID: "a-2"}
	a1b := Member{Name: "a", Version: "1", ID: "x-a-1"}
	b := Member{Name: "b", Version: "3", ID: "b-3"}
	c := Member{Name: "c", Version: "4", ID: "c-4"}
	for _, tc := range []struct {
		g    GenerationInfo
		want string
	}{
		{GenerationInfo{}, ""},
		{GenerationInfo{Added: []Member{a1, b}}, "+a 1, +b 3"},
		{GenerationInfo{Added: []Member{a2}, Removed: []Member{a1, c}}, "a 1 -> 2, -c 4"},
		{GenerationInfo{Added: []Member{a1b}, Removed: []Member{a1}}, "a 1 (changed)"},
	} {
		if got := tc.g.Summary(); got != tc.want {
			t.Errorf("Summary(%+v) = %q, want %q", tc.g, got, tc.want)
		}
	}
}

func TestExport(t *testing.T) {
	g := GenerationInfo{Number: 4, Members: []Member{
		{Name: "a", Version: "1.0", Priority: DefaultPriority},
		{Name: "b", Version: "2", Priority: 1},
	}}
	text, unkept := Export("dev", g)
	if want := "# Profile dev, generation 4 (noxenv profile export).\nuse a =1.0\nuse b =2\n"; text != want {
		t.Errorf("Export = %q, want %q", text, want)
	}
	if len(unkept) != 1 || unkept[0].Name != "b" {
		t.Errorf("unkept = %v", unkept)
	}
	uses, err := ReadUses(strings.NewReader(text), "f")
	if err != nil || len(uses) != 2 || uses[1].Request.String() != "b@=2" {
		t.Errorf("reading the export back: %v, %v", uses, err)
	}
}

// diffMembers names what a change adds and removes, a member whose entry,
// request or priority changed in both, and nothing when nothing changed.
func TestDiffMembers(t *testing.T) {
	a := Member{Name: "a", ID: "h-a-1", Request: "a", Priority: 5}
	b := Member{Name: "b", ID: "h-b-1", Request: "b", Priority: 5}
	a2 := a
	a2.ID = "h-a-2"
	bp := b
	bp.Priority = 1
	for _, c := range []struct {
		old, new, added, removed []Member
	}{
		{nil, nil, nil, nil},
		{nil, []Member{a, b}, []Member{a, b}, nil},
		{[]Member{a, b}, nil, nil, []Member{a, b}},
		{[]Member{a, b}, []Member{a, b}, nil, nil},
		{[]Member{a, b}, []Member{a2, b}, []Member{a2}, []Member{a}},
		{[]Member{a, b}, []Member{bp}, []Member{bp}, []Member{a, b}},
	} {
		added, removed := diffMembers(c.old, c.new)
		if !reflect.DeepEqual(added, c.added) || !reflect.DeepEqual(removed, c.removed) {
			t.Errorf("diffMembers(%v, %v) = %v, %v; want %v, %v", c.old, c.new, added, removed, c.added, c.removed)
		}
	}
}
