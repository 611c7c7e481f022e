package image

import (
	"archive/tar"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/noxenv/noxenv/internal/storetest"
	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

// add adds the package made of files, depending on deps, to sp's store.
func add(t testing.TB, sp *store.SearchPath, name, version string, files map[string]string, deps ...*store.Entry) *store.Entry {
	t.Helper()
	var opts store.AddOptions
	for _, d := range deps {
		opts.Deps = append(opts.Deps, d.ID)
	}
	return storetest.Add(t, sp, name+"-"+version, files, opts)
}

// realize returns the generation of members (with their closures) under
// gensDir.
func realize(t testing.TB, sp *store.SearchPath, gensDir string, members ...*store.Entry) *profile.Generation {
	t.Helper()
	var ms []profile.Member
	for _, e := range members {
		ms = append(ms, profile.NewMember(e.Name, store.Ref{ID: e.ID, Name: e.Name, Version: e.Version}))
	}
	g, err := profile.Realize(sp, gensDir, ms)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// build builds the image of g with its §4.4 environment and writes it as
// a layout at out, with a cache at cacheDir.
func build(t testing.TB, cacheDir string, g *profile.Generation, opts Options, out string) *Image {
	t.Helper()
	b, err := NewBuilder(cacheDir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	im, err := b.Build(context.Background(), Spec{Generation: g, Env: profile.Environ(g, nil)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if out != "" {
		if err := im.WriteLayout(context.Background(), out, "latest"); err != nil {
			t.Fatal(err)
		}
	}
	return im
}

// readJSON reads the blob d of the layout at dir into v.
func readJSON(t testing.TB, dir string, d ocispec.Descriptor, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", d.Digest.Encoded()))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

// layout reads the image of the layout at dir: its manifest and config.
func layout(t testing.TB, dir string) (ocispec.Manifest, ocispec.Image) {
	t.Helper()
	var idx ocispec.Index
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &idx); err != nil || len(idx.Manifests) != 1 {
		t.Fatalf("index.json: %v, %d manifests", err, len(idx.Manifests))
	}
	var man ocispec.Manifest
	readJSON(t, dir, idx.Manifests[0], &man)
	var cfg ocispec.Image
	readJSON(t, dir, man.Config, &cfg)
	return man, cfg
}

// readLayer calls member with each member of the layer d of the layout
// at dir, in order.
func readLayer(t testing.TB, dir string, d ocispec.Descriptor, member func(*tar.Header, io.Reader)) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "blobs", "sha256", d.Digest.Encoded()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		member(hdr, tr)
	}
}

// members lists the members of the layer d of the layout at dir, with
// the content of regular files.
func members(t testing.TB, dir string, d ocispec.Descriptor) map[string]string {
	t.Helper()
	out := map[string]string{}
	readLayer(t, dir, d, func(hdr *tar.Header, r io.Reader) {
		if _, dup := out[hdr.Name]; dup {
			t.Errorf("layer %s holds %s twice (podman refuses that)", d.Digest, hdr.Name)
		}
		switch hdr.Typeflag {
		case tar.TypeReg:
			data, _ := io.ReadAll(r)
			out[hdr.Name] = string(data)
		case tar.TypeSymlink:
			out[hdr.Name] = "-> " + hdr.Linkname
		default:
			out[hdr.Name] = ""
		}
	})
	return out
}
