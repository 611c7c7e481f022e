package cache

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/noxenv/noxenv/internal/testutil"
	"github.com/noxenv/noxenv/store"
)

// member is one member of a hand-made layer.
type member struct {
	hdr  tar.Header
	body io.Reader
}

// writeMalicious writes, into the directory cache dir, the entry id whose
// layer holds members and whose manifest declares size bytes of files:
// a cache that sends what noxenv never pushes.
func writeMalicious(t *testing.T, dir, id string, size int64, members []member) {
	t.Helper()
	blobs := filepath.Join(dir, "blobs", "sha256")
	os.MkdirAll(blobs, 0o755)
	os.MkdirAll(filepath.Join(dir, "entries"), 0o755)
	f, err := os.CreateTemp(blobs, ".tmp-")
	if err != nil {
		t.Fatal(err)
	}
	blobD := digest.Canonical.Digester()
	var n, tarN counter
	zw, _ := zstd.NewWriter(io.MultiWriter(f, blobD.Hash(), &n), zstd.WithEncoderLevel(zstd.SpeedFastest))
	tw := tar.NewWriter(io.MultiWriter(zw, &tarN))
	for _, m := range members {
		if err := tw.WriteHeader(&m.hdr); err != nil {
			t.Fatal(err)
		}
		if m.body != nil {
			if _, err := io.Copy(tw, m.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	tw.Close()
	zw.Close()
	f.Close()
	layer := ocispec.Descriptor{MediaType: LayerMediaType, Digest: blobD.Digest(), Size: int64(n)}
	os.Rename(f.Name(), filepath.Join(blobs, layer.Digest.Encoded()))
	_, name, version, _ := store.ParseID(id)
	em := &entryManifest{ID: id, Info: &store.Info{Name: name, Version: version, Size: size, References: []string{}, Env: []store.EnvSetting{}}, Layer: layer, TarSize: int64(tarN)}
	data := em.marshal(ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: digest.FromString("{}"), Size: 2})
	if err := os.WriteFile(filepath.Join(dir, "entries", Key(id)+".json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func reg(name string, body string) member {
	return member{tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(body))}, bytes.NewReader([]byte(body))}
}

// A malicious directory cache: each layer is refused with an error naming
// the entry and the cache; the store and every path outside it are
// unchanged.
func TestMaliciousCache(t *testing.T) {
	cases := map[string]struct {
		size    int64
		members []member
		words   string
	}{
		"dot-dot member":  {10, []member{reg("../evil", "x")}, `".." in its path`},
		"absolute member": {10, []member{reg("/tmp/noxenv-evil", "x")}, "absolute path"},
		"symlink then a member through it": {10, []member{
			{tar.Header{Typeflag: tar.TypeSymlink, Name: "out", Linkname: "../../outside", Mode: 0o777}, nil},
			reg("out/evil", "x"),
		}, "outside the tree through symlink"},
		"device file": {10, []member{{tar.Header{Typeflag: tar.TypeChar, Name: "null", Devmajor: 1, Devminor: 3, Mode: 0o666}, nil}}, "device files are not allowed"},
		"1 GiB of zeros declared 1 MiB": {1 << 20, []member{
			{tar.Header{Typeflag: tar.TypeReg, Name: "zeros", Mode: 0o644, Size: 1 << 30}, io.LimitReader(zeroReader{}, 1<<30)},
		}, "more file contents than the entry's recorded size"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tmp := t.TempDir()
			b := newMachine(t, filepath.Join(tmp, "home", "store"))
			outside := filepath.Join(tmp, "outside")
			testutil.WriteFiles(t, outside, map[string]string{"sentinel": "keep"})
			before := snapshot(t, outside)
			dir := filepath.Join(t.TempDir(), "cache")
			id := "0123456789abcdfghijklmnpqrsvwxyz-evil-1.0"
			writeMalicious(t, dir, id, tc.size, tc.members)
			c := openDir(t, dir)
			err := b.pull([]Cache{c}, id)
			mustErr(t, err, id, c.String(), tc.words)
			var te *store.TarballError
			if !errors.As(err, &te) {
				t.Fatalf("%v is not a refusal of the layer", err)
			}
			if hintOf(err) == "" {
				t.Fatalf("no hint for %v", err)
			}
			if after := snapshot(t, outside); !slices.Equal(before, after) {
				t.Fatalf("outside changed:\n%q\n%q", before, after)
			}
			if ids := b.ids(); len(ids) != 0 {
				t.Fatalf("the store holds %v", ids)
			}
			b.verifyAll()
			if _, err := os.Lstat(filepath.Join(tmp, "home", "evil")); err == nil {
				t.Fatal("a file was written beside the store")
			}
			if _, err := os.Lstat("/tmp/noxenv-evil"); err == nil {
				t.Fatal("/tmp/noxenv-evil was written")
			}
		})
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }
