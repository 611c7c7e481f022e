package image

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/internal/storetest"
	"github.com/noxenv/noxenv/internal/testutil"
	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

// tenEntries adds libc, used by all the others, tool (used by app0..7)
// and app0..7, and returns them, libc first.
func tenEntries(t testing.TB, sp *store.SearchPath) []*store.Entry {
	t.Helper()
	libc := add(t, sp, "libc", "1", map[string]string{"lib/libc.so": "libc"})
	tool := add(t, sp, "tool", "1", map[string]string{"bin/tool": "#!tool"}, libc)
	es := []*store.Entry{libc, tool}
	for i := range 8 {
		es = append(es, add(t, sp, fmt.Sprintf("app%d", i), "1", map[string]string{fmt.Sprintf("bin/app%d", i): "#!app"}, tool, libc))
	}
	return es
}

// The entries are at their own paths, the most popular first and alone;
// the last layer holds the profile's tree at /noxenv/profile with its
// metadata; the environment is the profile's, relative to that tree.
func TestBuildLayers(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := tenEntries(t, sp)
	g := realize(t, sp, filepath.Join(root, "gens"), es[2:]...)
	out := filepath.Join(root, "out")
	build(t, filepath.Join(root, "cache"), g, Options{Cmd: []string{"app0"}, Labels: map[string]string{"k": "v"}}, out)

	man, cfg := layout(t, out)
	if len(man.Layers) != 11 || len(cfg.RootFS.DiffIDs) != 11 || len(cfg.History) != 11 {
		t.Fatalf("%d layers, %d diff ids, %d history entries; want 11 each", len(man.Layers), len(cfg.RootFS.DiffIDs), len(cfg.History))
	}
	first := members(t, out, man.Layers[0])
	if first[memberName(es[0].Path)+"/lib/libc.so"] != "libc" || len(first) != strings.Count(es[0].Path, "/")+2 {
		t.Errorf("first layer is not libc's alone: %v", first)
	}
	if second := members(t, out, man.Layers[1]); second[memberName(es[1].Path)+"/bin/tool"] != "#!tool" {
		t.Errorf("second layer is not tool's: %v", second)
	}
	last := members(t, out, man.Layers[10])
	if last["noxenv/profile/bin/app3"] != "-> "+es[5].Path+"/bin/app3" {
		t.Errorf("last layer: bin/app3 is %q", last["noxenv/profile/bin/app3"])
	}
	if meta := last["noxenv/profile/"+profile.ManifestFile]; !strings.Contains(meta, es[0].ID) {
		t.Errorf("last layer: no metadata naming the closure: %q", meta)
	}
	for name := range last {
		if !strings.HasPrefix(name, "noxenv/") {
			t.Errorf("last layer holds %s besides the profile", name)
		}
	}
	if !slices.Contains(cfg.Config.Env, "PATH=/noxenv/profile/bin") || !slices.Contains(cfg.Config.Env, "NOXENV_PROFILE=/noxenv/profile") {
		t.Errorf("env %q", cfg.Config.Env)
	}
	if !slices.Equal(cfg.Config.Cmd, []string{"app0"}) || cfg.Config.Labels["k"] != "v" || cfg.Created == nil || !cfg.Created.Equal(time.Unix(0, 0)) {
		t.Errorf("config %+v", cfg)
	}
}

// With three layers at most, ten entries are in two layers of their own
// (the two most popular) and the last.
func TestBuildMaxLayers(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := tenEntries(t, sp)
	g := realize(t, sp, filepath.Join(root, "gens"), es[2:]...)
	out := filepath.Join(root, "out")
	build(t, filepath.Join(root, "cache"), g, Options{MaxLayers: 3}, out)
	man, _ := layout(t, out)
	if len(man.Layers) != 3 {
		t.Fatalf("%d layers, want 3", len(man.Layers))
	}
	for i, e := range es {
		file := map[bool]string{true: "/lib/libc.so", false: "/bin/" + e.Name}[e.Name == "libc"]
		want := min(i, 2)
		for l, d := range man.Layers {
			_, in := members(t, out, d)[memberName(e.Path)+file]
			if in != (l == want) {
				t.Errorf("%s in layer %d: %v", e.Name, l, in)
			}
		}
	}
}

// An image of at most N layers (a base's included) has one per entry up
// to N-1 entries, and N layers beyond: closures of N-2 to N+1 entries.
func TestBuildLayerBoundaries(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := tenEntries(t, sp)
	const maxLayers = 6
	for _, size := range []int{maxLayers - 2, maxLayers - 1, maxLayers, maxLayers + 1} {
		// libc, tool and apps: a closure of size entries.
		g := realize(t, sp, filepath.Join(root, "gens"), es[2:size]...)
		if len(g.Entries) != size {
			t.Fatalf("closure of %d entries, want %d", len(g.Entries), size)
		}
		im := build(t, filepath.Join(root, "cache"), g, Options{MaxLayers: maxLayers}, "")
		if want := min(size+1, maxLayers); len(im.layers) != want {
			t.Errorf("closure of %d: %d layers, want %d", size, len(im.layers), want)
		}
	}
}

// copyTree copies the tree at src to dst, its files with mode and
// their times set to when.
func copyTree(t testing.TB, src, dst string, mode func(os.FileMode) os.FileMode, when time.Time) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case fi.IsDir():
			if err := os.MkdirAll(to, mode(fi.Mode().Perm()|0o700)); err != nil {
				return err
			}
			defer os.Chtimes(to, when, when)
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			return os.Symlink(target, to)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(to, data, 0o600); err != nil {
				return err
			}
			if err := os.Chmod(to, mode(fi.Mode().Perm())); err != nil {
				return err
			}
			return os.Chtimes(to, when, when)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The same closure at the same paths gives the same image, whatever the
// times and the permission bits (beyond the executable bit) of the
// stores' files, and wherever the builder's state and cache are.
func TestBuildDeterministic(t *testing.T) {
	root := t.TempDir()
	storeDir := filepath.Join(root, "store")
	sp := storetest.New(t, storeDir)
	es := tenEntries(t, sp)
	g := realize(t, sp, filepath.Join(root, "gens"), es[2:]...)
	first := build(t, filepath.Join(root, "cache1"), g, Options{MaxLayers: 5}, "")

	// The same store, as another machine with another umask made it.
	moved := filepath.Join(root, "moved")
	if err := os.Rename(storeDir, moved); err != nil {
		t.Fatal(err)
	}
	// As under umask 007 rather than 022, and group-writable.
	umask := func(m os.FileMode) os.FileMode { return m&^0o007 | 0o020 }
	copyTree(t, moved, storeDir, umask, time.Date(2003, 4, 5, 6, 7, 8, 0, time.UTC))
	g2 := realize(t, sp, filepath.Join(root, "state2", "gens"), es[2:]...)
	if g2.Dir == g.Dir {
		t.Fatal("the second generation is the first")
	}
	second := build(t, filepath.Join(root, "cache2"), g2, Options{MaxLayers: 5}, "")
	if first.Manifest.Digest != second.Manifest.Digest {
		t.Fatalf("digests %s and %s", first.Manifest.Digest, second.Manifest.Digest)
	}
}

// A changed entry changes its layer and the last, and nothing else; the
// rebuild reads no other entry's files.
func TestRebuildOneEntry(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := tenEntries(t, sp)
	cacheDir := filepath.Join(root, "cache")
	before := build(t, cacheDir, realize(t, sp, filepath.Join(root, "gens"), es[2:]...), Options{}, "")

	changed := add(t, sp, "app5", "1", map[string]string{"bin/app5": "#!app, changed"}, es[1], es[0])
	members := slices.Clone(es[2:])
	members[5] = changed
	g := realize(t, sp, filepath.Join(root, "gens"), members...)
	hide(t, es, changed)
	after := build(t, cacheDir, g, Options{}, "")

	var differ []string
	for _, l := range after.layers {
		if !slices.ContainsFunc(before.layers, func(b layerBlob) bool { return b.desc.Digest == l.desc.Digest }) {
			differ = append(differ, l.holds)
		}
	}
	if want := []string{changed.ID, "the profile"}; !slices.Equal(differ, want) {
		t.Fatalf("new layers hold %q, want %q", differ, want)
	}
}

// hide makes the entries es but keep unreadable: moved away, so a build
// that reads them fails. unhide brings them back.
func hide(t testing.TB, es []*store.Entry, keep *store.Entry) {
	t.Helper()
	for _, e := range es {
		if e == keep {
			continue
		}
		if err := os.Rename(e.Path, e.Path+".hidden"); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { unhide(t, es) })
}

func unhide(t testing.TB, es []*store.Entry) {
	for _, e := range es {
		os.Rename(e.Path+".hidden", e.Path)
	}
}

// leaves adds base and n entries that depend on it only.
func leaves(t testing.TB, sp *store.SearchPath, n int) []*store.Entry {
	base := add(t, sp, "base", "1", map[string]string{"lib/base": "base"})
	es := []*store.Entry{base}
	for i := range n {
		es = append(es, add(t, sp, fmt.Sprintf("leaf%d", i), "1", map[string]string{fmt.Sprintf("share/leaf%d", i): "leaf"}, base))
	}
	return es
}

// replace adds, for the leaf old, a changed leaf whose id ranks between
// those of the leaves after and before (either may be nil: no bound),
// and returns the members with it instead of old.
func replace(t testing.TB, sp *store.SearchPath, members []*store.Entry, old, after, before *store.Entry) ([]*store.Entry, *store.Entry) {
	t.Helper()
	for v := 0; ; v++ {
		e := add(t, sp, old.Name, "1", map[string]string{"share/" + old.Name: fmt.Sprint("changed ", v)}, members[0])
		if (after == nil || after.ID < e.ID) && (before == nil || e.ID < before.ID) {
			out := slices.Clone(members)
			out[slices.Index(out, old)] = e
			return out, e
		}
	}
}

// The entries of the last layer are cached piece by piece: after an
// entry of a layer of its own changed, none of them is read again; after
// one of them changed, only it and those after it are.
func TestRebuildLastLayerPieces(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := leaves(t, sp, 9)
	cacheDir := filepath.Join(root, "cache")
	opts := Options{MaxLayers: 4} // base, two leaves, and seven leaves in the last
	gens := filepath.Join(root, "gens")
	build(t, cacheDir, realize(t, sp, gens, es[1:]...), opts, "")
	own, last := split(rank(es), 3)

	// A leaf of a layer of its own changes, and stays there.
	members, changed := replace(t, sp, es, own[1], nil, own[2])
	g := realize(t, sp, gens, members[1:]...)
	hide(t, es, changed)
	after := build(t, cacheDir, g, opts, "")
	unhide(t, es)
	if after.layers[1].holds != changed.ID {
		t.Fatalf("second layer holds %s, want the changed %s", after.layers[1].holds, changed.ID)
	}

	// The last leaf of the last layer changes and stays last: only it is
	// read.
	members, changed = replace(t, sp, members, last[6], last[5], nil)
	g = realize(t, sp, gens, members[1:]...)
	hide(t, members, changed)
	build(t, cacheDir, g, opts, "")
	unhide(t, members)

	// The first leaf of the last layer changes and stays first: the last
	// layer's are read, and only they.
	_, last = split(rank(members), 3)
	members, _ = replace(t, sp, members, last[0], own[2], last[1])
	g = realize(t, sp, gens, members[1:]...)
	own, _ = split(rank(members), 3)
	hide(t, own, nil)
	build(t, cacheDir, g, opts, "")
}

// An output that exists and is not an image is refused and left as it
// was; an image layout or an empty directory is replaced whole.
func TestWriteLayoutOutputs(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := tenEntries(t, sp)
	im := build(t, filepath.Join(root, "cache"), realize(t, sp, filepath.Join(root, "gens"), es[2:]...), Options{}, "")
	ctx := context.Background()

	file := filepath.Join(root, "file")
	testutil.WriteFiles(t, root, map[string]string{"file": "mine", "dir/notes": "mine"})
	for _, out := range []string{file, filepath.Join(root, "dir")} {
		var oe *OutputError
		if err := im.WriteLayout(ctx, out, "latest"); !errors.As(err, &oe) {
			t.Errorf("%s: error %v, want an OutputError", out, err)
		}
		if err := im.WriteArchive(ctx, out, nil); !errors.As(err, &oe) {
			t.Errorf("%s: error %v, want an OutputError", out, err)
		}
	}
	if data, _ := os.ReadFile(file); string(data) != "mine" {
		t.Errorf("file now holds %q", data)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "dir", "notes")); string(data) != "mine" {
		t.Errorf("dir/notes now holds %q", data)
	}

	out := filepath.Join(root, "empty")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := im.WriteLayout(ctx, out, "latest"); err != nil {
		t.Fatal(err)
	}
	testutil.WriteFiles(t, out, map[string]string{"blobs/sha256/stale": "x"})
	if err := im.WriteLayout(ctx, out, "latest"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "blobs", "sha256", "stale")); err == nil {
		t.Error("a file of the replaced layout is left")
	}
	if man, _ := layout(t, out); len(man.Layers) != len(im.layers) {
		t.Errorf("the layout has %d layers, want %d", len(man.Layers), len(im.layers))
	}
	leftovers, _ := filepath.Glob(filepath.Join(root, ".tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("left behind: %q", leftovers)
	}
}

// An output that is a symbolic link, to an image layout or to anything,
// is refused as one and left as it was: the link is not replaced, nor
// what it points to.
func TestWriteSymlinkOutput(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := tenEntries(t, sp)
	g := realize(t, sp, filepath.Join(root, "gens"), es[0])
	target := filepath.Join(root, "target")
	im := build(t, filepath.Join(root, "cache"), g, Options{}, target)
	link := filepath.Join(root, "link")
	if err := os.Symlink("target", link); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"layout":  im.WriteLayout(context.Background(), link, "latest"),
		"archive": im.WriteArchive(context.Background(), link, nil),
	} {
		var oe *OutputError
		if !errors.As(err, &oe) || oe.What != "a symbolic link" {
			t.Errorf("%s: %v, want an OutputError saying it is a symbolic link", what, err)
		}
	}
	if dest, err := os.Readlink(link); err != nil || dest != "target" {
		t.Errorf("the link now points to %q, %v", dest, err)
	}
}

// An output that cannot be made (in a directory that does not exist, or
// that this user cannot write) is an error about the output, not about
// the temporary file beside it that the image is written to first.
func TestWriteCannotCreate(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := tenEntries(t, sp)
	im := build(t, filepath.Join(root, "cache"), realize(t, sp, filepath.Join(root, "gens"), es[0]), Options{}, "")
	out := filepath.Join(root, "missing", "out")
	for what, err := range map[string]error{
		"layout":  im.WriteLayout(context.Background(), out, "latest"),
		"archive": im.WriteArchive(context.Background(), out, nil),
	} {
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != out || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want an error about %s", what, err, out)
		}
	}
}

// A build or a write whose context is cancelled (an interrupt) stops
// there, even when every layer is cached, and leaves the output as it
// was: the image the interrupt came too late to stop is not put in its
// place.
func TestCancelled(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := tenEntries(t, sp)
	cacheDir := filepath.Join(root, "cache")
	g := realize(t, sp, filepath.Join(root, "gens"), es[2:]...)
	out, archive := filepath.Join(root, "out"), filepath.Join(root, "out.tar")
	old := build(t, cacheDir, g, Options{}, out)
	if err := old.WriteArchive(context.Background(), archive, nil); err != nil {
		t.Fatal(err)
	}
	im := build(t, cacheDir, g, Options{Cmd: []string{"other"}}, "")
	wantLayout, _ := os.ReadFile(filepath.Join(out, "index.json"))
	wantArchive, _ := os.ReadFile(archive)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b, err := NewBuilder(cacheDir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Build(ctx, Spec{Generation: g, Env: profile.Environ(g, nil)}, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("build: %v, want %v", err, context.Canceled)
	}
	if err := im.WriteLayout(ctx, out, "latest"); !errors.Is(err, context.Canceled) {
		t.Errorf("layout: %v, want %v", err, context.Canceled)
	}
	if err := im.WriteArchive(ctx, archive, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("archive: %v, want %v", err, context.Canceled)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "index.json")); string(data) != string(wantLayout) {
		t.Errorf("the layout was replaced")
	}
	if data, _ := os.ReadFile(archive); string(data) != string(wantArchive) {
		t.Errorf("the archive was replaced")
	}
	leftovers, _ := filepath.Glob(filepath.Join(root, ".tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("left behind: %q", leftovers)
	}
}

// An image on a base has the base's layers first and its configuration
// where the options do not set one; an entry the base has in a layer of
// its own is not added again; its profile hides the base's: the opaque
// whiteout comes first in the directory.
func TestBuildOnBase(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := tenEntries(t, sp)
	cacheDir := filepath.Join(root, "cache")
	baseOut := filepath.Join(root, "base")
	build(t, cacheDir, realize(t, sp, filepath.Join(root, "gens"), es[0]), Options{WorkDir: "/srv", Labels: map[string]string{"from": "base"}}, baseOut)

	b, err := NewBuilder(cacheDir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	base, err := b.OpenBase(context.Background(), baseOut, "")
	if err != nil {
		t.Fatal(err)
	}
	if base.Layers() != 2 || base.Env()["PATH"] != "" {
		t.Fatalf("base of %d layers, env %v", base.Layers(), base.Env())
	}
	g := realize(t, sp, filepath.Join(root, "gens"), es[1])
	im, err := b.Build(context.Background(), Spec{Generation: g, Env: profile.Environ(g, base.Env()), From: base.Env()}, Options{Base: base, MaxLayers: 4, Labels: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "out")
	if err := im.WriteLayout(context.Background(), out, "latest"); err != nil {
		t.Fatal(err)
	}
	man, cfg := layout(t, out)
	baseMan, _ := layout(t, baseOut)
	// libc's layer is the base's first: tool's and the last follow.
	if len(man.Layers) != 4 || man.Layers[0].Digest != baseMan.Layers[0].Digest || man.Layers[1].Digest != baseMan.Layers[1].Digest {
		t.Fatalf("layers %v on base layers %v", man.Layers, baseMan.Layers)
	}
	if _, ok := members(t, out, man.Layers[2])[memberName(es[1].Path)+"/bin/tool"]; !ok {
		t.Errorf("third layer is not tool's")
	}
	if cfg.Config.WorkingDir != "/srv" || cfg.Config.Labels["from"] != "base" || cfg.Config.Labels["k"] != "v" || len(cfg.History) != 4 {
		t.Errorf("config %+v", cfg)
	}
	var names []string
	readLayer(t, out, man.Layers[3], func(hdr *tar.Header, _ io.Reader) { names = append(names, hdr.Name) })
	if want := []string{"noxenv/", "noxenv/profile/", "noxenv/profile/.wh..wh..opq"}; len(names) < 4 || !slices.Equal(names[:3], want) {
		t.Errorf("last layer begins %q, want %q", names, want)
	}
	members(t, out, man.Layers[3])
}

// A base read from a docker-archive (docker save's, whose layers are not
// compressed) holds the entries of the image it was saved from in layers
// of the same files but other bytes: they are not added again either.
func TestBuildOnArchiveBase(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	es := tenEntries(t, sp)
	cacheDir := filepath.Join(root, "cache")
	b, err := NewBuilder(cacheDir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	g := realize(t, sp, filepath.Join(root, "gens"), es[0])
	baseIm, err := b.Build(ctx, Spec{Generation: g, Env: profile.Environ(g, nil)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(root, "base.tar")
	if err := baseIm.WriteArchive(ctx, archive, []string{"base:1"}); err != nil {
		t.Fatal(err)
	}
	base, err := b.OpenBase(ctx, archive, "")
	if err != nil {
		t.Fatal(err)
	}
	g = realize(t, sp, filepath.Join(root, "gens"), es[1])
	im, err := b.Build(ctx, Spec{Generation: g, Env: profile.Environ(g, base.Env()), From: base.Env()}, Options{Base: base})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "out")
	if err := im.WriteLayout(ctx, out, "latest"); err != nil {
		t.Fatal(err)
	}
	// The base's libc and last layers, tool's and the last.
	man, cfg := layout(t, out)
	if len(man.Layers) != 4 || len(cfg.RootFS.DiffIDs) != 4 || cfg.RootFS.DiffIDs[0] == cfg.RootFS.DiffIDs[2] {
		t.Fatalf("layers %v, diff ids %v", man.Layers, cfg.RootFS.DiffIDs)
	}
	if _, ok := members(t, out, man.Layers[2])[memberName(es[1].Path)+"/bin/tool"]; !ok {
		t.Errorf("third layer is not tool's")
	}
}

// An image's configuration is JSON, which holds UTF-8 only: a variable,
// a command, a working directory or a label of other bytes is an error
// naming it, where the encoding kept U+FFFD in their place, a silently
// other value.
func TestBuildNotUTF8(t *testing.T) {
	root := t.TempDir()
	sp := storetest.New(t, filepath.Join(root, "store"))
	g := realize(t, sp, filepath.Join(root, "gens"), add(t, sp, "tool", "1.0", map[string]string{"bin/tool": "#!/bin/sh\n"}))
	b, err := NewBuilder(filepath.Join(root, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	bad := "a\xffb"
	env := profile.Environ(g, nil)
	badEnv := maps.Clone(env)
	badEnv["GREETING"] = bad
	for name, tc := range map[string]struct {
		env  map[string]string
		opts Options
		want string
	}{
		"variable":    {badEnv, Options{}, "GREETING"},
		"command":     {env, Options{Cmd: []string{"tool", bad}}, `"a\xffb"`},
		"entrypoint":  {env, Options{Entrypoint: []string{bad}}, `"a\xffb"`},
		"working dir": {env, Options{WorkDir: "/" + bad}, `"/a\xffb"`},
		"label":       {env, Options{Labels: map[string]string{"org.example": bad}}, "org.example"},
	} {
		_, err := b.Build(context.Background(), Spec{Generation: g, Env: tc.env}, tc.opts)
		if err == nil || !strings.Contains(err.Error(), "not UTF-8") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s and saying it is not UTF-8", name, err, tc.want)
		}
	}
}
