package cache

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/noxenv/noxenv/internal/testutil"
)

func writeLayer(t *testing.T, dir, prefix string, find string) (Layer, []byte, bool) {
	t.Helper()
	var b bytes.Buffer
	lw, err := NewLayerWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if find != "" {
		lw.Find([]byte(find))
	}
	if err := lw.AddTree(context.Background(), dir, prefix); err != nil {
		t.Fatal(err)
	}
	l, err := lw.Close()
	if err != nil {
		t.Fatal(err)
	}
	return l, b.Bytes(), lw.Found()
}

// The same tree gives the same bytes whatever its files' times, owners,
// permission bits beyond the executable bit, or the order they were made
// in; the digests are those of the bytes.
func TestLayerDeterministic(t *testing.T) {
	files := map[string]string{"bin/run": "#!/bin/sh\n", "share/b": "b", "share/a": "a", "lib/link": "-> ../share/a", "big": string(bytes.Repeat([]byte("0123456789"), 100000))}
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	testutil.WriteFiles(t, a, files)
	testutil.WriteFiles(t, b, files)
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	filepath.Walk(b, func(p string, fi os.FileInfo, err error) error {
		if fi.Mode().IsRegular() {
			os.Chtimes(p, old, old)
			os.Chmod(p, fi.Mode()|0o060)
		}
		return nil
	})
	la, da, _ := writeLayer(t, a, "", "")
	lb, db, _ := writeLayer(t, b, "", "")
	if la != lb || !bytes.Equal(da, db) {
		t.Fatalf("layers differ: %+v %+v", la, lb)
	}
	if la.Digest != digest.FromBytes(da) || la.Size != int64(len(da)) {
		t.Fatalf("layer %+v does not describe its %d bytes", la, len(da))
	}
	zr, err := zstd.NewReader(bytes.NewReader(da))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if la.DiffID != digest.FromBytes(raw) || la.TarSize != int64(len(raw)) {
		t.Fatalf("diff id %s and size %d, the tar has %s and %d", la.DiffID, la.TarSize, digest.FromBytes(raw), len(raw))
	}
	tr := tar.NewReader(bytes.NewReader(raw))
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		if !hdr.ModTime.Equal(time.Unix(0, 0)) || hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" || hdr.Gname != "" {
			t.Errorf("%s: time %v, owner %d:%d %q:%q", hdr.Name, hdr.ModTime, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname)
		}
		want := map[byte]int64{tar.TypeDir: 0o755, tar.TypeSymlink: 0o777}[hdr.Typeflag]
		if hdr.Typeflag == tar.TypeReg {
			want = 0o644
			if hdr.Name == "bin/run" {
				want = 0o755
			}
		}
		if hdr.Mode != want {
			t.Errorf("%s: mode %o, want %o", hdr.Name, hdr.Mode, want)
		}
	}
	wantNames := []string{"big", "bin/", "bin/run", "lib/", "lib/link", "share/", "share/a", "share/b"}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("members %q, want %q", names, wantNames)
	}
}

// A prefix puts the tree's members under it, its directory first.
func TestLayerPrefix(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFiles(t, dir, map[string]string{"f": "x"})
	_, data, _ := writeLayer(t, dir, "nix/store/abc", "")
	zr, _ := zstd.NewReader(bytes.NewReader(data))
	tr := tar.NewReader(zr)
	var names []string
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, hdr.Name)
	}
	if want := []string{"nix/store/abc/", "nix/store/abc/f"}; !slices.Equal(names, want) {
		t.Fatalf("members %q, want %q", names, want)
	}
}

// Find sees its bytes in file contents, also across the writer's reads,
// and in symlink targets; not elsewhere.
func TestLayerFind(t *testing.T) {
	needle := "/home/ada/store/"
	long := string(bytes.Repeat([]byte{'x'}, 256<<10-5)) + needle + "tail"
	cases := []struct {
		files map[string]string
		want  bool
	}{
		{map[string]string{"f": "prefix=" + needle + "abc"}, true},
		{map[string]string{"f": long}, true},
		{map[string]string{"l": "-> " + needle + "x"}, true},
		{map[string]string{"f": "/home/ada/store", "g": "/"}, false},
		{map[string]string{"home/ada/store/f": "x"}, false},
	}
	for i, tc := range cases {
		dir := filepath.Join(t.TempDir(), "t")
		testutil.WriteFiles(t, dir, tc.files)
		if _, _, found := writeLayer(t, dir, "", needle); found != tc.want {
			t.Errorf("case %d: found %v, want %v", i, found, tc.want)
		}
	}
}

// decompress reads a layer compressed with c, every stream of it.
func decompress(t *testing.T, c Compression, data []byte) []byte {
	t.Helper()
	var r io.Reader
	switch c {
	case Gzip:
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case Zstd:
		zr, err := zstd.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// A layer written in pieces, each continued from the checkpoint of the
// one before, is one layer: its digests are those of the pieces' bytes
// one after the other, which decompress to one tar of every member, the
// same tar a layer written at once has.
func TestLayerCheckpoint(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	testutil.WriteFiles(t, a, map[string]string{"bin/x": "#!x", "share/a": string(bytes.Repeat([]byte("a"), 300<<10))})
	testutil.WriteFiles(t, b, map[string]string{"lib/l": "-> ../a", "f": "f"})
	ctx := context.Background()
	for _, c := range []Compression{Zstd, Gzip} {
		var first, second, whole bytes.Buffer
		lw, err := NewCompressedLayerWriter(&first, c)
		if err != nil {
			t.Fatal(err)
		}
		if err := lw.AddTree(ctx, a, "a"); err != nil {
			t.Fatal(err)
		}
		cp, err := lw.Checkpoint()
		if err != nil {
			t.Fatal(err)
		}
		if cp.Size != int64(first.Len()) {
			t.Fatalf("%v: checkpoint at %d bytes, %d written", c, cp.Size, first.Len())
		}
		if err := lw.AddTree(ctx, b, "b"); err == nil {
			t.Fatalf("%v: a writer past its checkpoint took more", c)
		}
		lw, err = ResumeLayerWriter(&second, cp)
		if err != nil {
			t.Fatal(err)
		}
		if err := lw.AddTree(ctx, b, "b"); err != nil {
			t.Fatal(err)
		}
		l, err := lw.Close()
		if err != nil {
			t.Fatal(err)
		}
		data := append(first.Bytes(), second.Bytes()...)
		if l.MediaType != c.MediaType() || l.Digest != digest.FromBytes(data) || l.Size != int64(len(data)) {
			t.Fatalf("%v: layer %+v does not describe its %d bytes", c, l, len(data))
		}
		raw := decompress(t, c, data)
		if l.DiffID != digest.FromBytes(raw) || l.TarSize != int64(len(raw)) {
			t.Fatalf("%v: diff id %s, the tar's %s", c, l.DiffID, digest.FromBytes(raw))
		}
		lw, _ = NewCompressedLayerWriter(&whole, c)
		lw.AddTree(ctx, a, "a")
		lw.AddTree(ctx, b, "b")
		lwhole, err := lw.Close()
		if err != nil {
			t.Fatal(err)
		}
		if lwhole.DiffID != l.DiffID {
			t.Fatalf("%v: the tar in pieces differs from the tar at once", c)
		}
	}
}

// A gzip layer is what image tools read: its media type says gzip, and
// the same tree gives the same bytes.
func TestLayerGzip(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFiles(t, dir, map[string]string{"f": "x"})
	var x, y bytes.Buffer
	for _, buf := range []*bytes.Buffer{&x, &y} {
		lw, err := NewCompressedLayerWriter(buf, Gzip)
		if err != nil {
			t.Fatal(err)
		}
		lw.AddTree(context.Background(), dir, "")
		l, err := lw.Close()
		if err != nil {
			t.Fatal(err)
		}
		if l.Descriptor().MediaType != ocispec.MediaTypeImageLayerGzip {
			t.Fatalf("media type %s", l.Descriptor().MediaType)
		}
	}
	if !bytes.Equal(x.Bytes(), y.Bytes()) {
		t.Fatal("the same tree gave different gzip layers")
	}
	if tr := tar.NewReader(bytes.NewReader(decompress(t, Gzip, x.Bytes()))); func() bool { h, err := tr.Next(); return err != nil || h.Name != "f" }() {
		t.Fatal("the gzip layer does not hold f")
	}
}

// Skip leaves members out of a tree, a directory with what it holds;
// AddFile writes a file from memory as AddTree writes one from disk.
func TestLayerSkipAndAddFile(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFiles(t, dir, map[string]string{"keep": "k", "drop": "d", "sub/x": "x", "sub/drop": "d", "gone/y": "y"})
	var b bytes.Buffer
	lw, _ := NewCompressedLayerWriter(&b, Gzip)
	lw.Skip(func(name string) bool { return path.Base(name) == "drop" || name == "p/gone" })
	if err := lw.AddTree(context.Background(), dir, "p"); err != nil {
		t.Fatal(err)
	}
	if err := lw.AddFile("p/new", []byte("#!run\n"), true); err != nil {
		t.Fatal(err)
	}
	if _, err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(decompress(t, Gzip, b.Bytes())))
	var got []string
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(tr)
		got = append(got, fmt.Sprintf("%s %o %s", hdr.Name, hdr.Mode, data))
	}
	want := []string{"p/ 755 ", "p/keep 644 k", "p/sub/ 755 ", "p/sub/x 644 x", "p/new 755 #!run\n"}
	if !slices.Equal(got, want) {
		t.Fatalf("members %q, want %q", got, want)
	}
}
