package cache

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// LayerMediaType is the media type of the layers a cache holds: a tar
// compressed with zstd at its fastest level, which compresses and
// decompresses several times faster than gzip (OCI runtimes read it since
// image-spec 1.1).
const LayerMediaType = ocispec.MediaTypeImageLayerZstd

// Compression is how a LayerWriter compresses its tar, at the fastest
// level of each.
type Compression int

const (
	// Zstd is what caches hold (LayerMediaType).
	Zstd Compression = iota
	// Gzip is what every image tool and container runtime reads, old
	// ones included.
	Gzip
)

// MediaType is the OCI media type of a layer compressed with c.
func (c Compression) MediaType() string {
	if c == Gzip {
		return ocispec.MediaTypeImageLayerGzip
	}
	return LayerMediaType
}

// Layer describes a layer blob once written.
type Layer struct {
	MediaType string
	Digest    digest.Digest // of the compressed blob
	Size      int64         // of the compressed blob
	DiffID    digest.Digest // of the uncompressed tar (an image config's rootfs.diff_ids)
	TarSize   int64         // of the uncompressed tar
}

// Descriptor is the layer as a manifest lists it.
func (l Layer) Descriptor() ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: l.MediaType, Digest: l.Digest, Size: l.Size}
}

// LayerWriter writes a deterministic layer: the same trees added the same
// way give the same bytes, and so the same digests, on any machine.
// Members come in the order added, each tree's in sorted order; their
// times are the epoch, their owners root (0, without names), their modes
// 0755 for directories and executable files, 0644 for other files, 0777
// for symlinks. Only directories, regular files and symlinks are written
// (a hard link is written as a file); anything else is an error. It
// reads, compresses and writes at the same time, in goroutines that end
// with Close or Checkpoint, which must be called after an error too.
type LayerWriter struct {
	c  Compression
	tw *tar.Writer
	zw io.WriteCloser
	// in passes the tar to the compressor, out the compressed bytes to
	// the destination, each from a goroutine of its own.
	in, out *asyncWriter
	blob    hash.Hash // sha256 of the compressed blob
	diff    hash.Hash // sha256 of the tar
	blobN   counter
	diffN   counter
	buf     []byte
	find    []byte
	skip    func(name string) bool
	found   bool
	closed  bool
	modTime time.Time
}

// counter counts the bytes written through it.
type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

// NewLayerWriter starts a layer of a cache (zstd) written to w.
func NewLayerWriter(w io.Writer) (*LayerWriter, error) {
	return NewCompressedLayerWriter(w, Zstd)
}

// NewCompressedLayerWriter starts a layer compressed with c written to w.
func NewCompressedLayerWriter(w io.Writer, c Compression) (*LayerWriter, error) {
	return resume(w, Checkpoint{Compression: c}, sha256.New(), sha256.New())
}

// Checkpoint is where a layer stopped being written: the compression, the
// state of the digests of its compressed and uncompressed bytes, and the
// number of each.
type Checkpoint struct {
	Compression Compression
	BlobState   []byte
	DiffState   []byte
	Size        int64
	TarSize     int64
}

// Checkpoint ends the compressed stream written so far without ending
// the tar, and returns the layer's state: ResumeLayerWriter continues the
// layer from it, its bytes following those written so far. Compressed
// streams one after the other are one stream to gzip and zstd readers,
// so a layer can be written in pieces, each kept apart and reused with
// the same pieces before it. The writer takes nothing more.
func (lw *LayerWriter) Checkpoint() (Checkpoint, error) {
	if lw.closed {
		return Checkpoint{}, errLayerClosed
	}
	lw.closed = true
	if err := lw.finish(lw.tw.Flush()); err != nil {
		return Checkpoint{}, err
	}
	bs, err := lw.blob.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return Checkpoint{}, err
	}
	ds, err := lw.diff.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return Checkpoint{}, err
	}
	return Checkpoint{Compression: lw.c, BlobState: bs, DiffState: ds, Size: int64(lw.blobN), TarSize: int64(lw.diffN)}, nil
}

// ResumeLayerWriter continues, writing to w, the layer that stopped at cp.
func ResumeLayerWriter(w io.Writer, cp Checkpoint) (*LayerWriter, error) {
	blob, diff := sha256.New(), sha256.New()
	if err := blob.(encoding.BinaryUnmarshaler).UnmarshalBinary(cp.BlobState); err != nil {
		return nil, fmt.Errorf("layer checkpoint: %w", err)
	}
	if err := diff.(encoding.BinaryUnmarshaler).UnmarshalBinary(cp.DiffState); err != nil {
		return nil, fmt.Errorf("layer checkpoint: %w", err)
	}
	return resume(w, cp, blob, diff)
}

func resume(w io.Writer, cp Checkpoint, blob, diff hash.Hash) (*LayerWriter, error) {
	lw := &LayerWriter{
		c:       cp.Compression,
		blob:    blob,
		diff:    diff,
		blobN:   counter(cp.Size),
		diffN:   counter(cp.TarSize),
		buf:     make([]byte, 256<<10),
		modTime: time.Unix(0, 0),
	}
	lw.out = newAsyncWriter(io.MultiWriter(w, lw.blob, &lw.blobN))
	out := io.Writer(lw.out)
	switch cp.Compression {
	case Zstd:
		// The encoder's output does not depend on its concurrency: blocks
		// are compressed in order, only the writing overlaps.
		zw, err := zstd.NewWriter(out, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(2))
		if err != nil {
			return nil, err
		}
		lw.zw = zw
	case Gzip:
		// No name and no time in the header: the same bytes anywhere.
		zw, err := gzip.NewWriterLevel(out, gzip.BestSpeed)
		if err != nil {
			return nil, err
		}
		lw.zw = zw
	default:
		return nil, fmt.Errorf("unknown layer compression %d", cp.Compression)
	}
	lw.in = newAsyncWriter(lw.zw)
	lw.tw = tar.NewWriter(io.MultiWriter(lw.in, lw.diff, &lw.diffN))
	return lw, nil
}

// Find makes the writer look for b in the contents of the files and the
// targets of the symlinks it writes; Found says whether it was seen.
func (lw *LayerWriter) Find(b []byte) { lw.find = b }

// Skip makes AddTree leave out the members (and what a directory holds)
// whose names skip returns true for.
func (lw *LayerWriter) Skip(skip func(name string) bool) { lw.skip = skip }

// Found says whether the bytes given to Find were seen.
func (lw *LayerWriter) Found() bool { return lw.found }

// errLayerClosed is writing to a layer closed or checkpointed.
var errLayerClosed = errors.New("layer closed already")

// AddDir writes a directory member name (relative, "/"-separated).
func (lw *LayerWriter) AddDir(name string) error {
	if lw.closed {
		return errLayerClosed
	}
	return lw.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755, ModTime: lw.modTime})
}

// AddFile writes a regular file member name holding data.
func (lw *LayerWriter) AddFile(name string, data []byte, executable bool) error {
	if lw.closed {
		return errLayerClosed
	}
	mode := int64(0o644)
	if executable {
		mode = 0o755
	}
	if err := lw.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(data)), Mode: mode, ModTime: lw.modTime}); err != nil {
		return err
	}
	lw.look(data, nil)
	_, err := lw.tw.Write(data)
	return err
}

// AddTree writes the tree at dir, its members named under prefix (a
// relative "/"-separated path; "" puts them at the root, and writes no
// member for dir itself).
func (lw *LayerWriter) AddTree(ctx context.Context, dir, prefix string) error {
	if prefix != "" {
		if err := lw.AddDir(prefix); err != nil {
			return err
		}
	}
	return lw.AddContents(ctx, dir, prefix)
}

// AddContents writes what the directory dir holds as AddTree does, but
// no member for prefix itself.
func (lw *LayerWriter) AddContents(ctx context.Context, dir, prefix string) error {
	if lw.closed {
		return errLayerClosed
	}
	return lw.addDir(ctx, dir, prefix)
}

func (lw *LayerWriter) addDir(ctx context.Context, dir, prefix string) error {
	des, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return err
	}
	for _, de := range des {
		if err := ctx.Err(); err != nil {
			return err
		}
		src := filepath.Join(dir, de.Name())
		name := path.Join(prefix, de.Name())
		if lw.skip != nil && lw.skip(name) {
			continue
		}
		switch typ := de.Type(); {
		case typ.IsDir():
			if err := lw.AddDir(name); err != nil {
				return err
			}
			if err := lw.addDir(ctx, src, name); err != nil {
				return err
			}
		case typ&os.ModeSymlink != 0:
			target, err := os.Readlink(src)
			if err != nil {
				return err
			}
			lw.look([]byte(target), nil)
			if err := lw.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: lw.modTime}); err != nil {
				return err
			}
		case typ.IsRegular():
			if err := lw.addFile(src, name); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: %s files cannot be in a layer", src, typ.Type())
		}
	}
	return nil
}

func (lw *LayerWriter) addFile(src, name string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: changed while being written", src)
	}
	mode := int64(0o644)
	if fi.Mode()&0o111 != 0 {
		mode = 0o755
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: fi.Size(), Mode: mode, ModTime: lw.modTime}
	if err := lw.tw.WriteHeader(hdr); err != nil {
		return err
	}
	var tail []byte
	for left := fi.Size(); left > 0; {
		n, err := f.Read(lw.buf[:min(int64(len(lw.buf)), left)])
		if n > 0 {
			tail = lw.look(lw.buf[:n], tail)
			if _, werr := lw.tw.Write(lw.buf[:n]); werr != nil {
				return werr
			}
			left -= int64(n)
		}
		if err == io.EOF && left > 0 {
			return fmt.Errorf("%s: changed while being written", src)
		}
		if err != nil && err != io.EOF {
			return err
		}
	}
	return nil
}

// look searches p, continuing a stream whose last bytes were tail, for
// the bytes given to Find, and returns the new tail.
func (lw *LayerWriter) look(p, tail []byte) []byte {
	if len(lw.find) == 0 || lw.found {
		return nil
	}
	keep := len(lw.find) - 1
	if len(tail) > 0 {
		joint := append(tail, p[:min(len(p), keep)]...)
		if bytes.Contains(joint, lw.find) {
			lw.found = true
			return nil
		}
	}
	if bytes.Contains(p, lw.find) {
		lw.found = true
		return nil
	}
	if len(p) >= keep {
		return append(tail[:0], p[len(p)-keep:]...)
	}
	tail = append(tail, p...)
	return tail[max(0, len(tail)-keep):]
}

// finish ends the compressed stream once the tar has ended (or
// failed with err) and waits for every goroutine of the writer.
func (lw *LayerWriter) finish(err error) error {
	for _, c := range []io.Closer{lw.in, lw.zw, lw.out} {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Close ends the tar and the compressed stream and returns the layer's
// digests and sizes. It does not close the underlying writer.
func (lw *LayerWriter) Close() (Layer, error) {
	if lw.closed {
		return Layer{}, errLayerClosed
	}
	lw.closed = true
	if err := lw.finish(lw.tw.Close()); err != nil {
		return Layer{}, err
	}
	return Layer{MediaType: lw.c.MediaType(), Digest: digest.NewDigest(digest.SHA256, lw.blob), Size: int64(lw.blobN),
		DiffID: digest.NewDigest(digest.SHA256, lw.diff), TarSize: int64(lw.diffN)}, nil
}
