package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/oci"
	"oras.land/oras-go/v2/errdef"

	"github.com/noxenv/noxenv/cache"
)

// Base is an image whose layers go below the closure's, with the
// configuration an image built on it starts from.
type Base struct {
	name   string
	config ocispec.Image
	layers []layerBlob
}

// Env returns the base image's environment.
func (b *Base) Env() map[string]string {
	env := map[string]string{}
	for _, kv := range b.config.Config.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}

// Layers is the number of the base's layers.
func (b *Base) Layers() int { return len(b.layers) }

// The media types of docker's manifests and layers, which read as OCI's.
const (
	dockerManifest     = "application/vnd.docker.distribution.manifest.v2+json"
	dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	dockerLayerGzip    = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	dockerLayer        = "application/vnd.docker.image.rootfs.diff.tar"
)

// maxJSON bounds what is read of a manifest, index or config.
const maxJSON = 8 << 20

// OpenBase reads the base image ref: an OCI image layout directory (DIR,
// or DIR:TAG), a docker-archive tarball (docker save's, either form), or
// a registry reference (see ParseReference), read with the credentials
// of the docker configuration file dockerConfig. Its layers are copied
// into the builder's cache.
func (b *Builder) OpenBase(ctx context.Context, ref, dockerConfig string) (*Base, error) {
	base, err := b.openBase(ctx, ref, dockerConfig)
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", ref, err)
	}
	base.name = ref
	if len(base.config.RootFS.DiffIDs) != len(base.layers) {
		return nil, fmt.Errorf("base image %s: %d layers and %d diff ids in its config", ref, len(base.layers), len(base.config.RootFS.DiffIDs))
	}
	for i := range base.layers {
		base.layers[i].diffID = base.config.RootFS.DiffIDs[i]
	}
	// Tools check that the history has an entry for each layer.
	full := 0
	for _, h := range base.config.History {
		if !h.EmptyLayer {
			full++
		}
	}
	if full != len(base.layers) {
		base.config.History = nil
		for range base.layers {
			base.config.History = append(base.config.History, ocispec.History{CreatedBy: "base image " + ref})
		}
	}
	return base, nil
}

func (b *Builder) openBase(ctx context.Context, ref, dockerConfig string) (*Base, error) {
	if fi, err := os.Stat(ref); err == nil {
		if fi.IsDir() {
			return b.openLayout(ctx, ref, "")
		}
		return b.openArchive(ctx, ref)
	} else if strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, ".") {
		if dir, tag, ok := strings.Cut(ref, ":"); ok {
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
				return b.openLayout(ctx, dir, tag)
			}
		}
		return nil, err
	}
	if i := strings.LastIndex(ref, ":"); i > 0 {
		if fi, err := os.Stat(ref[:i]); err == nil && fi.IsDir() {
			return b.openLayout(ctx, ref[:i], ref[i+1:])
		}
	}
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	if r.Tag == "" && r.Digest == "" {
		r.Tag = "latest"
	}
	repo, err := cache.NewRepository(r.Repo(), r.PlainHTTP, dockerConfig)
	if err == nil {
		name := r.Digest
		if name == "" {
			name = r.Tag
		}
		var base *Base
		if base, err = b.fromTarget(ctx, repo, name); err == nil {
			return base, nil
		}
	}
	return nil, &RegistryError{Ref: r, Err: err}
}

// openLayout reads the image tag (or the only image) of the OCI image
// layout at dir.
func (b *Builder) openLayout(ctx context.Context, dir, tag string) (*Base, error) {
	s, err := oci.NewFromFS(ctx, os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	return b.fromStore(ctx, s, tag)
}

// fromStore reads the image tag of an OCI layout, or its only tagged one.
func (b *Builder) fromStore(ctx context.Context, s *oci.ReadOnlyStore, tag string) (*Base, error) {
	var tags []string
	if err := s.Tags(ctx, "", func(t []string) error { tags = append(tags, t...); return nil }); err != nil {
		return nil, err
	}
	switch {
	case tag == "" && len(tags) != 1:
		return nil, fmt.Errorf("holds %d tagged images, not one: name one as DIR:TAG (tags: %s)", len(tags), strings.Join(tags, " "))
	case tag == "":
		tag = tags[0]
	case !slices.Contains(tags, tag):
		return nil, fmt.Errorf("no image tagged %s (tags: %s)", tag, strings.Join(tags, " "))
	}
	return b.fromTarget(ctx, s, tag)
}

// fromTarget reads the image ref of src, this platform's of an index.
func (b *Builder) fromTarget(ctx context.Context, src oras.ReadOnlyTarget, ref string) (*Base, error) {
	desc, err := src.Resolve(ctx, ref)
	if errors.Is(err, errdef.ErrNotFound) {
		return nil, errdef.ErrNotFound // without ref, which the caller names
	}
	if err != nil {
		return nil, err
	}
	data, err := fetchJSON(ctx, src, desc)
	if err != nil {
		return nil, err
	}
	if desc.MediaType == ocispec.MediaTypeImageIndex || desc.MediaType == dockerManifestList {
		if desc, err = pickPlatform(data); err != nil {
			return nil, err
		}
		if data, err = fetchJSON(ctx, src, desc); err != nil {
			return nil, err
		}
	}
	if desc.MediaType != ocispec.MediaTypeImageManifest && desc.MediaType != dockerManifest {
		return nil, fmt.Errorf("%s is a %s, not an image manifest", ref, desc.MediaType)
	}
	var man ocispec.Manifest
	if err := json.Unmarshal(data, &man); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	cfgData, err := fetchJSON(ctx, src, man.Config)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	base := &Base{}
	if err := json.Unmarshal(cfgData, &base.config); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	for _, l := range man.Layers {
		l.MediaType, err = layerMediaType(l.MediaType)
		if err != nil {
			return nil, err
		}
		file, err := b.cache.fetch(l.Digest, l.Size, func() (io.ReadCloser, error) { return src.Fetch(ctx, l) })
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.Digest, err)
		}
		base.layers = append(base.layers, layerBlob{desc: ocispec.Descriptor{MediaType: l.MediaType, Digest: l.Digest, Size: l.Size}, file: file, holds: "base"})
	}
	return base, nil
}

// fetchJSON reads the small blob d of src, checking its digest.
func fetchJSON(ctx context.Context, src content.Fetcher, d ocispec.Descriptor) ([]byte, error) {
	if d.Size > maxJSON {
		return nil, fmt.Errorf("%s: %d bytes is too large", d.Digest, d.Size)
	}
	return content.FetchAll(ctx, src, d)
}

// pickPlatform returns the manifest of an index for linux on this
// machine's architecture.
func pickPlatform(data []byte) (ocispec.Descriptor, error) {
	var idx ocispec.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("index: %w", err)
	}
	var have []string
	for _, m := range idx.Manifests {
		if p := m.Platform; p != nil {
			if p.OS == "linux" && p.Architecture == runtime.GOARCH {
				return m, nil
			}
			have = append(have, p.OS+"/"+p.Architecture)
		}
	}
	return ocispec.Descriptor{}, fmt.Errorf("no image for linux/%s (it has %s)", runtime.GOARCH, strings.Join(have, " "))
}

// layerMediaType returns the OCI media type of a layer of type t.
func layerMediaType(t string) (string, error) {
	switch t {
	case ocispec.MediaTypeImageLayer, ocispec.MediaTypeImageLayerGzip, ocispec.MediaTypeImageLayerZstd:
		return t, nil
	case dockerLayerGzip:
		return ocispec.MediaTypeImageLayerGzip, nil
	case dockerLayer:
		return ocispec.MediaTypeImageLayer, nil
	}
	return "", fmt.Errorf("layers of type %s are not supported", t)
}

// dockerArchiveManifest is an image of the manifest.json of a
// docker-archive (which no OCI library describes).
type dockerArchiveManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// openArchive reads a docker-archive tarball: the OCI layout that newer
// docker save writes beside manifest.json, else manifest.json's image.
func (b *Builder) openArchive(ctx context.Context, file string) (*Base, error) {
	members, err := archiveMembers(file)
	if err != nil {
		return nil, err
	}
	if members["index.json"] && members["oci-layout"] {
		s, err := oci.NewFromTar(ctx, file)
		if err != nil {
			return nil, err
		}
		return b.fromStore(ctx, s, "")
	}
	if !members["manifest.json"] {
		return nil, errors.New("not a docker-archive: no manifest.json")
	}
	var mans []dockerArchiveManifest
	if err := readMember(file, "manifest.json", func(r io.Reader) error {
		return json.NewDecoder(io.LimitReader(r, maxJSON)).Decode(&mans)
	}); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if len(mans) != 1 {
		return nil, fmt.Errorf("manifest.json lists %d images, not one", len(mans))
	}
	base := &Base{}
	if err := readMember(file, mans[0].Config, func(r io.Reader) error {
		return json.NewDecoder(io.LimitReader(r, maxJSON)).Decode(&base.config)
	}); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	for _, name := range mans[0].Layers {
		var l layerBlob
		err := readMember(file, name, func(r io.Reader) error {
			br := bufio.NewReader(r)
			magic, _ := br.Peek(4)
			l.desc.MediaType = ocispec.MediaTypeImageLayer
			switch {
			case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
				l.desc.MediaType = ocispec.MediaTypeImageLayerGzip
			case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
				l.desc.MediaType = ocispec.MediaTypeImageLayerZstd
			}
			var err error
			l.file, l.desc.Digest, l.desc.Size, err = b.cache.store(br)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", name, err)
		}
		l.holds = "base"
		base.layers = append(base.layers, l)
	}
	return base, nil
}

// archiveMembers returns the names of the members of the tar file.
func archiveMembers(file string) (map[string]bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names := map[string]bool{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return names, nil
		}
		if err != nil {
			return nil, fmt.Errorf("not a docker-archive: %w", err)
		}
		names[path.Clean(hdr.Name)] = true
	}
}

// readMember calls read with the content of the member name of the tar
// file.
func readMember(file, name string, read func(io.Reader) error) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("no member %s", name)
		}
		if err != nil {
			return err
		}
		if path.Clean(hdr.Name) == path.Clean(name) && hdr.Typeflag == tar.TypeReg {
			return read(tr)
		}
	}
}

// fetch returns the cache's file of the blob d of size bytes, read with
// open unless the cache has it.
func (c *layerCache) fetch(d digest.Digest, size int64, open func() (io.ReadCloser, error)) (string, error) {
	if err := d.Validate(); err != nil || d.Algorithm() != digest.SHA256 {
		return "", fmt.Errorf("digest %q: not a sha256 digest", d)
	}
	if fi, err := os.Stat(c.blobPath(d)); err == nil && fi.Size() == size {
		touch(c.blobPath(d))
		return c.blobPath(d), nil
	}
	rc, err := open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	file, got, n, err := c.store(io.LimitReader(rc, size+1))
	if err != nil {
		return "", err
	}
	if got != d || n != size {
		os.Remove(file)
		return "", fmt.Errorf("received %d bytes of digest %s, want %d of %s", n, got, size, d)
	}
	return file, nil
}

// store adds the blob read from r to the cache.
func (c *layerCache) store(r io.Reader) (file string, d digest.Digest, n int64, err error) {
	f, err := c.newBlob()
	if err != nil {
		return "", "", 0, err
	}
	h := sha256.New()
	n, err = io.Copy(io.MultiWriter(f, h), r)
	if err != nil {
		dropBlob(f)
		return "", "", 0, err
	}
	d = digest.NewDigest(digest.SHA256, h)
	if err := c.addBlob(f, d); err != nil {
		return "", "", 0, err
	}
	return c.blobPath(d), d, n, nil
}
