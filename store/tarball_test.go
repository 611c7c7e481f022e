package store

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"

	"github.com/noxenv/noxenv/internal/testutil"
)

// member is one member of a test tarball.
type member struct {
	name, body, link string
	typ              byte
	mode             int64
}

func makeTar(t testing.TB, members []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		if m.mode == 0 {
			m.mode = 0o644
		}
		hdr := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: m.mode, Size: int64(len(m.body))}
		if m.typ == tar.TypeXGlobalHeader {
			// The body is the comment, as git archive writes its commit.
			hdr = &tar.Header{Typeflag: m.typ, PAXRecords: map[string]string{"comment": m.body}}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if m.typ != tar.TypeXGlobalHeader {
			tw.Write([]byte(m.body))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xzed(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// unxz is the xz reader the tests add xz tarballs with.
func unxz(r io.Reader) (io.Reader, error) { return xz.NewReader(r) }

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

var releaseTarball = []member{
	{name: "hello-1.0/", typ: tar.TypeDir},
	{name: "hello-1.0/bin/hello", typ: tar.TypeReg, body: "#!/bin/sh\necho hello\n", mode: 0o755},
	{name: "hello-1.0/bin/hi", typ: tar.TypeSymlink, link: "hello"},
	{name: "hello-1.0/share/doc/README", typ: tar.TypeReg, body: "readme\n"},
	{name: "hello-1.0/lib/empty", typ: tar.TypeReg},
}

// TestTarballMatchesDirectory: a release tarball gives the entry of the
// directory it was made from.
func TestTarballMatchesDirectory(t *testing.T) {
	sp, st := testStore(t)
	dir := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, dir, helloTree)
	want, _ := add(t, sp, st, dir, AddOptions{})
	tmp := t.TempDir()
	for name, data := range map[string][]byte{
		"hello-1.0.tar":    makeTar(t, releaseTarball),
		"hello-1.0.tar.gz": gzipped(makeTar(t, releaseTarball)),
		"hello-1.0.tar.xz": xzed(t, makeTar(t, releaseTarball)),
		// git archive's, and so GitHub's source tarballs, start with a
		// pax global header holding the commit.
		"git/hello-1.0.tar": makeTar(t, append([]member{{name: "pax_global_header", typ: tar.TypeXGlobalHeader, body: "0123456789abcdef"}}, releaseTarball...)),
	} {
		src := filepath.Join(tmp, name)
		os.MkdirAll(filepath.Dir(src), 0o755)
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, existed := add(t, sp, st, src, AddOptions{Strip: -1, Unxz: unxz})
		if got.ID != want.ID || !existed {
			t.Errorf("%s: %s (existed %v), want %s\n%+v\n%+v", name, got.ID, existed, want.ID, got.Info, want.Info)
		}
	}
}

// An xz tarball needs the caller's reader of xz: without one, adding it
// is ErrNoXZ and leaves nothing behind. IsXZ tells one by its start.
func TestTarballXZNeedsReader(t *testing.T) {
	sp, st := testStore(t)
	tmp := t.TempDir()
	src := filepath.Join(tmp, "hello-1.0.tar.xz")
	if err := os.WriteFile(src, xzed(t, makeTar(t, releaseTarball)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := sp.Add(context.Background(), st, src, AddOptions{Strip: -1})
	if !errors.Is(err, ErrNoXZ) {
		t.Fatalf("err = %v, want ErrNoXZ", err)
	}
	assertClean(t, st)
	gz := filepath.Join(tmp, "hello-1.0.tar.gz")
	if err := os.WriteFile(gz, gzipped(makeTar(t, releaseTarball)), 0o644); err != nil {
		t.Fatal(err)
	}
	if !IsXZ(src) || IsXZ(gz) || IsXZ(tmp) || IsXZ(filepath.Join(tmp, "missing")) {
		t.Errorf("IsXZ: xz %v, gzip %v, directory %v, missing %v", IsXZ(src), IsXZ(gz), IsXZ(tmp), IsXZ(filepath.Join(tmp, "missing")))
	}
}

func TestTarballRejects(t *testing.T) {
	for name, tc := range map[string]struct {
		members []member
		want    string
	}{
		"dotdot":              {[]member{{name: "a/../../x", typ: tar.TypeReg}}, `".." in its path`},
		"absolute":            {[]member{{name: "/etc/x", typ: tar.TypeReg}}, "absolute path"},
		"symlink out":         {[]member{{name: "a/l", typ: tar.TypeSymlink, link: "../.."}, {name: "a/l/x", typ: tar.TypeReg}}, "outside the tree"},
		"symlink abs":         {[]member{{name: "l", typ: tar.TypeSymlink, link: "/tmp"}, {name: "l/x", typ: tar.TypeReg}}, "outside the tree"},
		"symlink chain":       {[]member{{name: "a/l1", typ: tar.TypeSymlink, link: "l2"}, {name: "a/l2", typ: tar.TypeSymlink, link: "../.."}, {name: "a/l1/x", typ: tar.TypeReg}}, "outside the tree"},
		"symlink loop":        {[]member{{name: "a/l1", typ: tar.TypeSymlink, link: "l2"}, {name: "a/l2", typ: tar.TypeSymlink, link: "l1"}, {name: "a/l1/x", typ: tar.TypeReg}}, "too many levels"},
		"char device":         {[]member{{name: "a/null", typ: tar.TypeChar}}, "device files"},
		"block device":        {[]member{{name: "a/sda", typ: tar.TypeBlock}}, "device files"},
		"fifo":                {[]member{{name: "a/p", typ: tar.TypeFifo}}, "named pipes"},
		"hard link out":       {[]member{{name: "a/h", typ: tar.TypeLink, link: "../x"}}, "outside the tree"},
		"hard link dir":       {[]member{{name: "a/d/", typ: tar.TypeDir}, {name: "a/h", typ: tar.TypeLink, link: "a/d"}}, "not an earlier file"},
		"file and dir":        {[]member{{name: "a/x", typ: tar.TypeReg}, {name: "a/x/y", typ: tar.TypeReg}}, "both a directory and a file"},
		"hard link to itself": {[]member{{name: "a/f", typ: tar.TypeReg, body: "x"}, {name: "a/f", typ: tar.TypeLink, link: "a/f"}}, "hard link to itself"},
	} {
		sp, st := testStore(t)
		src := filepath.Join(t.TempDir(), "bad-1.0.tar")
		if err := os.WriteFile(src, makeTar(t, tc.members), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := sp.Add(context.Background(), st, src, AddOptions{Strip: -1})
		var te *TarballError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a TarballError mentioning %q", name, err, tc.want)
		}
		assertClean(t, st)
	}
}

func TestTarballCorrupt(t *testing.T) {
	good := gzipped(makeTar(t, releaseTarball))
	flipped := bytes.Clone(good)
	flipped[len(flipped)-6] ^= 0xff // the CRC of the gzip trailer
	for name, data := range map[string][]byte{
		"truncated gzip": good[:len(good)/2],
		"bad crc":        flipped,
		"not a tarball":  []byte("hello, world\n"),
		"empty":          nil,
		"truncated tar":  makeTar(t, releaseTarball)[:700],
	} {
		sp, st := testStore(t)
		src := filepath.Join(t.TempDir(), "bad-1.0.tar.gz")
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := sp.Add(context.Background(), st, src, AddOptions{Strip: -1})
		var te *TarballError
		if !errors.As(err, &te) {
			t.Errorf("%s: err = %v, want a TarballError", name, err)
		}
		assertClean(t, st)
	}
}

// FuzzImportTarball checks that whatever the bytes, an import never writes
// outside its directory, and that what it records is what is on disk.
func FuzzImportTarball(f *testing.F) {
	f.Add(makeTar(f, releaseTarball), int8(-1))
	f.Add(gzipped(makeTar(f, releaseTarball)), int8(1))
	f.Add(makeTar(f, []member{{name: "a/l", typ: tar.TypeSymlink, link: "../b"}, {name: "b/", typ: tar.TypeDir}, {name: "a/l/x", typ: tar.TypeReg, body: "x"}}), int8(0))
	f.Add(makeTar(f, []member{{name: "x", typ: tar.TypeReg, body: "1"}, {name: "x", typ: tar.TypeReg, body: "2"}, {name: "y", typ: tar.TypeLink, link: "x"}}), int8(-1))
	f.Add(makeTar(f, []member{{name: "a/../../x", typ: tar.TypeReg}}), int8(2))
	f.Fuzz(func(t *testing.T, data []byte, strip int8) {
		tmp := t.TempDir()
		src := filepath.Join(tmp, "in.tar")
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		work := filepath.Join(tmp, "work")
		dst := filepath.Join(work, "dst")
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		tr := &tree{refs: map[string]bool{}}
		root, err := importTarball(context.Background(), src, dst, max(int(strip)%4, -1), unxz, map[string]string{"0123456789abcdfghijklmnpqrsvwxyz": "x"}, tr)
		defer removeTree(work)
		if des, _ := os.ReadDir(work); len(des) != 1 {
			t.Fatalf("import wrote beside its directory: %v", des)
		}
		if err != nil {
			return
		}
		if !strings.HasPrefix(root, dst) {
			t.Fatalf("root %s outside %s", root, dst)
		}
		onDisk, err := hashTree(context.Background(), root)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := treeHash(onDisk), treeHash(tr.items); got != want {
			t.Fatalf("recorded tree differs from the tree on disk:\nrecorded %v\non disk %v", dump(tr.items), dump(onDisk))
		}
	})
}

func dump(items []*item) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteString(string(it.kind) + " " + it.path + " " + it.target + " " + fmt.Sprintf("%x", it.digest[:4]) + "\n")
	}
	return b.String()
}
