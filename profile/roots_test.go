package profile

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/noxenv/noxenv/internal/shellroot"
	"github.com/noxenv/noxenv/store"
)

// rootsFixture is a state directory with one root of each kind.
type rootsFixture struct {
	pl      Places
	sp      *store.SearchPath
	entries map[string]*store.Entry
	gens    map[string]*Generation
}

func newRootsFixture(t *testing.T) *rootsFixture {
	t.Helper()
	top := t.TempDir()
	f := &rootsFixture{
		pl: Places{
			StateDir:    filepath.Join(top, "state"),
			ProfilesDir: filepath.Join(top, "state", "profiles"),
			ReleaseDirs: []string{filepath.Join(top, "release", "profiles")},
		},
		entries: map[string]*store.Entry{},
		gens:    map[string]*Generation{},
	}
	f.sp = newStore(t)
	for _, name := range []string{"a", "b", "c", "d", "e", "r", "s", "x"} {
		f.entries[name] = testEntry(t, f.sp.Stores[0].Dir, name, "1.0", map[string]string{"bin/" + name: name})
	}
	return f
}

// profile makes the profile at path with one generation per member set.
func (f *rootsFixture) profile(t *testing.T, path string, sets ...string) *Profile {
	t.Helper()
	p := &Profile{Path: path}
	for _, set := range sets {
		var ms []Member
		for _, n := range strings.Split(set, ",") {
			if n != "" {
				ms = append(ms, member(f.entries[n], DefaultPriority))
			}
		}
		g, err := Realize(f.sp, f.pl.generationsDir(), ms)
		if err != nil {
			t.Fatal(err)
		}
		f.gens[set] = g
		if err := p.Switch(g); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// project makes the project of dir, with its .noxprofile when alive.
func (f *rootsFixture) project(t *testing.T, key, dir string, alive bool, sets ...string) {
	t.Helper()
	pdir := filepath.Join(f.pl.projectsDir(), key)
	f.profile(t, filepath.Join(pdir, "profile"), sets...)
	file := filepath.Join(dir, ".noxprofile")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if alive {
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(pdir, "noxprofile"), []byte(file+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// session makes a session file; a live one is locked until the test ends.
func (f *rootsFixture) session(t *testing.T, key string, g *Generation, live bool) {
	t.Helper()
	dir := filepath.Join(f.pl.StateDir, "sessions")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, key)
	if err := os.WriteFile(p, []byte(g.Dir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if live {
		fd, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fd.Close() })
		if err := unix.Flock(int(fd.Fd()), unix.LOCK_EX); err != nil {
			t.Fatal(err)
		}
	}
}

func describe(roots []Root) []string {
	var out []string
	for _, r := range roots {
		cur := ""
		if r.Current {
			cur = "*"
		}
		out = append(out, fmt.Sprintf("%s %s %d%s", r.Kind, filepath.Base(r.Name), r.Number, cur))
	}
	sort.Strings(out)
	return out
}

func TestFindRoots(t *testing.T) {
	f := newRootsFixture(t)
	top := filepath.Dir(f.pl.StateDir)
	f.profile(t, filepath.Join(f.pl.ProfilesDir, "default"), "a", "a,b")
	f.profile(t, filepath.Join(f.pl.ReleaseDirs[0], "rel"), "r")
	adhoc := filepath.Join(top, "work", "p")
	f.profile(t, adhoc, "c")
	gone := filepath.Join(top, "work", "gone")
	f.profile(t, gone, "x")
	for _, p := range []string{adhoc, gone} {
		if err := RegisterAdHoc(f.pl.StateDir, p); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(gone)
	f.project(t, "k1", filepath.Join(top, "proj"), true, "d", "d,e")
	f.project(t, "k2", filepath.Join(top, "dead"), false, "x")
	f.session(t, "s1", f.profile(t, filepath.Join(top, "tmp", "sess"), "s").mustCurrent(t), true)
	f.session(t, "s2", f.gens["x"], false)

	r, err := FindRoots(f.pl, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"adhoc p 0", "adhoc p 1*",
		"profile default 0", "profile default 1", "profile default 2*",
		"project proj 0", "project proj 1", "project proj 2*",
		"release rel 0", "release rel 1*",
		"session s1 0*",
	}
	if got := describe(r.Live); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("live roots:\n%v\nwant\n%v", got, want)
	}
	var dangling []string
	for _, d := range r.Dangling {
		dangling = append(dangling, fmt.Sprintf("%s %s", d.Kind, filepath.Base(d.Name)))
	}
	sort.Strings(dangling)
	if want := []string{"adhoc gone", "project dead", "session s2"}; fmt.Sprint(dangling) != fmt.Sprint(want) {
		t.Errorf("dangling %v, want %v", dangling, want)
	}
	// x's generation is used by the deleted ad hoc profile and the dead
	// project only.
	if len(r.Unused) != 1 || r.Unused[0] != f.gens["x"].Dir {
		t.Errorf("unused %v, want %s", r.Unused, f.gens["x"].Dir)
	}
	es, err := r.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if got := es[f.gens["d,e"].Dir]; len(got) != 2 {
		t.Errorf("generation d,e keeps %v", got)
	}

	// Pruning removes the dangling registrations; the unused tree goes
	// only when asked, after the roots are found again.
	if err := r.Prune(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, d := range r.Dangling {
		if _, err := os.Lstat(d.Path); !os.IsNotExist(err) {
			t.Errorf("dangling %s still there", d.Path)
		}
	}
	again, err := FindRoots(f.pl, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Dangling) != 0 || fmt.Sprint(describe(again.Live)) != fmt.Sprint(want) {
		t.Errorf("after prune: dangling %v, live %v", again.Dangling, describe(again.Live))
	}
	if err := again.RemoveUnused(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.gens["x"].Dir); !os.IsNotExist(err) {
		t.Errorf("unused generation still there")
	}
	if _, err := os.Stat(f.gens["d,e"].Dir); err != nil {
		t.Errorf("used generation removed: %v", err)
	}
}

func (p *Profile) mustCurrent(t *testing.T) *Generation {
	t.Helper()
	cur, err := p.Current()
	if err != nil {
		t.Fatal(err)
	}
	return &Generation{Dir: cur.Dir}
}

func TestFindRootsPolicy(t *testing.T) {
	f := newRootsFixture(t)
	top := filepath.Dir(f.pl.StateDir)
	def := f.profile(t, filepath.Join(f.pl.ProfilesDir, "default"), "a", "a,b", "a,b,c")
	f.project(t, "k1", filepath.Join(top, "proj"), true, "d", "d,e")
	if _, err := def.Rollback(-1); err != nil {
		t.Fatal(err)
	}
	r, err := FindRoots(f.pl, "+1")
	if err != nil {
		t.Fatal(err)
	}
	// The current generation stays, and the newer one after a rollback.
	want := []string{"profile default 2*", "profile default 3", "project proj 2*"}
	if got := describe(r.Live); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("live %v, want %v", got, want)
	}
	if got := describe(r.Doomed); len(got) != 4 {
		t.Errorf("doomed %v, want generations 0 and 1 of each", got)
	}
	if err := r.Prune(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	again, err := FindRoots(f.pl, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(again.Live); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after prune: live %v, want %v", got, want)
	}
	// Generation 0 (empty) and "a" of default, "d" of the project.
	if len(again.Unused) != 3 {
		t.Errorf("unused %v, want 3 trees", again.Unused)
	}
	if _, err := FindRoots(f.pl, "bogus"); err == nil {
		t.Errorf("a bad policy is accepted")
	}
}

func TestRealizeRecordsRoots(t *testing.T) {
	f := newRootsFixture(t)
	// A store only its owner writes: the same user may reach it from
	// another state directory.
	st := f.sp.Stores[0]
	if err := os.Chmod(st.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f.profile(t, filepath.Join(f.pl.ProfilesDir, "default"), "a,b")
	recs, err := f.sp.RootRecords()
	if err != nil {
		t.Fatal(err)
	}
	owner, err := RecordOwner(f.pl.StateDir)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{f.entries["a"].ID, f.entries["b"].ID}
	sort.Strings(ids)
	want := fmt.Sprint(ids)
	if len(recs) != 1 || recs[0].Owner != owner.Name || recs[0].Origin != owner.Origin ||
		recs[0].Key != filepath.Base(f.gens["a,b"].Dir) || fmt.Sprint(recs[0].IDs) != want {
		t.Fatalf("records %+v, want one of %s for %s", recs, owner.Name, want)
	}
}

// A state directory's id is its own: the same path elsewhere (another
// node's home) gets another, and moving it keeps it.
func TestRecordOwner(t *testing.T) {
	base := t.TempDir()
	a, err := RecordOwner(filepath.Join(base, "node1", "state"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := RecordOwner(filepath.Join(base, "node1", "state"))
	if err != nil || again != a {
		t.Fatalf("owner changed: %+v then %+v (%v)", a, again, err)
	}
	b, err := RecordOwner(filepath.Join(base, "node2", "state"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Name == a.Name {
		t.Errorf("two state directories, one owner %s", a.Name)
	}
	if !strings.HasPrefix(a.Name, fmt.Sprint(os.Getuid(), "-")) || a.Origin.UID != os.Getuid() ||
		a.Origin.StateDir != filepath.Join(base, "node1", "state") {
		t.Errorf("owner %+v", a)
	}
	if err := os.Rename(filepath.Join(base, "node1"), filepath.Join(base, "moved")); err != nil {
		t.Fatal(err)
	}
	moved, err := RecordOwner(filepath.Join(base, "moved", "state"))
	if err != nil || moved.Name != a.Name {
		t.Errorf("moved state directory: owner %+v, want %s (%v)", moved, a.Name, err)
	}
	if err := os.WriteFile(filepath.Join(base, "moved", "state", idFile), []byte("bogus\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := RecordOwner(filepath.Join(base, "moved", "state")); err == nil || !strings.Contains(err.Error(), idFile) {
		t.Errorf("a corrupt id: %v", err)
	}
}

// State directories made at once each get one id, whoever wins.
func TestRecordOwnerConcurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	names := make(chan string)
	for range 8 {
		go func() {
			o, err := RecordOwner(dir)
			if err != nil {
				t.Error(err)
			}
			names <- o.Name
		}()
	}
	first := <-names
	for range 7 {
		if n := <-names; n != first {
			t.Errorf("owners %s and %s of one state directory", first, n)
		}
	}
}

func TestPresenceOf(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "state")
	o, err := RecordOwner(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := PresenceOf(o.Name, o.Origin); got != Present {
		t.Errorf("a state directory that is there: %v", got)
	}
	other := o.Origin
	other.Host += "-elsewhere"
	if got := PresenceOf(o.Name, other); got != Unknown {
		t.Errorf("a state directory of another host: %v", got)
	}
	if got := PresenceOf(o.Name, store.Origin{}); got != Unknown {
		t.Errorf("an owner that did not say where it is: %v", got)
	}
	// Another state directory made at the same path.
	os.RemoveAll(dir)
	if got := PresenceOf(o.Name, o.Origin); got != Gone {
		t.Errorf("a removed state directory: %v", got)
	}
	if _, err := RecordOwner(dir); err != nil {
		t.Fatal(err)
	}
	if got := PresenceOf(o.Name, o.Origin); got != Gone {
		t.Errorf("a state directory replaced by another: %v", got)
	}
	// An origin naming a FIFO (whoever writes a group store says where
	// their state directory is): unknown, at once.
	fifo := filepath.Join(base, "fifo")
	if err := os.Mkdir(fifo, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(fifo, idFile), 0o644); err != nil {
		t.Fatal(err)
	}
	at := o.Origin
	at.StateDir = fifo
	done := make(chan Presence, 1)
	go func() { done <- PresenceOf(o.Name, at) }()
	select {
	case got := <-done:
		if got != Unknown {
			t.Errorf("a state directory whose id is a FIFO: %v", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("PresenceOf of a state directory whose id is a FIFO still waits after 5s")
	}
}

// A shell's record keeps its generation while the shell runs, as this
// host's /proc tells; a record of another host's shell (a home several
// machines share) is kept, as only that host can tell.
func TestFindRootsShells(t *testing.T) {
	f := newRootsFixture(t)
	top := filepath.Dir(f.pl.StateDir)
	f.project(t, "k1", filepath.Join(top, "gone1"), false, "x")
	f.project(t, "k2", filepath.Join(top, "gone2"), false, "r")
	f.pl.ProcDir = t.TempDir() // no process runs
	dir := shellroot.Dir(f.pl.StateDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	records := map[string]string{
		"41-7-" + host + ".elsewhere": f.gens["x"].Dir,
		"42-7-" + host:                f.gens["r"].Dir,
	}
	for name, gen := range records {
		if err := os.Symlink(gen, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := FindRoots(f.pl, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := describe(r.Live), []string{"shell pid 41 on " + host + ".elsewhere 0*"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("live roots %v, want %v", got, want)
	}
	if len(r.Live) == 1 && r.Live[0].Generation != f.gens["x"].Dir {
		t.Errorf("the other host's shell keeps %s, want %s", r.Live[0].Generation, f.gens["x"].Dir)
	}
	if len(r.Dangling) != 3 || !slices.ContainsFunc(r.Dangling, func(d Dangling) bool { return filepath.Base(d.Path) == "42-7-"+host }) {
		t.Errorf("dangling %v, want both projects and this host's ended shell", r.Dangling)
	}
	if !slices.Contains(r.Unused, f.gens["r"].Dir) || slices.Contains(r.Unused, f.gens["x"].Dir) {
		t.Errorf("unused %v: want %s among them, not %s", r.Unused, f.gens["r"].Dir, f.gens["x"].Dir)
	}
}
