package image

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
)

// A base's layer that a build uses again is kept by pruning as long as
// a layer the build wrote: what goes is what no build used for a while.
func TestPruneKeepsUsedBaseLayers(t *testing.T) {
	c, err := openLayerCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	data := []byte("a base's layer")
	d := digest.FromBytes(data)
	fetches := 0
	open := func() (io.ReadCloser, error) {
		fetches++
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	file, err := c.fetch(d, int64(len(data)), open)
	if err != nil {
		t.Fatal(err)
	}
	month := time.Now().Add(-31 * 24 * time.Hour)
	if err := os.Chtimes(file, month, month); err != nil {
		t.Fatal(err)
	}
	if _, err := c.fetch(d, int64(len(data)), open); err != nil || fetches != 1 {
		t.Fatalf("fetched %d times, %v", fetches, err)
	}
	c.prune(time.Now().Add(-unusedFor))
	if _, err := os.Stat(filepath.Join(c.dir, "blobs", "sha256", d.Encoded())); err != nil {
		t.Errorf("a layer used again is pruned: %v", err)
	}
}
