package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noxenv/noxenv/internal/testutil"
)

// testStore makes a managed store in a temporary directory and the search
// path holding it.
func testStore(t testing.TB) (*SearchPath, *Store) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	// Entries are read-only: a user other than root could not remove them.
	t.Cleanup(func() { removeTree(dir) })
	if _, err := Init(dir); err != nil {
		t.Fatal(err)
	}
	sp, err := Open([]string{dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	return sp, sp.Stores[0]
}

var helloTree = map[string]string{
	"bin/hello":        "#!/bin/sh\necho hello\n",
	"bin/hi":           "-> hello",
	"share/doc/README": "readme\n",
	"lib/empty":        "",
}

func add(t testing.TB, sp *SearchPath, st *Store, src string, opts AddOptions) (*Entry, bool) {
	t.Helper()
	e, existed, err := sp.Add(context.Background(), st, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e, existed
}

func TestAddIdentity(t *testing.T) {
	sp, st := testStore(t)
	a := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, a, helloTree)
	ea, existed := add(t, sp, st, a, AddOptions{})
	if existed {
		t.Fatal("first add says the entry existed")
	}
	if _, _, _, ok := ParseID(ea.ID); !ok || !strings.HasSuffix(ea.ID, "-hello-1.0") {
		t.Fatalf("id %q is not HASH-hello-1.0", ea.ID)
	}
	if err := Verify(context.Background(), ea); err != nil {
		t.Fatal(err)
	}

	// Another directory, other mtimes and other non-executable permission
	// bits: the same entry.
	b := filepath.Join(t.TempDir(), "elsewhere")
	testutil.WriteFiles(t, b, helloTree)
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	filepath.Walk(b, func(p string, fi os.FileInfo, err error) error {
		if fi.Mode().IsRegular() {
			os.Chmod(p, fi.Mode()&0o100|0o600)
		}
		os.Chtimes(p, old, old)
		return nil
	})
	eb, existed := add(t, sp, st, b, AddOptions{Name: "hello", Version: "1.0"})
	if !existed || eb.ID != ea.ID {
		t.Fatalf("same content gave %s (existed %v), want %s", eb.ID, existed, ea.ID)
	}

	// Another store gives the same id too: ids never hold the store.
	sp2, st2 := testStore(t)
	if ec, _ := add(t, sp2, st2, a, AddOptions{}); ec.ID != ea.ID {
		t.Fatalf("another store gave %s, want %s", ec.ID, ea.ID)
	}

	// One byte changed, another id; and so for name, version, env, deps and
	// the executable bit.
	if err := os.WriteFile(filepath.Join(b, "share/doc/README"), []byte("readmf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{ea.ID: "original"}
	other := func(what, src string, opts AddOptions) {
		t.Helper()
		e, _ := add(t, sp, st, src, opts)
		if prev, dup := ids[e.ID]; dup {
			t.Errorf("%s gave the same id as %s: %s", what, prev, e.ID)
		}
		ids[e.ID] = what
	}
	other("one byte", b, AddOptions{Name: "hello", Version: "1.0"})
	other("version", a, AddOptions{Version: "1.0.0"})
	other("name", a, AddOptions{Name: "hallo"})
	other("env", a, AddOptions{Env: []EnvSetting{{Var: "X", Op: EnvSet, Value: "1"}}})
	other("dep", a, AddOptions{Deps: []string{ea.ID}})
	if err := os.Chmod(filepath.Join(a, "bin/hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	other("executable bit", a, AddOptions{})
	if err := os.Remove(filepath.Join(a, "lib/empty")); err != nil {
		t.Fatal(err)
	}
	other("empty file removed", a, AddOptions{})
	if err := os.Remove(filepath.Join(a, "bin/hi")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("hellO", filepath.Join(a, "bin/hi")); err != nil {
		t.Fatal(err)
	}
	other("symlink target", a, AddOptions{})
}

func TestAddMetadata(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	e, _ := add(t, sp, st, src, AddOptions{Env: []EnvSetting{{Var: "HELLO_HOME", Op: EnvSet, Value: "${prefix}"}}})
	i := e.Info
	if i.Name != "hello" || i.Version != "1.0" || i.Files != 4 || i.Size != int64(len("#!/bin/sh\necho hello\n")+len("readme\n")) {
		t.Errorf("info = %+v", i)
	}
	if len(i.Env) != 1 || i.Env[0].Value != "${prefix}" {
		t.Errorf("env = %+v", i.Env)
	}
	if !strings.HasPrefix(i.Hash, "sha256:") || len(i.Hash) != 7+64 {
		t.Errorf("hash = %q", i.Hash)
	}
	data, err := os.ReadFile(e.Path + InfoSuffix)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), st.Dir) {
		t.Errorf(".noxinfo holds the store's directory:\n%s", data)
	}
	for _, p := range []string{"", "bin", "bin/hello", "share/doc/README"} {
		fi, err := os.Lstat(filepath.Join(e.Path, p))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("%s is writable: %v", p, fi.Mode())
		}
	}
	names, _ := os.ReadDir(st.Dir)
	for _, n := range names {
		if strings.HasPrefix(n.Name(), ".tmp") {
			t.Errorf("left behind %s", n.Name())
		}
	}
}

func TestAddReferences(t *testing.T) {
	sp, st := testStore(t)
	lib := filepath.Join(t.TempDir(), "libfoo-1.0")
	testutil.WriteFiles(t, lib, map[string]string{"lib/libfoo.so": "foo"})
	el, _ := add(t, sp, st, lib, AddOptions{})
	other := filepath.Join(t.TempDir(), "other-1.0")
	testutil.WriteFiles(t, other, map[string]string{"README": "unrelated"})
	eo, _ := add(t, sp, st, other, AddOptions{})

	// The id appears in a big file across a buffer boundary, and in a
	// symlink target.
	app := filepath.Join(t.TempDir(), "app-1.0")
	big := strings.Repeat("x", copyBufSize-10) + "/store/" + el.ID + "/lib\n"
	testutil.WriteFiles(t, app, map[string]string{"bin/app": big, "lib/other": "-> /somewhere/" + eo.ID + "/README"})
	ea, _ := add(t, sp, st, app, AddOptions{})
	want := []string{el.ID, eo.ID}
	if strings.Join(ea.Info.References, " ") != strings.Join(slices.Sorted(slices.Values(want)), " ") {
		t.Errorf("references = %v, want %v", ea.Info.References, want)
	}
	closure, err := sp.Closure([]*Entry{ea})
	if err != nil || len(closure) != 3 || closure[0] != ea {
		t.Errorf("closure = %v, %v", closure, err)
	}
	refs, err := sp.Referrers(el)
	if err != nil || len(refs) != 1 || refs[0].ID != ea.ID {
		t.Errorf("referrers = %v, %v", refs, err)
	}
}

func TestAddRejects(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	noVersion := filepath.Join(t.TempDir(), "hello")
	testutil.WriteFiles(t, noVersion, helloTree)
	for name, tc := range map[string]struct {
		src  string
		opts AddOptions
		want string
	}{
		"unknown dep":  {src, AddOptions{Deps: []string{"nosuch"}}, "--dep nosuch"},
		"no version":   {noVersion, AddOptions{}, "no version"},
		"bad version":  {src, AddOptions{Version: "v1"}, "does not start with a digit"},
		"bad name":     {src, AddOptions{Name: "a/b"}, `holds '/'`},
		"missing":      {filepath.Join(t.TempDir(), "gone-1.0"), AddOptions{}, "no such file"},
		"special file": {os.DevNull, AddOptions{Name: "null", Version: "1"}, "not a directory or a tarball"},
		// Metadata is JSON, which holds UTF-8 only: such a value was kept
		// as U+FFFD, giving an entry that matched its id nowhere but in
		// the add (store verify and every pull refused it).
		"env value not UTF-8": {src, AddOptions{Env: []EnvSetting{{Var: "X", Op: EnvSet, Value: "a\xffb"}}}, "not UTF-8"},
	} {
		_, _, err := sp.Add(context.Background(), st, tc.src, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, tc.want)
		}
	}
	if es, _ := st.List(); len(es) != 0 {
		t.Errorf("rejected adds left entries: %v", es)
	}
	var mv *MissingVersionError
	if _, _, err := sp.Add(context.Background(), st, noVersion, AddOptions{}); !errors.As(err, &mv) || mv.Hint() == "" {
		t.Errorf("missing version: %v, want a MissingVersionError with a hint", err)
	}
}

func TestAddUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	if err := os.Chmod(filepath.Join(src, "share/doc/README"), 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sp.Add(context.Background(), st, src, AddOptions{}); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("err = %v, want permission denied", err)
	}
	assertClean(t, st)
}

// assertClean checks that st holds no entry and no leftover.
func assertClean(t *testing.T, st *Store) {
	t.Helper()
	des, err := os.ReadDir(st.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		if n := de.Name(); n != MarkerName && n != LockName && n != publishLockName {
			t.Errorf("store holds %s", n)
		}
	}
}

func TestAddConcurrent(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	for i := range 50 {
		testutil.WriteFiles(t, src, map[string]string{filepath.Join("share", "many", strings.Repeat("f", i%7+1)+string(rune('a'+i%26))+"x"+string(rune('a'+i/26))): strings.Repeat("data", i)})
	}
	const n = 8
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, _, err := sp.Add(context.Background(), st, src, AddOptions{})
			errs[i] = err
			if e != nil {
				ids[i] = e.ID
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("add %d: %s, %v; want %s", i, ids[i], errs[i], ids[0])
		}
	}
	es, err := st.List()
	if err != nil || len(es) != 1 {
		t.Fatalf("store lists %v, %v; want one entry", es, err)
	}
	if err := Verify(context.Background(), es[0]); err != nil {
		t.Fatal(err)
	}
}

func TestAddReplacesLeftover(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	e, _ := add(t, sp, st, src, AddOptions{})
	// What a killed gc may leave: the metadata gone, the tree half deleted.
	if err := os.Remove(e.Path + InfoSuffix); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(e.Path, "share/doc"), 0o755)
	if err := os.Remove(filepath.Join(e.Path, "share/doc/README")); err != nil {
		t.Fatal(err)
	}
	if es, _ := st.List(); len(es) != 0 {
		t.Fatalf("a tree without metadata is listed: %v", es)
	}
	e2, existed := add(t, sp, st, src, AddOptions{})
	if existed || e2.ID != e.ID {
		t.Fatalf("re-add: %s existed=%v", e2.ID, existed)
	}
	if err := Verify(context.Background(), e2); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkAdd adds a tree of 1,000 files of 1 to 64 KiB (about 32 MiB)
// to a fresh store.
func BenchmarkAdd(b *testing.B) {
	src := filepath.Join(b.TempDir(), "bench-1.0")
	files := map[string]string{}
	var size int64
	for i := range 1000 {
		n := 1024 * (1 + i%64)
		files[filepath.Join("d"+strconv.Itoa(i%25), "f"+strconv.Itoa(i))] = strings.Repeat(string(rune('a'+i%26)), n)
		size += int64(n)
	}
	testutil.WriteFiles(b, src, files)
	b.SetBytes(size)
	for b.Loop() {
		b.StopTimer()
		sp, st := testStore(b)
		b.StartTimer()
		if _, _, err := sp.Add(context.Background(), st, src, AddOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAddProgress(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	var last Progress
	calls := 0
	e, _, err := sp.Add(context.Background(), st, src, AddOptions{Progress: func(p Progress) { last = p; calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last.Files != e.Info.Files || last.Bytes != e.Info.Size {
		t.Errorf("last progress %+v after %d calls; want %d files, %d bytes", last, calls, e.Info.Files, e.Info.Size)
	}
}

// An entry whose metadata cannot be read (damaged, or another user's and
// unreadable) is named by List, which still returns every other entry.
func TestListDamagedEntry(t *testing.T) {
	sp, st := testStore(t)
	var ids []string
	for _, nv := range []string{"good-1.0", "bad-1.0", "fine-2.0"} {
		src := filepath.Join(t.TempDir(), nv)
		testutil.WriteFiles(t, src, map[string]string{"data": nv})
		e, _ := add(t, sp, st, src, AddOptions{})
		ids = append(ids, e.ID)
	}
	info := filepath.Join(st.Dir, ids[1]+InfoSuffix)
	os.Chmod(info, 0o644)
	if err := os.WriteFile(info, []byte(`{"name":`), 0o644); err != nil {
		t.Fatal(err)
	}
	sp, err := Open([]string{st.Dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	all, err := sp.List()
	var got []string
	for _, e := range all {
		got = append(got, e.ID)
	}
	if want := []string{ids[0], ids[2]}; !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("List = %v, want %v", got, want)
	}
	var de *DamagedEntriesError
	if !errors.As(err, &de) || len(de.Errs) != 1 || !strings.HasPrefix(de.Errs[0].Error(), "entry "+ids[1]+" of store "+st.Dir+": ") {
		t.Errorf("List error %v, want one naming %s", err, ids[1])
	}
}
