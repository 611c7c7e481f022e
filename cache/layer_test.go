package cache

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"
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
	files := map[string]string{"bin/run": "#!/bin/sh\n", "share/b": "b", "share/a": "a", "lib/link": "->../share/a", "big": string(bytes.Repeat([]byte("0123456789"), 100000))}
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	writeFiles(t, a, files)
	writeFiles(t, b, files)
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
	writeFiles(t, dir, map[string]string{"f": "x"})
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
		{map[string]string{"l": "->" + needle + "x"}, true},
		{map[string]string{"f": "/home/ada/store", "g": "/"}, false},
		{map[string]string{"home/ada/store/f": "x"}, false},
	}
	for i, tc := range cases {
		dir := filepath.Join(t.TempDir(), "t")
		writeFiles(t, dir, tc.files)
		if _, _, found := writeLayer(t, dir, "", needle); found != tc.want {
			t.Errorf("case %d: found %v, want %v", i, found, tc.want)
		}
	}
}
