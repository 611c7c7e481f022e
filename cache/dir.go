package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// dirCache is a cache in a directory: local, on NFS, or synced to an
// object store. Its layout is what a static web server serves as it is:
//
//	DIR/entries/KEY.json   the manifest of the entry whose id's hash part is KEY
//	DIR/blobs/sha256/HEX   blobs (layers and configs) by digest
//	DIR/tmp/               files being written
//
// Every file is written in tmp/ and renamed into place, so that a reader
// never sees half a file, and no file is shared by two entries but
// content-addressed blobs, which any pusher writes with the same bytes:
// pushers need no lock and lose nothing. What a push killed on the way
// left in tmp/ is removed by a later push once it is staleAfter old.
type dirCache struct {
	dir string
	url string
}

func (c *dirCache) String() string { return c.url }

const (
	dirEntries = "entries"
	dirBlobs   = "blobs"
	dirTmp     = "tmp"
	// staleAfter is the age of a file in tmp/ that no push is writing
	// any more: a push writes each file without a pause.
	staleAfter = 24 * time.Hour
	// manifestSuffix ends the file name of a manifest.
	manifestSuffix = ".json"
)

func (c *dirCache) manifestPath(key string) string {
	return filepath.Join(c.dir, dirEntries, key+manifestSuffix)
}

func (c *dirCache) blobPath(d ocispec.Descriptor) string {
	return filepath.Join(c.dir, dirBlobs, string(d.Digest.Algorithm()), d.Digest.Encoded())
}

func (c *dirCache) manifest(_ context.Context, key string) ([]byte, error) {
	f, err := os.Open(c.manifestPath(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no manifest %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxManifestSize+1))
}

func (c *dirCache) keys(context.Context) ([]string, error) {
	des, err := os.ReadDir(filepath.Join(c.dir, dirEntries))
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(c.dir); errors.Is(err, fs.ErrNotExist) {
			return nil, &noCacheError{what: "no directory " + c.dir}
		} else if err != nil {
			return nil, err
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, de := range des {
		if key, ok := strings.CutSuffix(de.Name(), manifestSuffix); ok && validKey(key) {
			keys = append(keys, key)
		}
	}
	return keys, nil
}

// validKey reports whether key can be an entry's Key.
func validKey(key string) bool {
	if len(key) != 32 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; (c < '0' || c > '9') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

func (c *dirCache) blob(_ context.Context, d ocispec.Descriptor) (io.ReadCloser, error) {
	f, err := os.Open(c.blobPath(d))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", d.Digest, ErrNotFound)
	}
	return f, err
}

// prepare makes the cache's directory and removes what pushes killed
// on the way left.
func (c *dirCache) prepare(context.Context) error {
	tmp := filepath.Join(c.dir, dirTmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	des, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	for _, de := range des {
		if fi, err := de.Info(); err == nil && time.Since(fi.ModTime()) > staleAfter {
			os.Remove(filepath.Join(tmp, de.Name())) // another push's sweep may be first
		}
	}
	return nil
}

func (c *dirCache) hasBlob(_ context.Context, d ocispec.Descriptor) (bool, error) {
	fi, err := os.Stat(c.blobPath(d))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil && fi.Size() == d.Size, err
}

func (c *dirCache) createBlob() (*os.File, error) {
	return os.CreateTemp(filepath.Join(c.dir, dirTmp), "blob-")
}

func (c *dirCache) putBlob(_ context.Context, d ocispec.Descriptor, f *os.File) error {
	defer os.Remove(f.Name()) // gone once renamed
	return publishFile(f, c.blobPath(d))
}

func (c *dirCache) putManifest(_ context.Context, key string, data []byte) error {
	f, err := os.CreateTemp(filepath.Join(c.dir, dirTmp), "manifest-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return publishFile(f, c.manifestPath(key))
}

// publishFile closes f, makes it readable by all (a web server, other
// users) and renames it to path, making path's directory if need be.
func publishFile(f *os.File, path string) error {
	err := f.Chmod(0o644)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.MkdirAll(filepath.Dir(path), 0o755)
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
