package image

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/noxenv/noxenv/cache"
	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

// layerBlob is a layer of an image and the file holding its bytes.
type layerBlob struct {
	desc    ocispec.Descriptor
	diffID  digest.Digest
	tarSize int64 // of the uncompressed tar; 0 when unknown
	file    string
	// holds says what the layer holds, for the config's history.
	holds string
}

func blobOf(l cache.Layer, file, holds string) layerBlob {
	return layerBlob{desc: l.Descriptor(), diffID: l.DiffID, tarSize: l.TarSize, file: file, holds: holds}
}

// memberName is the name in a layer of the absolute path p.
func memberName(p string) string { return strings.TrimPrefix(path.Clean(p), "/") }

// addEntry writes e's tree at its path, and the directories above it that
// dirs does not hold yet, adding them to dirs.
func addEntry(ctx context.Context, lw *cache.LayerWriter, e *store.Entry, dirs map[string]bool) error {
	name := memberName(e.Path)
	if err := addParents(lw, name, dirs); err != nil {
		return err
	}
	if err := lw.AddTree(ctx, e.Path, name); err != nil {
		return fmt.Errorf("entry %s: %w", e.ID, err)
	}
	return nil
}

// dirWriter writes directory members.
type dirWriter interface{ AddDir(name string) error }

// addParents writes the directories above the member name that dirs does
// not hold, adding them to dirs.
func addParents(lw dirWriter, name string, dirs map[string]bool) error {
	for i := 0; i < len(name); i++ {
		if name[i] != '/' || dirs[name[:i]] {
			continue
		}
		dirs[name[:i]] = true
		if err := lw.AddDir(name[:i]); err != nil {
			return err
		}
	}
	return nil
}

// entryKey is what the layer of e alone is cached under.
func entryKey(e *store.Entry) string { return key("entry", e.ID, e.Path) }

// entryLayer returns the layer of e alone, from the cache unless e is a
// plain entry or not there yet.
func entryLayer(ctx context.Context, c *layerCache, e *store.Entry) (layerBlob, error) {
	k := entryKey(e)
	if !e.Plain() {
		if r, ok := c.get(k); ok {
			return blobOf(*r.Layer, c.blobPath(r.Layer.Digest), e.ID), nil
		}
	}
	f, err := c.newBlob()
	if err != nil {
		return layerBlob{}, err
	}
	lw, err := cache.NewCompressedLayerWriter(f, cache.Gzip)
	var l cache.Layer
	if err == nil {
		err = addEntry(ctx, lw, e, map[string]bool{})
		var cerr error
		if l, cerr = lw.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = c.addBlob(f, l.Digest)
	} else {
		dropBlob(f)
	}
	if err == nil && !e.Plain() {
		err = c.put(k, record{Layer: &l})
	}
	if err != nil {
		return layerBlob{}, err
	}
	return blobOf(l, c.blobPath(l.Digest), e.ID), nil
}

// lastLayer returns the last layer: the entries shared (in order), then
// the profile's tree. Each shared entry is a piece cached under the chain
// of the entries up to it; only the tree, and the entries from the first
// not cached on, are read.
func lastLayer(ctx context.Context, c *layerCache, shared []*store.Entry, tree profileTree) (layerBlob, error) {
	var (
		pieces []string // the files of the pieces so far
		cp     *cache.Checkpoint
		chain  = key("last")
		cached = true
		dirs   = map[string]bool{}
	)
	for _, e := range shared {
		chain = key(chain, e.ID, e.Path)
		cached = cached && !e.Plain()
		if cached {
			if r, ok := c.get(chain); ok && r.Checkpoint != nil {
				pieces = append(pieces, c.blobPath(r.Piece))
				cp = r.Checkpoint
				addParents(nopLayer{}, memberName(e.Path), dirs)
				continue
			}
		}
		r, err := writePiece(ctx, c, cp, e, dirs)
		if err != nil {
			return layerBlob{}, err
		}
		if cached {
			if err := c.put(chain, r); err != nil {
				return layerBlob{}, err
			}
		}
		pieces = append(pieces, c.blobPath(r.Piece))
		cp = r.Checkpoint
	}

	f, err := c.newBlob()
	if err != nil {
		return layerBlob{}, err
	}
	l, err := finishLast(ctx, f, pieces, cp, tree, dirs)
	if err == nil {
		err = c.addBlob(f, l.Digest)
	} else {
		dropBlob(f)
	}
	if err != nil {
		return layerBlob{}, err
	}
	holds := "the profile"
	if len(shared) > 0 {
		ids := make([]string, len(shared))
		for i, e := range shared {
			ids[i] = e.ID
		}
		holds = strings.Join(ids, " ") + " and the profile"
	}
	return blobOf(l, c.blobPath(l.Digest), holds), nil
}

// nopLayer stands for a layer whose directories were written already.
type nopLayer struct{}

func (nopLayer) AddDir(string) error { return nil }

// writePiece writes e as the piece of the last layer after cp (nil: the
// first piece), into a blob of c.
func writePiece(ctx context.Context, c *layerCache, cp *cache.Checkpoint, e *store.Entry, dirs map[string]bool) (record, error) {
	f, err := c.newBlob()
	if err != nil {
		return record{}, err
	}
	h := sha256.New()
	var n counter
	w := io.MultiWriter(f, h, &n)
	var lw *cache.LayerWriter
	if cp == nil {
		lw, err = cache.NewCompressedLayerWriter(w, cache.Gzip)
	} else {
		lw, err = cache.ResumeLayerWriter(w, *cp)
	}
	var next cache.Checkpoint
	if err == nil {
		err = addEntry(ctx, lw, e, dirs)
		var cerr error
		if next, cerr = lw.Checkpoint(); err == nil {
			err = cerr
		}
	}
	d := digest.NewDigest(digest.SHA256, h)
	if err == nil {
		err = c.addBlob(f, d)
	} else {
		dropBlob(f)
	}
	return record{Piece: d, PieceSize: int64(n), Checkpoint: &next}, err
}

// counter counts the bytes written through it.
type counter int64

func (n *counter) Write(p []byte) (int, error) { *n += counter(len(p)); return len(p), nil }

// finishLast writes into f the pieces, then the layer continued from cp
// with the profile's tree.
func finishLast(ctx context.Context, f *os.File, pieces []string, cp *cache.Checkpoint, tree profileTree, dirs map[string]bool) (cache.Layer, error) {
	for _, p := range pieces {
		if err := appendFile(f, p); err != nil {
			return cache.Layer{}, err
		}
	}
	var lw *cache.LayerWriter
	var err error
	if cp == nil {
		lw, err = cache.NewCompressedLayerWriter(f, cache.Gzip)
	} else {
		lw, err = cache.ResumeLayerWriter(f, *cp)
	}
	if err != nil {
		return cache.Layer{}, err
	}
	err = tree.write(ctx, lw, dirs)
	l, cerr := lw.Close()
	if err == nil {
		err = cerr
	}
	return l, err
}

// profileTree is what the last layer ends with: the generation's tree at
// ProfileDir with its metadata. Over a base image, it hides whatever the
// base has there.
type profileTree struct {
	gen    *profile.Generation
	opaque bool
}

func (t profileTree) write(ctx context.Context, lw *cache.LayerWriter, dirs map[string]bool) error {
	meta, err := metadata(t.gen)
	if err != nil {
		return err
	}
	name := memberName(ProfileDir)
	manifest := name + "/" + profile.ManifestFile
	lw.Skip(func(n string) bool { return n == manifest })
	err = addParents(lw, name, dirs)
	if err == nil {
		err = lw.AddDir(name)
	}
	if err == nil && t.opaque {
		// Before what the directory holds, as the image spec asks.
		err = lw.AddFile(name+"/.wh..wh..opq", nil, false)
	}
	if err == nil {
		err = lw.AddContents(ctx, t.gen.Dir, name)
	}
	if err == nil {
		err = lw.AddFile(manifest, meta, false)
	}
	if err != nil {
		return fmt.Errorf("generation %s: %w", t.gen.Dir, err)
	}
	return nil
}

// appendFile copies the file p to the end of f.
func appendFile(f *os.File, p string) error {
	in, err := os.Open(p)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(f, in)
	return err
}

// metadata is the generation's manifest as the image holds it: the same
// for the same members and closure, however the members were asked for.
func metadata(gen *profile.Generation) ([]byte, error) {
	m, err := profile.LoadManifest(gen.Dir)
	if err != nil {
		return nil, err
	}
	for i := range m.Members {
		m.Members[i].Request = m.Members[i].Name
	}
	data, err := json.Marshal(m)
	return append(data, '\n'), err
}
