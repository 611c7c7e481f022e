package profile

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/store"
)

func TestFold(t *testing.T) {
	sd := t.TempDir()
	a := testEntry(t, sd, "a", "1.0", map[string]string{
		"bin/a": "A", "lib/a/x.so": "x", "lib/liba.so": "a", "share/man/man1/a.1": "a",
	})
	b := testEntry(t, sd, "b", "2.0", map[string]string{
		"bin/b": "B", "include/b/b.h": "b", "share/doc/b/README": "b",
	})
	tests := []struct {
		name string
		ents []*store.Entry
		want map[string]string
	}{
		{"one member folds every top directory", []*store.Entry{a}, map[string]string{
			"bin":   "-> " + a.Path + "/bin",
			"lib":   "-> " + a.Path + "/lib",
			"share": "-> " + a.Path + "/share",
		}},
		{"a second member unfolds what both have", []*store.Entry{a, b}, map[string]string{
			"bin":       "/",
			"bin/a":     "-> " + a.Path + "/bin/a",
			"bin/b":     "-> " + b.Path + "/bin/b",
			"include":   "-> " + b.Path + "/include",
			"lib":       "-> " + a.Path + "/lib",
			"share":     "/",
			"share/doc": "-> " + b.Path + "/share/doc",
			"share/man": "-> " + a.Path + "/share/man",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ms []Member
			for _, e := range tc.ents {
				ms = append(ms, member(e, DefaultPriority))
			}
			g, err := build(t.TempDir(), ms, tc.ents, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := tree(t, g.Dir); !maps.Equal(got, tc.want) {
				t.Errorf("tree:\n got %v\nwant %v", got, tc.want)
			}
			for _, f := range []string{"bin/a", "lib/a/x.so", "share/man/man1/a.1"} {
				if _, err := os.Stat(filepath.Join(g.Dir, f)); err != nil {
					t.Errorf("%s not reachable: %v", f, err)
				}
			}
		})
	}
}

func TestConflict(t *testing.T) {
	sd := t.TempDir()
	a := testEntry(t, sd, "a", "1.0", map[string]string{"bin/tool": "A", "bin/a": "a"})
	b := testEntry(t, sd, "b", "1.0", map[string]string{"bin/tool": "B"})
	gens := t.TempDir()
	_, err := build(gens, []Member{member(a, 5), member(b, 5)}, []*store.Entry{a, b}, nil)
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a conflict", err)
	}
	if ce.Path != "bin/tool" || ce.A != a.ID || ce.B != b.ID {
		t.Errorf("conflict = %+v", ce)
	}
	if ents, _ := os.ReadDir(gens); len(ents) != 0 {
		t.Errorf("a conflict left %v in the generations directory", ents)
	}
}

func TestPriorities(t *testing.T) {
	sd := t.TempDir()
	a := testEntry(t, sd, "a", "1.0", map[string]string{"bin/tool": "A", "bin/a": "a"})
	b := testEntry(t, sd, "b", "1.0", map[string]string{"bin/tool": "B", "bin/b": "b"})
	same := testEntry(t, sd, "same", "1.0", map[string]string{"bin/tool": "A", "bin/s": "s"})
	dep := testEntry(t, sd, "dep", "1.0", map[string]string{"bin/tool": "D", "bin/d": "d"})
	user := testEntry(t, sd, "user", "1.0", map[string]string{"bin/u": "u"}, dep)
	tests := []struct {
		name    string
		members []Member
		closure []*store.Entry
		winner  *store.Entry
	}{
		{"the lower priority number wins", []Member{member(a, 6), member(b, 4)}, []*store.Entry{a, b}, b},
		{"whatever the order", []Member{member(a, 4), member(b, 6)}, []*store.Entry{b, a}, a},
		{"identical content is no conflict", []Member{member(a, 5), member(same, 5)}, []*store.Entry{a, same}, a},
		{"a member wins over a dependency of its priority", []Member{member(user, 5), member(b, 5)}, []*store.Entry{user, b, dep}, b},
		{"a dependency has its member's priority", []Member{member(user, 3), member(b, 5)}, []*store.Entry{user, b, dep}, dep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := build(t.TempDir(), tc.members, tc.closure, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.Readlink(filepath.Join(g.Dir, "bin", "tool"))
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(tc.winner.Path, "bin", "tool"); got != want {
				t.Errorf("bin/tool -> %s, want %s", got, want)
			}
		})
	}
}

func TestDirectoryAgainstFile(t *testing.T) {
	sd := t.TempDir()
	a := testEntry(t, sd, "a", "1.0", map[string]string{"lib/x/a": "a"})
	b := testEntry(t, sd, "b", "1.0", map[string]string{"lib/x": "file"})
	c := testEntry(t, sd, "c", "1.0", map[string]string{"lib/x/c": "c"})
	_, err := build(t.TempDir(), []Member{member(a, 5), member(b, 5)}, []*store.Entry{a, b}, nil)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Path != "lib/x" {
		t.Fatalf("err = %v, want a conflict on lib/x", err)
	}
	// When the directory wins, every directory of that name merges.
	g, err := build(t.TempDir(), []Member{member(a, 4), member(b, 5), member(c, 6)}, []*store.Entry{a, b, c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"lib": "/", "lib/x": "/", "lib/x/a": "-> " + a.Path + "/lib/x/a", "lib/x/c": "-> " + c.Path + "/lib/x/c"}
	if got := tree(t, g.Dir); !maps.Equal(got, want) {
		t.Errorf("tree:\n got %v\nwant %v", got, want)
	}
}

func TestReuse(t *testing.T) {
	sd := t.TempDir()
	a := testEntry(t, sd, "a", "1.0", map[string]string{"bin/a": "a"})
	b := testEntry(t, sd, "b", "1.0", map[string]string{"bin/b": "b"})
	if Key([]Member{member(a, 5), member(b, 5)}) != Key([]Member{member(b, 5), member(a, 5)}) {
		t.Error("the key depends on the members' order")
	}
	if Key([]Member{member(a, 5), member(b, 5)}) == Key([]Member{member(a, 5), member(b, 4)}) {
		t.Error("the key ignores priorities")
	}
	gens := t.TempDir()
	ms := []Member{member(a, 5), member(b, 5)}
	g, err := build(gens, ms, []*store.Entry{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A generation found again is the one built, not a new tree.
	stamp := filepath.Join(g.Dir, "bin", ".stamp")
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// a and b lie in no store of the path: they are looked at.
	none := &store.SearchPath{}
	again, _ := reuse(none, filepath.Join(gens, Key(ms)))
	if again == nil || again.Dir != g.Dir {
		t.Fatalf("reuse = %+v, want %s", again, g.Dir)
	}
	if d, paths := reuseDir(none, g.Dir); d == nil || d.Dir != g.Dir || !slices.Equal(paths, []string{a.Path, b.Path}) {
		t.Fatalf("reuseDir = %+v, %q, want %s", d, paths, g.Dir)
	}
	if _, err := os.Stat(stamp); err != nil {
		t.Error("the generation was rebuilt")
	}
	if len(again.Entries) != 2 || again.Entries[0].ID != a.ID || again.Entries[1].Path != b.Path {
		t.Errorf("entries of the reused generation: %+v", again.Entries)
	}
	// Building the same set again (another process did meanwhile) keeps
	// the existing tree.
	if g2, err := build(gens, ms, []*store.Entry{a, b}, nil); err != nil || g2.Dir != g.Dir {
		t.Fatalf("rebuild: %v, %v", g2, err)
	}
	if ents, _ := os.ReadDir(gens); len(ents) != 1 {
		t.Errorf("generations directory holds %d files, want 1", len(ents))
	}
	// A generation whose entry has gone is not reused.
	if err := os.RemoveAll(b.Path); err != nil {
		t.Fatal(err)
	}
	if again, _ := reuse(none, g.Dir); again != nil {
		t.Error("a generation linking to a deleted entry is reused")
	}
	if d, _ := reuseDir(none, g.Dir); d != nil {
		t.Error("a generation linking to a deleted entry is reused by a profile")
	}
}

// Whether a generation's entries are still there is read from their
// stores' listings, as this process read them.
func TestReuseReadsTheListing(t *testing.T) {
	sp := newStore(t)
	a := addEntry(t, sp, "a", "1.0", map[string]string{"bin/a": "a"})
	b := addEntry(t, sp, "b", "1.0", map[string]string{"bin/b": "b"})
	gens := t.TempDir()
	ms := []Member{member(a, 5), member(b, 5)}
	g, err := Realize(sp, gens, ms)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := reuse(sp, g.Dir); again == nil || len(again.Entries) != 2 {
		t.Fatalf("reuse = %+v, want the generation of a and b", again)
	}
	if d, _ := reuseDir(sp, g.Dir); d == nil {
		t.Fatal("reuseDir found no generation of a and b")
	}
	// gc deleted b (its metadata goes first), and then another process
	// comes, with a listing of its own.
	if err := os.Remove(b.Path + store.InfoSuffix); err != nil {
		t.Fatal(err)
	}
	sp2, err := store.Open([]string{sp.Stores[0].Dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := reuse(sp2, g.Dir); again != nil {
		t.Error("a generation whose entry lost its metadata is reused")
	}
	if d, _ := reuseDir(sp2, g.Dir); d != nil {
		t.Error("a generation whose entry lost its metadata is reused by a profile")
	}
}

func TestManifest(t *testing.T) {
	sd := t.TempDir()
	dep := testEntry(t, sd, "dep", "1.0", map[string]string{"lib/libd.so": "d"})
	a := testEntry(t, sd, "a", "1.0", map[string]string{"bin/a": "a"}, dep)
	g, err := build(t.TempDir(), []Member{member(a, 3)}, []*store.Entry{a, dep}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadManifest(g.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Members) != 1 || m.Members[0].ID != a.ID || m.Members[0].Priority != 3 {
		t.Errorf("members: %+v", m.Members)
	}
	want := []ManifestEntry{
		{ID: a.ID, Path: a.Path, Name: "a", Version: "1.0", Priority: 3, References: []string{dep.ID}},
		{ID: dep.ID, Path: dep.Path, Name: "dep", Version: "1.0", Priority: 3, Dependency: true},
	}
	if len(m.Entries) != 2 || m.Entries[0].ID != want[0].ID || m.Entries[1].Dependency != true || m.Entries[1].Path != dep.Path {
		t.Errorf("entries:\n got %+v\nwant %+v", m.Entries, want)
	}
	if _, err := LoadManifest(t.TempDir()); err == nil {
		t.Error("a directory without a manifest loads")
	}
}

// TestRealizeFromListings: entries' listings give the tree reading their
// directories gives, including where a listing stops short (a package of
// more names than a listing records) or is missing.
func TestRealizeFromListings(t *testing.T) {
	sp := newStore(t)
	var es []*store.Entry
	var ms []Member
	for i := range 5 {
		name := fmt.Sprintf("pkg%d", i)
		es = append(es, addEntry(t, sp, name, "1.0", packageFiles(name)))
	}
	big := map[string]string{"bin/big": "big", "share/man/man1/big.1": "big"}
	for i := range 5000 {
		big[fmt.Sprintf("share/man/man%d/big%d.%d", i%9+1, i, i%9+1)] = "big"
	}
	es = append(es, addEntry(t, sp, "big", "1.0", big))
	// share/man/man9 is shared, and big's listing stops short of it.
	es = append(es, addEntry(t, sp, "nine", "1.0", map[string]string{"share/man/man9/nine.9": "nine"}))
	for _, e := range es {
		ms = append(ms, member(e, DefaultPriority))
	}
	listed, err := build(t.TempDir(), ms, es, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := os.Remove(e.Path + store.ListingSuffix); err != nil {
			t.Fatal(err)
		}
	}
	read, err := build(t.TempDir(), ms, es, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, want := tree(t, listed.Dir), tree(t, read.Dir)
	if !maps.Equal(got, want) {
		t.Errorf("from listings:\n%v\nfrom the trees:\n%v", got, want)
	}
	for _, p := range []string{"share/man/man1", "share/man/man9"} {
		if want[p] != "/" {
			t.Errorf("%s is %q in the union, want a directory", p, want[p])
		}
	}
	if want["share/man/man9/big8.9"] == "" || want["share/man/man9/nine.9"] == "" || want["share/man/man8"] == "" {
		t.Error("the union lacks what its packages provide")
	}
}

// TestRealizeReadsListings: the planner takes a directory's names from
// the entry's listing, not from the tree, where the listing records it
// (a listing that disagrees with its tree shows which was read).
func TestRealizeReadsListings(t *testing.T) {
	sp := newStore(t)
	a := addEntry(t, sp, "a", "1.0", map[string]string{"bin/a": "a"})
	b := addEntry(t, sp, "b", "1.0", map[string]string{"bin/b": "b"})
	p := a.Path + store.ListingSuffix
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	ghost := strings.Replace(string(data), "/bin\x003\x00fa\x00", "/bin\x0010\x00fa\x00fghost\x00", 1)
	if ghost == string(data) {
		t.Fatalf("listing %q has no bin block as expected", data)
	}
	os.Remove(p)
	if err := os.WriteFile(p, []byte(ghost), 0o444); err != nil {
		t.Fatal(err)
	}
	g, err := build(t.TempDir(), []Member{member(a, DefaultPriority), member(b, DefaultPriority)}, []*store.Entry{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := tree(t, g.Dir)["bin/ghost"]; got != "-> "+a.Path+"/bin/ghost" {
		t.Errorf("bin/ghost is %q: the listing was not read", got)
	}
}

// TestConflictFromListings: entries with listings conflict as entries
// without do, and a conflict found after links were made leaves nothing
// in the generations directory.
func TestConflictFromListings(t *testing.T) {
	sp := newStore(t)
	var es []*store.Entry
	// 20 packages put more than planBatch links before zz/: the
	// conflict there is found after links were made.
	for i := range 20 {
		name := fmt.Sprintf("pkg%02d", i)
		es = append(es, addEntry(t, sp, name, "1.0", packageFiles(name)))
	}
	a := addEntry(t, sp, "a", "1.0", map[string]string{"zzz/tool": "A", "zz/x/a": "a"})
	b := addEntry(t, sp, "b", "1.0", map[string]string{"zzz/tool": "B", "zz/x": "file"})
	es = append(es, a, b)
	var ms []Member
	for _, e := range es {
		ms = append(ms, member(e, DefaultPriority))
	}
	gens := t.TempDir()
	_, err := build(gens, ms, es, nil)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Path != "zz/x" || ce.A != a.ID || ce.B != b.ID {
		t.Fatalf("err = %v, want a conflict on zz/x between a and b", err)
	}
	ms[len(ms)-2].Priority = 4 // a wins zz/x, and zzz/tool
	if _, err := build(gens, ms[:len(ms)-1], es[:len(es)-1], nil); err != nil {
		t.Fatal(err)
	}
	ms[len(ms)-2].Priority = DefaultPriority
	ms[len(ms)-1].Priority = 4 // b wins zz/x; zzz/tool is then b's against a's
	g, err := build(gens, ms, es, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.Readlink(filepath.Join(g.Dir, "zzz")); got != "" {
		t.Errorf("zzz is a link to %s, want a directory", got)
	}
	if got, _ := os.Readlink(filepath.Join(g.Dir, "zzz", "tool")); got != b.Path+"/zzz/tool" {
		t.Errorf("zzz/tool -> %s, want b's", got)
	}
	des, _ := os.ReadDir(gens)
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".tmp-") {
			t.Errorf("%s left in the generations directory", de.Name())
		}
	}
}

// TestMakeLinksError: a link that cannot be made is the error, and the
// batches after it are taken, so the planner sending them is never left
// blocked.
func TestMakeLinksError(t *testing.T) {
	for _, root := range []string{t.TempDir(), filepath.Join(t.TempDir(), "missing")} {
		batches := make(chan []link)
		sent := make(chan struct{})
		go func() {
			batches <- []link{{path: "d"}, {"d/a", "/x"}, {"d/a", "/y"}}
			for i := range 100 {
				batches <- []link{{fmt.Sprintf("d/late%d", i), "/z"}}
			}
			close(batches)
			close(sent)
		}()
		err := makeLinks(root, batches)
		select {
		case <-sent:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the sender is left blocked", root)
		}
		if err == nil || (filepath.Base(root) != "missing" && (!errors.Is(err, os.ErrExist) || !strings.Contains(err.Error(), "d/a"))) {
			t.Errorf("%s: err = %v, want d/a existing or root missing", root, err)
		}
	}
}

// TestMakeLinksNested: links go into directories at every depth, in the
// plan's order (a directory's subdirectory, then its own names again), and
// every directory opened on the way is closed.
func TestMakeLinksNested(t *testing.T) {
	openFDs := func() int {
		des, err := os.ReadDir("/proc/self/fd")
		if err != nil && runtime.GOOS == "linux" {
			t.Fatalf("counting open descriptors: %v", err)
		}
		if err != nil {
			t.Skip("no /proc/self/fd to count open descriptors")
		}
		return len(des)
	}
	var plan []link
	want := map[string]string{}
	for _, top := range []string{"a", "b"} {
		plan = append(plan, link{path: top})
		for _, sub := range []string{"x", "y"} {
			dir := top + "/" + sub
			plan = append(plan, link{path: dir})
			for i := range 3 {
				p := fmt.Sprintf("%s/f%d", dir, i)
				plan = append(plan, link{p, "/t/" + p})
				want[p] = "/t/" + p
			}
		}
		p := top + "/z"
		plan = append(plan, link{p, "/t/" + p})
		want[p] = "/t/" + p
	}
	plan = append(plan, link{"top", "/t/top"})
	want["top"] = "/t/top"
	root := t.TempDir()
	before := openFDs()
	batches := make(chan []link, len(plan))
	for _, l := range plan {
		batches <- []link{l}
	}
	close(batches)
	if err := makeLinks(root, batches); err != nil {
		t.Fatal(err)
	}
	if after := openFDs(); after != before {
		t.Errorf("%d descriptors open before, %d after", before, after)
	}
	for p, target := range want {
		if got, err := os.Readlink(filepath.Join(root, p)); err != nil || got != target {
			t.Errorf("%s: %q, %v; want %q", p, got, err, target)
		}
	}
}
