package image

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"

	"github.com/noxenv/noxenv/cache"
)

// layerFormat names how layers are written: a change to it (compression,
// member order) must change every key.
const layerFormat = "noxenv image layer 1 gzip"

// unusedFor is how long a cached layer is kept without being used.
const unusedFor = 30 * 24 * time.Hour

// layerCache holds layers and pieces of layers by key, their bytes as
// blobs by digest: DIR/blobs/sha256/HEX and DIR/layers/KEY.json, each
// written aside and renamed. Builds hold DIR/lock shared; pruning what
// was not used for a while takes it exclusively, when no build runs.
type layerCache struct {
	dir  string
	lock *os.File
}

// record is what the cache keeps under a key: a whole layer, or a piece
// of one with the layer's checkpoint after it.
type record struct {
	Layer      *cache.Layer      `json:"layer,omitempty"`
	Piece      digest.Digest     `json:"piece,omitempty"`
	PieceSize  int64             `json:"pieceSize,omitempty"`
	Checkpoint *cache.Checkpoint `json:"checkpoint,omitempty"`
}

func openLayerCache(dir string) (*layerCache, error) {
	for _, d := range []string{filepath.Join(dir, "blobs", "sha256"), filepath.Join(dir, "layers")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("layer cache: %w", err)
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("layer cache: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != nil {
		f.Close()
		return nil, fmt.Errorf("layer cache %s: %w", dir, err)
	}
	return &layerCache{dir: dir, lock: f}, nil
}

// close ends the build's use of the cache, pruning it when no other
// build uses it.
func (c *layerCache) close() {
	defer c.lock.Close()
	if unix.Flock(int(c.lock.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
		c.prune(time.Now().Add(-unusedFor))
	}
}

// prune removes the records and blobs last used before then.
func (c *layerCache) prune(then time.Time) {
	for _, d := range []string{filepath.Join(c.dir, "layers"), filepath.Join(c.dir, "blobs", "sha256")} {
		des, _ := os.ReadDir(d)
		for _, de := range des {
			if fi, err := de.Info(); err == nil && fi.ModTime().Before(then) {
				os.Remove(filepath.Join(d, de.Name()))
			}
		}
	}
}

// key names what parts (entry ids and paths, chained keys) make.
func key(parts ...string) string {
	h := sha256.New()
	io.WriteString(h, layerFormat)
	for _, p := range parts {
		io.WriteString(h, "\x00"+p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *layerCache) blobPath(d digest.Digest) string {
	return filepath.Join(c.dir, "blobs", d.Algorithm().String(), d.Encoded())
}

func (c *layerCache) recordPath(k string) string {
	return filepath.Join(c.dir, "layers", k+".json")
}

// get returns the record under k when its blob is there whole, marking
// both used.
func (c *layerCache) get(k string) (*record, bool) {
	data, err := os.ReadFile(c.recordPath(k))
	if err != nil {
		return nil, false
	}
	var r record
	if json.Unmarshal(data, &r) != nil {
		return nil, false
	}
	blob, size := r.Piece, r.PieceSize
	if r.Layer != nil {
		blob, size = r.Layer.Digest, r.Layer.Size
	}
	if blob.Validate() != nil || (r.Layer == nil) == (r.Checkpoint == nil) {
		return nil, false
	}
	fi, err := os.Stat(c.blobPath(blob))
	if err != nil || fi.Size() != size {
		return nil, false
	}
	touch(c.recordPath(k))
	touch(c.blobPath(blob))
	return &r, true
}

// touch marks the file used now, which keeps it from pruning.
func touch(file string) {
	now := time.Now()
	os.Chtimes(file, now, now)
}

// put records r under k.
func (c *layerCache) put(k string, r record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return writeAside(c.recordPath(k), func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// newBlob returns a file to write a blob into, then give to addBlob.
func (c *layerCache) newBlob() (*os.File, error) {
	return os.CreateTemp(filepath.Join(c.dir, "blobs", "sha256"), ".tmp-")
}

// addBlob makes the file f, written whole, the blob d. It is not synced
// to disk (it is a cache): a file whose last writes a crash lost is
// shorter than recorded, which get checks.
func (c *layerCache) addBlob(f *os.File, d digest.Digest) error {
	err := f.Close()
	if err == nil {
		err = os.Chmod(f.Name(), 0o444)
	}
	if err == nil {
		err = os.Rename(f.Name(), c.blobPath(d))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// dropBlob removes a blob file that will not be added.
func dropBlob(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// writeAside writes path's content with write into a temporary file
// beside it, renamed into place once written.
func writeAside(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return cannotCreate(path, err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// cannotCreate is the error err of making the temporary file or
// directory that would have become path, said of path.
func cannotCreate(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: "create", Path: path, Err: pe.Err}
	}
	return err
}

// linkOrCopy makes dst a file with src's content: a hard link when they
// share a file system, else a copy (which the kernel may share).
func linkOrCopy(src, dst string) error {
	err := os.Link(src, dst)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeAside(dst, func(out *os.File) error {
		_, err := io.Copy(out, in)
		return err
	})
}
