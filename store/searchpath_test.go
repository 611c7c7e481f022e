package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/noxenv/noxenv/internal/testutil"
)

func TestOpenStates(t *testing.T) {
	tmp := t.TempDir()
	managed, plain, gone, newer := filepath.Join(tmp, "managed"), filepath.Join(tmp, "plain"), filepath.Join(tmp, "gone"), filepath.Join(tmp, "newer")
	if _, err := Init(managed); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(plain, 0o755)
	os.Mkdir(newer, 0o755)
	os.WriteFile(filepath.Join(newer, MarkerName), []byte(`{"format": 99}`), 0o644)
	sp, err := Open([]string{managed, plain, gone, newer}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"writable", "read-only", "missing", "read-only"}
	for i, st := range sp.Stores {
		if got := sp.State(st); got != want[i] {
			t.Errorf("%s: %s, want %s", st.Dir, got, want[i])
		}
	}
	if !sp.Stores[3].Managed || sp.Stores[3].Writable {
		t.Errorf("a store of a newer format must be managed but read-only: %+v", sp.Stores[3])
	}
	if st, err := sp.WritableStore(""); err != nil || st.Dir != managed {
		t.Errorf("WritableStore = %v, %v; want %s", st, err, managed)
	}
	for _, dir := range []string{plain, gone, newer} {
		var nw *NoWritableStoreError
		if _, err := sp.WritableStore(dir); !errors.As(err, &nw) || nw.Hint() == "" {
			t.Errorf("WritableStore(%s) = %v, want a NoWritableStoreError with a hint", dir, err)
		}
	}
	// A managed store that is read-only (a newer noxenv's, one mounted
	// read-only, another user's) is not one that 'store init' would make
	// writable: neither message says so.
	_, err = sp.WritableStore(newer)
	var nw *NoWritableStoreError
	errors.As(err, &nw)
	if h := nw.Hint(); strings.Contains(err.Error(), "not a managed") || strings.Contains(h, "store init") {
		t.Errorf("WritableStore(%s) = %v, hint %q: want neither to say it is not managed", newer, err, h)
	}
}

// A damaged marker makes its store read-only, never an error of the
// whole path: the other stores still work.
func TestOpenDamaged(t *testing.T) {
	tmp := t.TempDir()
	good := filepath.Join(tmp, "good")
	if _, err := Init(good); err != nil {
		t.Fatal(err)
	}
	for _, marker := range []string{"not json", `{"format": 0}`, `{"format": "one"}`, ""} {
		bad := filepath.Join(tmp, "bad")
		os.RemoveAll(bad)
		os.Mkdir(bad, 0o755)
		os.WriteFile(filepath.Join(bad, MarkerName), []byte(marker), 0o644)
		sp, err := Open([]string{bad, good}, bad)
		if err != nil {
			t.Fatalf("%q: %v", marker, err)
		}
		st := sp.Stores[0]
		if st.Damaged == nil || st.Writable || sp.State(st) != "read-only" {
			t.Errorf("%q: %+v, want damaged and read-only", marker, st)
		}
		if !strings.Contains(st.Damaged.Error(), bad) || !strings.Contains(st.Damaged.Hint(), "noxenv store init "+bad) {
			t.Errorf("%q: %v (%s) does not name the store", marker, st.Damaged, st.Damaged.Hint())
		}
		if w, err := sp.WritableStore(""); err != nil || w.Dir != good {
			t.Errorf("%q: WritableStore = %v, %v; want %s", marker, w, err, good)
		}
		if c := sp.Collectable(); len(c) != 1 || c[0].Dir != good {
			t.Errorf("%q: collectable %v", marker, c)
		}
		var me *MarkerError
		if _, err := sp.WritableStore(bad); !errors.As(err, &me) {
			t.Errorf("%q: WritableStore(bad) = %v, want the marker error", marker, err)
		}
		if _, err := Init(bad); !errors.As(err, &me) {
			t.Errorf("%q: Init over a damaged marker: %v", marker, err)
		}
		// The default store damaged and no other: adds name the damage.
		sp, _ = Open([]string{bad}, bad)
		if _, err := sp.WritableStore(""); !errors.As(err, &me) {
			t.Errorf("%q: WritableStore with only a damaged store: %v", marker, err)
		}
	}
}

// A FIFO in .noxstore's place (anyone who can write a group store can
// make one) is a damaged marker, found without waiting for a writer.
func TestOpenFIFOMarker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(dir, MarkerName), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan *SearchPath, 1)
	go func() {
		sp, err := Open([]string{dir}, "")
		if err != nil {
			t.Error(err)
		}
		done <- sp
	}()
	select {
	case sp := <-done:
		if sp != nil && (sp.Stores[0].Damaged == nil || sp.Stores[0].Writable) {
			t.Errorf("store with a FIFO marker: %+v, want damaged and read-only", sp.Stores[0])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("opening a store whose .noxstore is a FIFO still waits after 5s")
	}
}

func TestOpenUnwritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write every directory")
	}
	dir := filepath.Join(t.TempDir(), "s")
	if _, err := Init(dir); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	sp, _ := Open([]string{dir}, "")
	if sp.Stores[0].Writable {
		t.Error("a managed store the user cannot write is writable")
	}
}

func TestWritableStoreInitsUserDefault(t *testing.T) {
	tmp := t.TempDir()
	user, group := filepath.Join(tmp, "user", "store"), filepath.Join(tmp, "group")
	if _, err := Init(group); err != nil {
		t.Fatal(err)
	}
	sp, err := Open([]string{user, group}, user)
	if err != nil {
		t.Fatal(err)
	}
	if !sp.Stores[0].Missing {
		t.Fatal("the user store exists before its first use")
	}
	st, err := sp.WritableStore("")
	if err != nil || st.Dir != user || !st.Writable || st != sp.Stores[0] {
		t.Fatalf("WritableStore = %+v, %v; want the user store, initialized", st, err)
	}
	data, err := os.ReadFile(filepath.Join(user, MarkerName))
	if err != nil || !strings.Contains(string(data), `"format":1`) {
		t.Fatalf("marker %q, %v", data, err)
	}

	// The default user store is made only where it is in the path.
	other := filepath.Join(tmp, "other")
	sp, _ = Open([]string{group}, other)
	if st, err := sp.WritableStore(""); err != nil || st.Dir != group {
		t.Fatalf("WritableStore = %v, %v; want %s", st, err, group)
	}
	if _, err := os.Stat(other); err == nil {
		t.Fatal("a default store outside the path was made")
	}
}

func TestGuard(t *testing.T) {
	sp, _ := testStore(t)
	r1, err := sp.Guard(false)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := sp.Guard(false) // shared holders never block each other
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		r, err := sp.Guard(true)
		if err != nil {
			t.Error(err)
		}
		close(got)
		r()
	}()
	r1()
	select {
	case <-got:
		t.Fatal("exclusive lock taken while a shared one is held")
	case <-time.After(50 * time.Millisecond):
	}
	r2()
	<-got
}

func TestResolveAndFind(t *testing.T) {
	tmp := t.TempDir()
	dev, release := filepath.Join(tmp, "dev"), filepath.Join(tmp, "release")
	t.Cleanup(func() { removeTree(dev) })
	if _, err := Init(dev); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"tool-1.9", "tool-1.10", "lib-2.0", ".hidden-1.0", "noversion", "0abcdfghijklmnpqrsvwxyz012345678-half-1.0"} {
		os.MkdirAll(filepath.Join(release, d, "bin"), 0o755)
	}
	os.WriteFile(filepath.Join(release, "file-1.0"), nil, 0o644)
	sp, err := Open([]string{dev, release}, "")
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(tmp, "tool-1.2")
	testutil.WriteFiles(t, src, map[string]string{"bin/tool": "1.2"})
	added, _ := add(t, sp, sp.Stores[0], src, AddOptions{})
	// Added again later, the same version with other content wins a tie.
	testutil.WriteFiles(t, src, map[string]string{"bin/tool": "1.2 rebuilt"})
	rebuilt, _ := add(t, sp, sp.Stores[0], src, AddOptions{})

	all, _ := sp.List()
	var ids []string
	for _, e := range all {
		ids = append(ids, e.ID)
	}
	if len(all) != 5 {
		t.Errorf("List = %v; want the 2 added and 3 plain entries", ids)
	}
	for req, want := range map[string]string{
		"tool":            rebuilt.ID,
		"tool@>=1.9":      "tool-1.10",
		"tool@<1.10,>1.2": "tool-1.9",
		"lib":             "lib-2.0",
	} {
		e, err := sp.Find(req)
		if err != nil || e.ID != want {
			t.Errorf("Find(%s) = %v, %v; want %s", req, e, err, want)
		}
		// Locate picks alike from the index alone, ties included.
		if ref, err := sp.Locate(req); err != nil || ref.ID != want {
			t.Errorf("Locate(%s) = %+v, %v; want %s", req, ref, err, want)
		}
	}
	if e, err := sp.Resolve(Request{Name: "tool"}); err != nil || e.Info == nil || e.Info.Hash != rebuilt.Info.Hash {
		t.Errorf("Resolve(tool) = %+v, %v; want %s with its metadata", e, err, rebuilt.ID)
	}
	for pkg, want := range map[string]string{
		added.ID:                          added.ID,
		"tool-1.9":                        "tool-1.9",
		added.Path:                        added.ID,
		added.Path + "/":                  added.ID,
		filepath.Join(release, "lib-2.0"): "lib-2.0",
	} {
		e, err := sp.Find(pkg)
		if err != nil || e.ID != want {
			t.Errorf("Find(%s) = %v, %v; want %s", pkg, e, err, want)
		}
	}
	for _, pkg := range []string{"half", "noversion", "tool@>=3", "file", filepath.Join(tmp, "tool-1.2"), "0abcdfghijklmnpqrsvwxyz012345678-half-1.0"} {
		_, err := sp.Find(pkg)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Find(%s) = %v; want ErrNotFound", pkg, err)
		}
	}
	if e, err := sp.Find(".hidden-1.0"); err == nil {
		t.Errorf("Find(.hidden-1.0) = %v; hidden names are never entries", e)
	}
	_, err = sp.Find("tol")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(nf.Hint(), "tool") {
		t.Errorf("Find(tol) = %v; want a hint naming tool", err)
	}
	_, err = sp.Find("tool@>=3")
	if !errors.As(err, &nf) || nf.Hint() != "available versions: 1.2, 1.9, 1.10" {
		t.Errorf("Find(tool@>=3) hint = %q", nf.Hint())
	}
}

func TestClosureMissingReference(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "lib-1.0")
	testutil.WriteFiles(t, src, map[string]string{"x": "x"})
	lib, _ := add(t, sp, st, src, AddOptions{})
	app, _ := add(t, sp, st, src, AddOptions{Name: "app", Deps: []string{"lib"}})
	os.Remove(lib.Path + InfoSuffix)
	if _, err := sp.Closure([]*Entry{app}); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), lib.ID) {
		t.Errorf("Closure = %v; want an error naming %s", err, lib.ID)
	}
}

func TestRefScannerBoundaries(t *testing.T) {
	hash := "0123456789abcdfghijklmnpqrsvwxyz"
	known := map[string]string{hash: hash + "-x-1"}
	text := "...." + hash + "...."
	for split := 0; split <= len(text); split++ {
		for _, chunk := range []int{1, 3, 31, 32, 33} {
			sc := newRefScanner(known)
			sc.Write([]byte(text[:split]))
			rest := text[split:]
			for len(rest) > 0 {
				n := min(chunk, len(rest))
				sc.Write([]byte(rest[:n]))
				rest = rest[n:]
			}
			if !sc.found[hash+"-x-1"] {
				t.Fatalf("split %d chunk %d: not found", split, chunk)
			}
		}
	}
	sc := newRefScanner(known)
	sc.Write([]byte("0123456789abcdfghijklmnpqrsvwxy")) // one short
	sc.reset()
	sc.Write([]byte("z"))
	if len(sc.found) != 0 {
		t.Fatal("found a hash split between two files")
	}
}

func TestParseEnvSetting(t *testing.T) {
	for spec, want := range map[string]EnvSetting{
		"A=1":                 {"A", EnvSet, "1"},
		"A=":                  {"A", EnvSet, ""},
		"PATH+=${prefix}/bin": {"PATH", EnvPrepend, "${prefix}/bin"},
		"MANPATH=+x":          {"MANPATH", EnvAppend, "x"},
		"X=a=b":               {"X", EnvSet, "a=b"},
	} {
		got, err := ParseEnvSetting(spec)
		if err != nil || got != want {
			t.Errorf("ParseEnvSetting(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
		if got.String() != spec {
			t.Errorf("%+v.String() = %q, want %q", got, got.String(), spec)
		}
	}
	for _, spec := range []string{"A", "=1", "1A=x", "A B=1", "+=x"} {
		if _, err := ParseEnvSetting(spec); err == nil {
			t.Errorf("ParseEnvSetting(%q) succeeded", spec)
		}
	}
}

func TestDefaultNameVersion(t *testing.T) {
	for src, want := range map[string][2]string{
		"/x/hello-1.0":         {"hello", "1.0"},
		"hello-1.0.tar.gz":     {"hello", "1.0"},
		"hello-1.0.tgz":        {"hello", "1.0"},
		"hello-1.0.tar.xz":     {"hello", "1.0"},
		"gnu-hello-2.12.1.tar": {"gnu-hello", "2.12.1"},
		"dir/hello/":           {"hello", ""},
		"root_v6-28-04.tar.gz": {"root_v6-28", "04"},
	} {
		n, v := DefaultNameVersion(src)
		if n != want[0] || v != want[1] {
			t.Errorf("DefaultNameVersion(%q) = %q, %q; want %q, %q", src, n, v, want[0], want[1])
		}
	}
}

// Locate says which entry a PKG names from the stores' listings: it reads
// no metadata but to order equal versions, and what it finds is what Find
// finds.
func TestLocate(t *testing.T) {
	sp, st := testStore(t)
	tmp := t.TempDir()
	var ids []string
	for _, v := range []string{"1.0", "2.0"} {
		src := filepath.Join(tmp, "tool-"+v)
		testutil.WriteFiles(t, src, map[string]string{"bin/tool": v})
		e, _ := add(t, sp, st, src, AddOptions{})
		ids = append(ids, e.ID)
	}
	for pkg, want := range map[string]string{"tool": ids[1], "tool@1": ids[0], ids[0]: ids[0], filepath.Join(st.Dir, ids[1]): ids[1]} {
		ref, err := sp.Locate(pkg)
		e, ferr := sp.Find(pkg)
		if err != nil || ferr != nil || ref.ID != want || e.ID != want || ref.Name != "tool" || ref.Version != e.Version {
			t.Errorf("Locate(%s) = %+v, %v; Find = %v, %v; want %s", pkg, ref, err, e, ferr, want)
		}
	}
	// Unreadable metadata does not stop Locate, which does not read it;
	// Find reads it.
	info := filepath.Join(st.Dir, ids[1]+InfoSuffix)
	os.Chmod(info, 0o644)
	if err := os.WriteFile(info, []byte("{bad"), 0o644); err != nil {
		t.Fatal(err)
	}
	sp, _ = Open([]string{st.Dir}, "")
	if ref, err := sp.Locate("tool"); err != nil || ref.ID != ids[1] {
		t.Errorf("Locate(tool) = %+v, %v; want %s", ref, err, ids[1])
	}
	if _, err := sp.Find("tool"); err == nil || !strings.Contains(err.Error(), ids[1]) {
		t.Errorf("Find(tool) with damaged metadata: %v", err)
	}
	if !sp.Holds(filepath.Join(st.Dir, ids[0])) || sp.Holds(filepath.Join(st.Dir, "0abcdfghijklmnpqrsvwxyz012345678-tool-3.0")) {
		t.Error("Holds does not follow the listing")
	}
}

// The default user store, made on first write, and a store outside the
// path named to write to, are guarded from then on by the guard their
// search path holds: a pull into a new user store fetched a
// reference, and a gc meanwhile deleted it before its dependent came.
func TestGuardCoversStoreMadeLater(t *testing.T) {
	user := filepath.Join(t.TempDir(), "user")
	sp, err := Open([]string{user}, user)
	if err != nil {
		t.Fatal(err)
	}
	release, err := sp.Guard(false)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sp.WritableStore("")
	if err != nil || st.Dir != user {
		t.Fatalf("WritableStore = %v, %v; want the user store made", st, err)
	}
	gcLock := func() error {
		f, err := os.OpenFile(filepath.Join(user, LockName), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	}
	if err := gcLock(); err == nil {
		t.Fatal("gc could lock the store made while the path was guarded")
	}
	release()
	if err := gcLock(); err != nil {
		t.Fatalf("gc could not lock the store once the guard was released: %v", err)
	}

	// So is a store outside the path named to write to (--store DIR),
	// which another user's gc may collect.
	outside := filepath.Join(t.TempDir(), "group")
	if _, err := Init(outside); err != nil {
		t.Fatal(err)
	}
	if release, err = sp.Guard(false); err != nil {
		t.Fatal(err)
	}
	if _, err := sp.WritableStore(outside); err != nil {
		t.Fatal(err)
	}
	user = outside
	if err := gcLock(); err == nil {
		t.Fatal("gc could lock the store outside the path written to while the path was guarded")
	}
	release()
	if err := gcLock(); err != nil {
		t.Fatalf("gc could not lock the store outside once the guard was released: %v", err)
	}
}

// A directory of the path that noxenv cannot read as a store (a file,
// another user's store) is skipped as a missing one is, saying why, and
// every other store works.
func TestOpenUnusable(t *testing.T) {
	theirs := testutil.Unreadable(t, func(dir string) {
		if _, err := Init(dir); err != nil {
			t.Fatal(err)
		}
	})
	if theirs == "" {
		return
	}
	tmp := t.TempDir()
	file, mine := filepath.Join(tmp, "file"), filepath.Join(tmp, "mine")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Entries are read-only: a user other than root could not remove them.
	t.Cleanup(func() { removeTree(mine) })
	if _, err := Init(mine); err != nil {
		t.Fatal(err)
	}
	sp, err := Open([]string{theirs, file, filepath.Join(file, "sub"), mine}, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, why := range []string{"permission denied", "not a directory", "not a directory"} {
		st := sp.Stores[i]
		if !st.Missing || st.Unusable == nil || st.Unusable.Error() != "store "+st.Dir+": "+why {
			t.Errorf("store %s: missing %v, unusable %v; want missing, for %s", st.Dir, st.Missing, st.Unusable, why)
		}
	}
	if st := sp.Stores[3]; st.Missing || st.Unusable != nil || !st.Writable {
		t.Errorf("store %s: %+v, want writable", st.Dir, st)
	}

	st, err := sp.WritableStore("")
	if err != nil || st.Dir != mine {
		t.Fatalf("WritableStore = %v, %v; want %s", st, err, mine)
	}
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	e, _ := add(t, sp, st, src, AddOptions{})
	if all, err := sp.List(); err != nil || len(all) != 1 || all[0].ID != e.ID {
		t.Errorf("List = %v, %v; want %s alone", all, err, e.ID)
	}
	if got, err := sp.Find("hello"); err != nil || got.ID != e.ID {
		t.Errorf("Find(hello) = %v, %v; want %s", got, err, e.ID)
	}
	// Named as the store to add to, it is the error.
	for _, dir := range []string{theirs, file} {
		if _, err := sp.WritableStore(dir); err == nil || !strings.HasPrefix(err.Error(), "store "+dir+": ") {
			t.Errorf("WritableStore(%s) = %v, want why it cannot be used", dir, err)
		}
	}
}

// A store named twice in the search path (XDG_DATA_HOME also listed in
// XDG_DATA_DIRS, a repeated or symbolically linked NOXENV_STORE_PATH
// directory) is one store, where it is named first: listed once, and an
// exclusive guard of the path does not wait on its own other lock.
func TestOpenSameStoreTwice(t *testing.T) {
	tmp := t.TempDir()
	dir, other, link := filepath.Join(tmp, "store"), filepath.Join(tmp, "other"), filepath.Join(tmp, "link")
	for _, d := range []string{dir, other} {
		if _, err := Init(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(tmp, "gone")
	sp, err := Open([]string{dir, other, dir + "/", link, filepath.Join(tmp, ".", "store"), gone, gone}, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range sp.Stores {
		got = append(got, st.Dir)
	}
	if want := []string{dir, other, gone}; strings.Join(got, ":") != strings.Join(want, ":") {
		t.Fatalf("stores %q, want %q", got, want)
	}
	release, err := sp.Guard(true)
	if err != nil {
		t.Fatal(err)
	}
	release()
}
