package profile

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noxenv/noxenv/store"
)

// fixture is a state directory with a user profile and a few entries.
type fixture struct {
	gens string
	p    *Profile
	a, b *store.Entry
}

func newFixture(t *testing.T) *fixture {
	state := t.TempDir()
	sd := t.TempDir()
	return &fixture{
		gens: filepath.Join(state, "generations"),
		p:    &Profile{Path: filepath.Join(state, "profiles", "default")},
		a:    testEntry(t, sd, "a", "1.0", map[string]string{"bin/a": "a"}),
		b:    testEntry(t, sd, "b", "1.0", map[string]string{"bin/b": "b"}),
	}
}

// set switches f.p to exactly the entries es.
func (f *fixture) set(t *testing.T, es ...*store.Entry) *GenerationInfo {
	t.Helper()
	var ms []Member
	for _, e := range es {
		ms = append(ms, member(e, DefaultPriority))
	}
	gi, err := f.p.Update(func([]Member) (*Generation, error) {
		return build(f.gens, sortedMembers(ms), es, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	return gi
}

func names(ms []Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

func TestGenerations(t *testing.T) {
	f := newFixture(t)
	if _, err := f.p.Current(); !errors.Is(err, ErrNoProfile) {
		t.Fatalf("Current of a new profile: %v", err)
	}
	f.set(t, f.a)
	f.set(t, f.a, f.b)
	if gi := f.set(t, f.a, f.b); gi.Number != 2 {
		t.Errorf("the same members again made generation %d", gi.Number)
	}
	f.set(t, f.b)
	gens, err := f.p.Generations()
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 4 {
		t.Fatalf("%d generations, want 4: %+v", len(gens), gens)
	}
	for i, want := range []struct {
		members, added, removed []string
		current                 bool
	}{
		{nil, nil, nil, false},
		{[]string{"a"}, []string{"a"}, nil, false},
		{[]string{"a", "b"}, []string{"b"}, nil, false},
		{[]string{"b"}, nil, []string{"a"}, true},
	} {
		g := gens[i]
		if g.Number != i || g.Current != want.current || g.Time.IsZero() ||
			!slices.Equal(names(g.Members), want.members) || !slices.Equal(names(g.Added), want.added) || !slices.Equal(names(g.Removed), want.removed) {
			t.Errorf("generation %d: %+v, want %+v", i, g, want)
		}
	}
	if m, err := LoadManifest(gens[0].Dir); err != nil || len(m.Members) != 0 {
		t.Errorf("generation 0 is not empty: %+v %v", m, err)
	}
	// The link is relative inside the state directory.
	if target, _ := os.Readlink(f.p.Path + "-3-link"); filepath.IsAbs(target) {
		t.Errorf("generation link %s is absolute", target)
	}
	if target, _ := os.Readlink(f.p.Path); target != "default-3-link" {
		t.Errorf("profile links to %s", target)
	}
}

// A new profile changed to no members is at its generation 0, linked;
// one changed to members has generation 0 and is at 1.
func TestUpdateCreates(t *testing.T) {
	f := newFixture(t)
	if gi := f.set(t); gi.Number != 0 || !gi.Current {
		t.Errorf("a new empty profile: %+v", gi)
	}
	if target, err := os.Readlink(f.p.Path); err != nil || target != "default-0-link" {
		t.Errorf("a new empty profile links to %q (%v)", target, err)
	}
	f = newFixture(t)
	if gi := f.set(t, f.a); gi.Number != 1 || !gi.Current {
		t.Errorf("a new profile of a: %+v", gi)
	}
	if target, err := os.Readlink(f.p.Path); err != nil || target != "default-1-link" {
		t.Errorf("a new profile of a links to %q (%v)", target, err)
	}
	if gens, err := f.p.Generations(); err != nil || len(gens) != 2 || gens[0].Number != 0 || gens[0].Current || !gens[1].Current {
		t.Errorf("generations of a new profile of a: %+v, %v", gens, err)
	}
}

func TestRollback(t *testing.T) {
	f := newFixture(t)
	f.set(t, f.a)
	f.set(t, f.a, f.b)
	gi, err := f.p.Rollback(-1)
	if err != nil || gi.Number != 1 {
		t.Fatalf("rollback: %+v %v", gi, err)
	}
	if cur, _ := f.p.Current(); cur.Number != 1 || !slices.Equal(names(cur.Members), []string{"a"}) {
		t.Errorf("current after rollback: %+v", cur)
	}
	if gi, err = f.p.Rollback(0); err != nil || gi.Number != 0 {
		t.Fatalf("rollback to 0: %+v %v", gi, err)
	}
	if _, err := f.p.Rollback(-1); err == nil {
		t.Error("rollback before generation 0 succeeded")
	}
	if _, err := f.p.Rollback(7); err == nil {
		t.Error("rollback to a missing generation succeeded")
	}
	// A change after a rollback gets the next free number.
	if gi := f.set(t, f.b); gi.Number != 3 {
		t.Errorf("new generation after rollback is %d, want 3", gi.Number)
	}
}

// A generation whose record is damaged is read as one without a record
// (the time of its link, the members of its manifest): the profile's
// history, its rollbacks and gc's roots do not stop at it.
func TestDamagedRecord(t *testing.T) {
	f := newFixture(t)
	f.set(t, f.a)
	f.set(t, f.a, f.b)
	if err := os.WriteFile(f.p.recordPath(1), []byte(`{"members":`), 0o644); err != nil {
		t.Fatal(err)
	}
	gens, err := f.p.Generations()
	if err != nil || len(gens) != 3 || gens[1].Time.IsZero() || !slices.Equal(names(gens[1].Members), []string{"a"}) {
		t.Fatalf("generations with a damaged record: %+v %v", gens, err)
	}
	if gi, err := f.p.Rollback(-1); err != nil || gi.Number != 1 {
		t.Fatalf("rollback to the generation of the damaged record: %+v %v", gi, err)
	}
	if cur, err := f.p.Current(); err != nil || cur.Number != 1 || !slices.Equal(names(cur.Members), []string{"a"}) {
		t.Errorf("current: %+v %v", cur, err)
	}
	pl := Places{StateDir: filepath.Dir(f.gens), ProfilesDir: filepath.Dir(f.p.Path)}
	if r, err := FindRoots(pl, "old"); err != nil || len(r.Live) != 1 || r.Live[0].Number != 1 || len(r.Doomed) != 2 {
		t.Errorf("roots: %+v %v", r, err)
	}
}

// A rollback never makes current a generation whose tree is gone (removed
// by hand): the profile stays where it is, and the error says which.
func TestRollbackTreeGone(t *testing.T) {
	f := newFixture(t)
	g1 := f.set(t, f.a)
	f.set(t, f.a, f.b)
	if err := store.RemoveTree(g1.Dir, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, to := range []int{-1, 1} {
		_, err := f.p.Rollback(to)
		if err == nil || !strings.Contains(err.Error(), "generation 1") || !strings.Contains(err.Error(), g1.Dir) {
			t.Errorf("rollback(%d) to a generation whose tree is gone: %v", to, err)
		}
	}
	if cur, err := f.p.Current(); err != nil || cur.Number != 2 {
		t.Errorf("current after the refused rollbacks: %+v %v", cur, err)
	}
	if gi, err := f.p.Rollback(0); err != nil || gi.Number != 0 {
		t.Errorf("rollback to 0: %+v %v", gi, err)
	}
}

// A profile whose current generation link is gone (removed by hand) is
// broken, said so, and repaired by a rollback: to the generation before
// the link that is gone, or to the one asked for.
func TestRollbackBroken(t *testing.T) {
	f := newFixture(t)
	f.set(t, f.a)
	f.set(t, f.a, f.b)
	f.set(t, f.b)
	if err := os.Remove(f.p.linkPath(3)); err != nil {
		t.Fatal(err)
	}
	var broken *BrokenError
	if _, err := f.p.Current(); !errors.As(err, &broken) || broken.Link != f.p.linkPath(3) {
		t.Fatalf("Current of a broken profile: %v", err)
	}
	if gens, err := f.p.Generations(); err != nil || len(gens) != 3 {
		t.Errorf("generations of a broken profile: %+v %v", gens, err)
	}
	if gi, err := f.p.Rollback(-1); err != nil || gi.Number != 2 {
		t.Fatalf("rollback of a broken profile: %+v %v", gi, err)
	}
	if cur, err := f.p.Current(); err != nil || cur.Number != 2 {
		t.Errorf("current after the repair: %+v %v", cur, err)
	}
	os.Remove(f.p.linkPath(2))
	if gi, err := f.p.Rollback(0); err != nil || gi.Number != 0 {
		t.Errorf("rollback --to 0 of a broken profile: %+v %v", gi, err)
	}
}

// Profile names are one line of the listings: no control characters.
func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"dev": true, "my env": true, "-x": true, "a.b": true, "ünï": true,
		"": false, ".": false, "..": false, ".hidden": false, "a/b": false, "x-3-link": false,
		"a\nb": false, "a\tb": false, "a\x7fb": false, "a\rb": false,
	} {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v", name, err)
		}
	}
}

func TestDeleteGenerations(t *testing.T) {
	now := time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC)
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	// Generations 0..5, made 50, 40, 30, 20, 10 and 0 days ago; 3 current.
	gens := []GenerationInfo{{Number: 0, Time: days(50)}, {Number: 1, Time: days(40)}, {Number: 2, Time: days(30)},
		{Number: 3, Time: days(20), Current: true}, {Number: 4, Time: days(10)}, {Number: 5, Time: days(0)}}
	tests := []struct {
		spec string
		want []int
	}{
		{"old", []int{0, 1, 2, 4, 5}},
		{"+1", []int{0, 1, 2}},
		{"+2", []int{0, 1}},
		{"+9", nil},
		{"35d", []int{0}},       // 1 was current 35 days ago: it stays
		{"15d", []int{0, 1, 2}}, // 3 is current anyway
		{"5d", []int{0, 1, 2}},
		{"100d", nil},
		{"360h", []int{0, 1, 2}}, // 15 days
		{"50400m", []int{0}},     // 35 days
		{"29d23h", []int{0, 1}},  // 2 was current then
		{"1000000s", []int{0, 1, 2}},
	}
	for _, tc := range tests {
		sel, err := parseSpec(tc.spec, now)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		var got []int
		for _, g := range sel(gens) {
			got = append(got, g.Number)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s deletes %v, want %v", tc.spec, got, tc.want)
		}
	}
	for _, bad := range []string{"", "+0", "+", "++1", "-1", "d", "3x", "+-2", "-3d", "old1", "30", "1.5h", "1w", "3d-1h", "99999999999999999999d"} {
		if _, err := parseSpec(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDeleteGenerationsOnDisk(t *testing.T) {
	f := newFixture(t)
	f.set(t, f.a)
	f.set(t, f.a, f.b)
	f.set(t, f.b)
	if _, err := f.p.Rollback(2); err != nil {
		t.Fatal(err)
	}
	plan, err := f.p.PlanDeleteGenerations("old")
	if err != nil || len(plan) != 3 {
		t.Fatalf("plan: %v %v", plan, err)
	}
	if gens, _ := f.p.Generations(); len(gens) != 4 {
		t.Fatal("planning deleted something")
	}
	deleted, err := f.p.DeleteGenerationsListed("old")
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 3 || deleted[0].Number != 0 || deleted[1].Number != 1 || deleted[2].Number != 3 {
		t.Errorf("deleted %+v, want generations 0, 1 and 3", deleted)
	}
	gens, err := f.p.Generations()
	if err != nil || len(gens) != 1 || gens[0].Number != 2 || !gens[0].Current {
		t.Fatalf("after delete: %+v %v", gens, err)
	}
	for _, n := range []int{0, 1, 3} {
		if _, err := os.Lstat(f.p.recordPath(n)); err == nil {
			t.Errorf("record of generation %d remains", n)
		}
	}
	if gi := f.set(t, f.a); gi.Number != 3 {
		t.Errorf("next generation is %d, want 3", gi.Number)
	}
}

func TestReadOnly(t *testing.T) {
	f := newFixture(t)
	f.set(t, f.a)
	ro := &Profile{Path: f.p.Path, ReadOnly: true}
	var roe *ReadOnlyError
	if _, err := ro.Update(func([]Member) (*Generation, error) { t.Fatal("called"); return nil, nil }); !errors.As(err, &roe) {
		t.Errorf("update: %v", err)
	}
	if _, err := ro.Rollback(-1); !errors.As(err, &roe) {
		t.Errorf("rollback: %v", err)
	}
	if err := ro.DeleteGenerations("old"); !errors.As(err, &roe) {
		t.Errorf("delete: %v", err)
	}
	if cur, err := ro.Current(); err != nil || cur.Number != 1 {
		t.Errorf("reading a read-only profile: %+v %v", cur, err)
	}
}

func TestNotAProfile(t *testing.T) {
	dir := t.TempDir()
	p := &Profile{Path: dir}
	if _, err := p.Update(func([]Member) (*Generation, error) { return build(t.TempDir(), nil, nil, nil) }); err == nil {
		t.Error("a directory became a profile")
	}
}

func TestConcurrentUpdates(t *testing.T) {
	f := newFixture(t)
	sd := t.TempDir()
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		e := testEntry(t, sd, "p"+string(rune('a'+i)), "1.0", map[string]string{"share/p/" + string(rune('a'+i)): ""})
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.p.Update(func(cur []Member) (*Generation, error) {
				ms := append(append([]Member(nil), cur...), member(e, DefaultPriority))
				var es []*store.Entry
				for _, m := range ms {
					es = append(es, m.Entry)
				}
				// Entries of earlier members come from the record, without
				// their Entry: find them again.
				for i, m := range ms {
					if m.Entry == nil {
						es[i] = &store.Entry{ID: m.ID, Name: m.Name, Path: filepath.Join(sd, m.ID), Info: &store.Info{}}
						ms[i].Entry = es[i]
					}
				}
				time.Sleep(time.Millisecond)
				return build(f.gens, sortedMembers(ms), es, nil)
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	cur, err := f.p.Current()
	if err != nil {
		t.Fatal(err)
	}
	if len(cur.Members) != n || cur.Number != n {
		t.Errorf("current generation %d has %d members, want %d and %d", cur.Number, len(cur.Members), n, n)
	}
}

func TestRegisterAdHoc(t *testing.T) {
	state := t.TempDir()
	p := filepath.Join(t.TempDir(), "p")
	if err := RegisterAdHoc(state, p); err != nil {
		t.Fatal(err)
	}
	if err := RegisterAdHoc(state, p); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(state, AdHocRootsDir))
	if err != nil || len(ents) != 1 {
		t.Fatalf("roots: %v %v", ents, err)
	}
	if target, _ := os.Readlink(filepath.Join(state, AdHocRootsDir, ents[0].Name())); target != p {
		t.Errorf("root links to %s, want %s", target, p)
	}
}

// TestLeftovers checks that what a change killed midway leaves (a half
// built tree, a temporary link, a record without its link) neither shows
// nor gets in the way of the next change.
func TestLeftovers(t *testing.T) {
	f := newFixture(t)
	f.set(t, f.a)
	dir := filepath.Dir(f.p.Path)
	if err := os.MkdirAll(filepath.Join(f.gens, ".tmp-0123-456", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("default-9-link", filepath.Join(dir, ".default.tmp-1-2")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.p.recordPath(2), []byte(`{"members":[{"name":"ghost"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	gens, err := f.p.Generations()
	if err != nil || len(gens) != 2 {
		t.Fatalf("generations with leftovers: %+v %v", gens, err)
	}
	gi := f.set(t, f.a, f.b)
	if gi.Number != 2 || !slices.Equal(names(gi.Members), []string{"a", "b"}) {
		t.Fatalf("next change: %+v", gi)
	}
	if cur, err := f.p.Current(); err != nil || !slices.Equal(names(cur.Members), []string{"a", "b"}) {
		t.Errorf("the orphan record was not replaced: %+v %v", cur, err)
	}
	if names, err := Names(dir); err != nil || !slices.Equal(names, []string{"default"}) {
		t.Errorf("profiles: %v %v", names, err)
	}
}

// A change removes the temporary records and links that changes of its
// profile killed midway left, and only those.
func TestLeftoversRemoved(t *testing.T) {
	f := newFixture(t)
	f.set(t, f.a)
	dir := filepath.Dir(f.p.Path)
	left := []string{".tmp-.default-2.json-123", ".default-2-link.tmp-77-88", ".default.tmp-77-99"}
	others := []string{".tmp-.default-x-2.json-123", ".default-x-2-link.tmp-77-88", ".default-x.tmp-77-99", ".tmp-id-5", ".default-1.json"}
	for _, name := range append(slices.Clone(left), others...) {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f.set(t, f.a, f.b)
	for _, name := range left {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			t.Errorf("leftover %s is still there", name)
		}
	}
	for _, name := range others {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s, not a leftover of default, is gone: %v", name, err)
		}
	}
}

// isLinkName accepts exactly the names of the regular expression it
// stands for.
func FuzzIsLinkName(f *testing.F) {
	re := regexp.MustCompile(`^.+-[0-9]+-link$`)
	for _, s := range []string{"default-1-link", "a-b-12-link", "-1-link", "a--link", "a-1x-link", "a-1-link-1-link", "a\nb-1-link", "a-1-lin", "dev-\xff-1-link"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := isLinkName(name), re.MatchString(name); got != want {
			t.Errorf("isLinkName(%q) = %v, want %v", name, got, want)
		}
	})
}
