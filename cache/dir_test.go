package cache

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/store"
)

// A closure pushed from one store reaches a store at another path whole:
// every entry verified, the references fetched without being named.
func TestDirPushPull(t *testing.T) {
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a", "store"))
	b := newMachine(t, filepath.Join(tmp, "b", "elsewhere"))
	closure := a.closure3()
	c := openDir(t, filepath.Join(tmp, "cache"))
	res := push(t, c, closure, nil)
	if len(res.Pushed) != 3 || len(res.Present) != 0 {
		t.Fatalf("first push: %+v", res)
	}
	if err := b.pull([]Cache{c}, closure[0].ID); err != nil {
		t.Fatal(err)
	}
	want := a.ids()
	if got := b.ids(); !slices.Equal(got, want) {
		t.Fatalf("pulled %v, want %v", got, want)
	}
	b.verifyAll()
	for _, id := range want {
		ea, _ := a.sp.Get(id)
		eb, _ := b.sp.Get(id)
		if ea.Info.Hash != eb.Info.Hash || ea.Info.Size != eb.Info.Size || ea.Info.Files != eb.Info.Files {
			t.Errorf("%s: pulled metadata %+v, pushed %+v", id, eb.Info, ea.Info)
		}
	}
	// Pulling again fetches nothing and changes nothing.
	if err := b.pull([]Cache{c}, closure[0].ID); err != nil {
		t.Fatal(err)
	}
}

// A second push of the same closure writes nothing: the entries are in
// the cache already.
func TestDirSecondPushSendsNothing(t *testing.T) {
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "store"))
	closure := a.closure3()
	dir := filepath.Join(tmp, "cache")
	c := openDir(t, dir)
	push(t, c, closure, nil)
	before := snapshot(t, dir)
	res := push(t, c, closure, nil)
	if len(res.Pushed) != 0 || len(res.Present) != 3 || res.Bytes != 0 {
		t.Fatalf("second push: %+v", res)
	}
	if after := snapshot(t, dir); !slices.Equal(before, after) {
		t.Fatalf("second push changed the cache:\n%v\n%v", before, after)
	}
}

// snapshot lists the files of dir with their sizes and times.
func snapshot(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		out = append(out, p+" "+fi.ModTime().String()+" "+fi.Mode().String())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// The same entry pushed from two stores at different paths, at different
// times, gives the same layer and manifest: the format is deterministic.
func TestDirSameEntrySameBytes(t *testing.T) {
	tmp := t.TempDir()
	files := map[string]string{"bin/x": "#!/bin/sh\n", "share/a/b": "b", "lib/l": "-> ../share/a/b"}
	a := newMachine(t, filepath.Join(tmp, "a"))
	b := newMachine(t, filepath.Join(tmp, "b"))
	ea, eb := a.add("x-1", files), b.add("x-1", files)
	if ea.ID != eb.ID {
		t.Fatalf("ids differ: %s %s", ea.ID, eb.ID)
	}
	ca, cb := filepath.Join(tmp, "ca"), filepath.Join(tmp, "cb")
	push(t, openDir(t, ca), []*store.Entry{ea}, nil)
	push(t, openDir(t, cb), []*store.Entry{eb}, nil)
	for _, rel := range []string{"entries/" + Key(ea.ID) + ".json"} {
		da, _ := os.ReadFile(filepath.Join(ca, rel))
		db, _ := os.ReadFile(filepath.Join(cb, rel))
		if string(da) != string(db) || len(da) == 0 {
			t.Fatalf("%s differs:\n%s\n%s", rel, da, db)
		}
	}
}

// tamper pushes the closure of three entries to a new directory cache and
// lets change alter it; it returns the cache and the entries.
func tamper(t *testing.T, change func(dir string, closure []*store.Entry)) (Cache, string, []*store.Entry) {
	t.Helper()
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	closure := a.closure3()
	dir := filepath.Join(tmp, "cache")
	c := openDir(t, dir)
	push(t, c, closure, nil)
	change(dir, closure)
	return c, dir, closure
}

// editInfo changes the entry metadata that the cache's manifest of id
// holds, as a forged or damaged copy would.
func editInfo(t *testing.T, dir, id string, edit func(info *store.Info)) {
	t.Helper()
	editManifest(t, dir, id, func(m map[string]any) {
		ann := m["annotations"].(map[string]any)
		var info store.Info
		if err := json.Unmarshal([]byte(ann[annotationInfo].(string)), &info); err != nil {
			t.Fatal(err)
		}
		edit(&info)
		b, _ := json.Marshal(info)
		ann[annotationInfo] = string(b)
	})
}

// editManifest rewrites the manifest of id in the directory cache dir.
func editManifest(t *testing.T, dir, id string, edit func(m map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, "entries", Key(id)+".json")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func layerPath(t *testing.T, dir, id string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "entries", Key(id)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseManifest(Key(id), data)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "blobs", "sha256", m.Layer.Digest.Encoded())
}

// What a cache sends that does not verify is refused, naming the entry
// and the cache; the store is unchanged; a good cache after it is used.
func TestDirTampered(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, dir string, closure []*store.Entry)
		bad    int // the index in the closure of the entry refused
		words  []string
	}{
		{"altered blob", func(t *testing.T, dir string, cl []*store.Entry) {
			p := layerPath(t, dir, cl[1].ID)
			data, _ := os.ReadFile(p)
			data[len(data)/2] ^= 0xff
			os.WriteFile(p, data, 0o644)
		}, 1, []string{"digest"}},
		{"blob replaced with another entry's", func(t *testing.T, dir string, cl []*store.Entry) {
			data, _ := os.ReadFile(layerPath(t, dir, cl[2].ID))
			os.WriteFile(layerPath(t, dir, cl[0].ID), data, 0o644)
		}, 0, []string{"manifest says"}},
		{"manifest hash mismatch", func(t *testing.T, dir string, cl []*store.Entry) {
			editInfo(t, dir, cl[2].ID, func(info *store.Info) {
				info.Hash = "sha256:" + "00000000000000000000000000000000000000000000000000000000000000ff"
			})
		}, 2, []string{"content hash"}},
		{"manifest of another version", func(t *testing.T, dir string, cl []*store.Entry) {
			editInfo(t, dir, cl[2].ID, func(info *store.Info) {
				info.Env = []store.EnvSetting{{Var: "EVIL", Op: store.EnvSet, Value: "1"}}
			})
		}, 2, []string{"give the id"}},
		{"missing reference", func(t *testing.T, dir string, cl []*store.Entry) {
			os.Remove(filepath.Join(dir, "entries", Key(cl[2].ID)+".json"))
		}, 2, []string{"not in the cache", "a reference of "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad, _, closure := tamper(t, func(dir string, cl []*store.Entry) { tc.change(t, dir, cl) })
			b := newMachine(t, filepath.Join(t.TempDir(), "b"))
			err := b.pull([]Cache{bad}, closure[0].ID)
			mustErr(t, err, append([]string{closure[tc.bad].ID, bad.String()}, tc.words...)...)
			if hintOf(err) == "" {
				t.Errorf("no hint for %v", err)
			}
			for _, id := range b.ids() {
				if id == closure[tc.bad].ID || id == closure[0].ID {
					t.Fatalf("%s is in the store after %v", id, err)
				}
			}
			b.verifyAll()

			// The next substituter is tried and gives the entry.
			good, _, _ := tamper(t, func(string, []*store.Entry) {})
			var told []Fetched
			f := &Fetcher{Caches: []Cache{bad, good}, Fetched: func(fd Fetched) { told = append(told, fd) }}
			if err := f.Fetch(context.Background(), b.sp, []string{closure[0].ID}); err != nil {
				t.Fatalf("with a good cache after the bad one: %v", err)
			}
			// When the root itself was refused, it is said to come from the
			// good cache.
			if tc.bad == 0 && (len(told) != 1 || told[0].Cache != good.String() || told[0].ID != closure[0].ID) {
				t.Fatalf("told %+v, want the root from %s", told, good)
			}
			if len(b.ids()) != 3 {
				t.Fatalf("pulled %v", b.ids())
			}
			b.verifyAll()
		})
	}
}

// A cache that lacks an entry is an error naming the entry and the cache,
// with a hint.
func TestDirNotFound(t *testing.T) {
	tmp := t.TempDir()
	c := openDir(t, filepath.Join(tmp, "cache"))
	b := newMachine(t, filepath.Join(tmp, "b"))
	id := "0123456789abcdfghijklmnpqrsvwxyz-x-1.0"
	err := b.pull([]Cache{c}, id)
	mustErr(t, err, id, c.String())
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("%v does not wrap ErrNotFound", err)
	}
	if h := hintOf(err); h == "" {
		t.Fatalf("no hint for %v", err)
	}
}

// An entry whose files contain its store's path is recorded so at push,
// and refused at a pull into a store elsewhere, naming the path it needs;
// into a store at that path, it is taken.
func TestDirRelocation(t *testing.T) {
	tmp := t.TempDir()
	adir := filepath.Join(tmp, "a")
	a := newMachine(t, adir)
	lib := a.add("lib-1.0", map[string]string{"lib/x": "x"})
	e := a.add("cfg-1.0", map[string]string{"etc/conf": "libdir=" + lib.Path + "/lib\n"}, lib.ID)
	c := openDir(t, filepath.Join(tmp, "cache"))
	push(t, c, []*store.Entry{e, lib}, nil)

	b := newMachine(t, filepath.Join(tmp, "b"))
	err := b.pull([]Cache{c}, e.ID)
	var re *RelocationError
	if !errors.As(err, &re) || re.Path != adir {
		t.Fatalf("pull elsewhere: %v, want a RelocationError naming %s", err, adir)
	}
	mustErr(t, err, e.ID, adir)
	if h := hintOf(err); !strings.Contains(h, "noxenv store init "+adir) {
		t.Errorf("hint %q, want one to make a store at %s", h, adir)
	}
	if len(b.ids()) != 0 {
		t.Fatalf("store elsewhere holds %v", b.ids())
	}
	// The entry without the path goes anywhere.
	if err := b.pull([]Cache{c}, lib.ID); err != nil {
		t.Fatal(err)
	}

	// A store at the same path (another machine's) takes it.
	if err := os.RemoveAll(adir); err != nil {
		chmodTree(adir)
		os.RemoveAll(adir)
	}
	a2 := newMachine(t, adir)
	if err := a2.pull([]Cache{c}, e.ID); err != nil {
		t.Fatal(err)
	}
	a2.verifyAll()
}

func chmodTree(dir string) {
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
}

// Resolve picks, by name and constraint, only entries signed by a trusted
// key: an unsigned entry, or one whose signature is by another key of the
// same name, is refused.
func TestResolveSigned(t *testing.T) {
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	v1 := a.add("tool-1.0", map[string]string{"bin/t": "1"})
	v2 := a.add("tool-2.0", map[string]string{"bin/t": "2"})
	v3 := a.add("tool-3.0", map[string]string{"bin/t": "3"})
	sec, pub, _ := GenerateKey("team-1")
	forged, _, _ := GenerateKey("team-1")
	c := openDir(t, filepath.Join(tmp, "cache"))
	push(t, c, []*store.Entry{v1}, &sec)
	push(t, c, []*store.Entry{v2}, &sec)
	push(t, c, []*store.Entry{v3}, &forged)
	f := &Fetcher{Caches: []Cache{c}, Trusted: []PublicKey{pub}}
	ctx := context.Background()

	id, err := f.Resolve(ctx, store.Request{Name: "tool"})
	if err != nil || id != v2.ID {
		t.Fatalf("Resolve tool = %s, %v; want %s (3.0 is signed by another key)", id, err, v2.ID)
	}
	id, err = f.Resolve(ctx, store.Request{Name: "tool", Constraint: "<2"})
	if err != nil || id != v1.ID {
		t.Fatalf("Resolve tool@<2 = %s, %v; want %s", id, err, v1.ID)
	}
	_, err = f.Resolve(ctx, store.Request{Name: "tool", Constraint: ">=3"})
	var ue *UnsignedError
	if !errors.As(err, &ue) {
		t.Fatalf("Resolve tool@>=3: %v, want an UnsignedError", err)
	}
	mustErr(t, err, v3.ID, c.String())
	f.Trusted = nil
	if _, err := f.Resolve(ctx, store.Request{Name: "tool"}); !errors.As(err, &ue) {
		t.Fatalf("without trusted keys: %v, want an UnsignedError", err)
	}

	// A manifest whose metadata names another package than its id, with
	// the signature of that id, is no entry of that package: it is not
	// chosen for it (its fetch would be refused), nor listed.
	other := a.add("other-1.0", map[string]string{"bin/o": "o"})
	push(t, c, []*store.Entry{other}, &sec)
	editInfo(t, filepath.Join(tmp, "cache"), other.ID, func(info *store.Info) {
		info.Name, info.Version = "tool", "9.0"
	})
	f.Trusted = []PublicKey{pub}
	if id, err := f.Resolve(ctx, store.Request{Name: "tool"}); err != nil || id != v2.ID {
		t.Fatalf("Resolve tool with a manifest of other-1.0 named tool 9.0: %s, %v; want %s", id, err, v2.ID)
	}

	// Pushing again with the key signs what the cache has unsigned by it.
	res := push(t, c, []*store.Entry{v3}, &sec)
	if len(res.Signed) != 1 {
		t.Fatalf("push with the key: %+v, want v3 signed", res)
	}
	if id, err := f.Resolve(ctx, store.Request{Name: "tool"}); err != nil || id != v3.ID {
		t.Fatalf("after signing: %s, %v", id, err)
	}
}

// Pushing to a directory creates it; pushing to a web server's URL is an
// error saying it is read-only.
func TestPushReadOnly(t *testing.T) {
	c, err := Open("http://127.0.0.1:1/cache", Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := newMachine(t, filepath.Join(t.TempDir(), "a"))
	_, err = Push(context.Background(), c, []*store.Entry{a.add("x-1", map[string]string{"f": "f"})}, PushOptions{})
	mustErr(t, err, "read-only", c.String())
	if hintOf(err) == "" {
		t.Fatal("no hint")
	}
}

// A cache whose copy of an entry is damaged where a look at it shows
// (a blob lost or cut short, as a partial copy of a directory cache
// leaves; metadata that is not the entry's) is repaired by pushing the
// entry again, as the hint of the refused pull says: the push does not
// take the damaged copy for the entry.
func TestDirPushRepairs(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, dir string, closure []*store.Entry)
	}{
		{"layer lost", func(t *testing.T, dir string, cl []*store.Entry) {
			os.Remove(layerPath(t, dir, cl[1].ID))
		}},
		{"layer cut short", func(t *testing.T, dir string, cl []*store.Entry) {
			p := layerPath(t, dir, cl[1].ID)
			data, _ := os.ReadFile(p)
			os.WriteFile(p, data[:len(data)/2], 0o644)
		}},
		{"layer replaced with another entry's", func(t *testing.T, dir string, cl []*store.Entry) {
			data, _ := os.ReadFile(layerPath(t, dir, cl[2].ID))
			os.WriteFile(layerPath(t, dir, cl[1].ID), data, 0o644)
		}},
		{"metadata not the entry's", func(t *testing.T, dir string, cl []*store.Entry) {
			editInfo(t, dir, cl[1].ID, func(info *store.Info) {
				info.Hash = "sha256:" + "00000000000000000000000000000000000000000000000000000000000000ff"
			})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, dir, closure := tamper(t, func(dir string, cl []*store.Entry) { tc.change(t, dir, cl) })
			b := newMachine(t, filepath.Join(t.TempDir(), "b"))
			if err := b.pull([]Cache{c}, closure[0].ID); err == nil {
				t.Fatal("the damaged cache gave the closure")
			}
			res := push(t, c, closure, nil)
			if !slices.Equal(res.Pushed, []string{closure[1].ID}) {
				t.Errorf("the second push sent %v, want the damaged %s", res.Pushed, closure[1].ID)
			}
			if err := b.pull([]Cache{c}, closure[0].ID); err != nil {
				t.Fatalf("after pushing again: %v", err)
			}
			b.verifyAll()
			tmps, _ := filepath.Glob(filepath.Join(dir, "tmp", "*"))
			if len(tmps) > 0 {
				t.Errorf("left in the cache: %v", tmps)
			}
		})
	}
}

// What pushes killed on the way left in a directory cache (a layer being
// written, gigabytes perhaps) is removed by a later push once it is a
// day old; what a push may be writing now is kept, and a push leaves
// nothing of its own.
func TestDirPushSweepsKilledPushes(t *testing.T) {
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	closure := a.closure3()
	dir := filepath.Join(tmp, "cache")
	c := openDir(t, dir)
	push(t, c, closure[2:], nil)
	if des, err := os.ReadDir(filepath.Join(dir, "tmp")); err != nil || len(des) != 0 {
		t.Fatalf("after a push, tmp holds %v (%v)", des, err)
	}
	stale, fresh := filepath.Join(dir, "tmp", "blob-1"), filepath.Join(dir, "tmp", "blob-2")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("half a layer"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-25 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	push(t, c, closure, nil)
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a day-old file of a killed push is still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a file a push may be writing now was removed: %v", err)
	}
	for _, sub := range []string{"entries", filepath.Join("blobs", "sha256")} {
		des, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, de := range des {
			if strings.HasPrefix(de.Name(), ".") {
				t.Errorf("a temporary file among the cache's %s: %s", sub, de.Name())
			}
		}
	}
}

// A pull into a managed store outside the search path (cache pull
// --store DIR, as store add --store DIR adds there) brings the whole
// closure there: each entry's references are found in that store, and a
// second pull fetches nothing.
func TestDirPullIntoStoreOutsidePath(t *testing.T) {
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	closure := a.closure3()
	c := openDir(t, filepath.Join(tmp, "cache"))
	push(t, c, closure, nil)

	b := newMachine(t, filepath.Join(tmp, "b"))
	outside := filepath.Join(tmp, "outside")
	if _, err := store.Init(outside); err != nil {
		t.Fatal(err)
	}
	var told []Fetched
	f := &Fetcher{Caches: []Cache{c}, Store: outside, Fetched: func(fd Fetched) { told = append(told, fd) }}
	if err := f.Fetch(context.Background(), b.sp, []string{closure[0].ID}); err != nil {
		t.Fatal(err)
	}
	sp, err := store.Open([]string{outside}, "")
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := sp.Stores[0].IDs(); !slices.Equal(ids, a.ids()) {
		t.Fatalf("the outside store holds %v, want %v", ids, a.ids())
	}
	if len(b.ids()) != 0 {
		t.Fatalf("the path's store holds %v", b.ids())
	}
	told = nil
	if err := f.Fetch(context.Background(), b.sp, []string{closure[0].ID}); err != nil || len(told) != 0 {
		t.Fatalf("second pull: %v, fetched %+v", err, told)
	}
}
