package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/noxenv/noxenv/store"
)

// PushOptions are the choices of a push.
type PushOptions struct {
	// Key, when set, signs every entry pushed, and the entries the cache
	// has already without its signature.
	Key *SecretKey
	// Progress, when set, is called now and then, from one goroutine at
	// a time.
	Progress func(Progress)
}

// PushResult says what a push did, by entry id.
type PushResult struct {
	Pushed  []string // sent
	Signed  []string // in the cache already, signed now
	Present []string // in the cache already
	Bytes   int64    // of the layers written
}

// Push sends entries, a closure (every reference of each is among them),
// to c: each entry after its references, several at once, so that the
// cache holds complete closures whenever the push stops. An entry the
// cache has already is not sent again; a blob it has is not either.
func Push(ctx context.Context, c Cache, entries []*store.Entry, opts PushOptions) (*PushResult, error) {
	t, ok := c.(pushTarget)
	if !ok {
		return nil, &Error{Cache: c.String(), Err: errReadOnly}
	}
	byID := map[string]*store.Entry{}
	var ids []string
	for _, e := range entries {
		if e.Plain() {
			return nil, fmt.Errorf("entry %s of store %s has no metadata (a plain entry): it cannot be pushed", e.ID, e.Store.Dir)
		}
		if byID[e.ID] == nil {
			byID[e.ID] = e
			ids = append(ids, e.ID)
		}
	}
	if err := t.prepare(ctx); err != nil {
		return nil, &Error{Cache: c.String(), Err: err}
	}
	m := newMeter(len(ids), opts.Progress)
	defer m.over()
	res := &PushResult{}
	var mu sync.Mutex
	err := inOrder(ctx, ids, func(id string) []string { return byID[id].Info.References }, func(ctx context.Context, id string) error {
		what, err := pushEntry(ctx, t, byID[id], opts.Key, m)
		if err != nil {
			return &Error{Cache: c.String(), Entry: id, Err: err}
		}
		m.done.Add(1)
		mu.Lock()
		defer mu.Unlock()
		switch what {
		case pushed:
			res.Pushed = append(res.Pushed, id)
		case signed:
			res.Signed = append(res.Signed, id)
		default:
			res.Present = append(res.Present, id)
		}
		return nil
	})
	res.Bytes = m.bytes.Load()
	return res, err
}

// What pushEntry did.
const (
	present = iota
	signed
	pushed
)

// pushEntry sends e unless t has it, with key's signature when key is set.
func pushEntry(ctx context.Context, t pushTarget, e *store.Entry, key *SecretKey, m *meter) (int, error) {
	k := Key(e.ID)
	data, err := t.manifest(ctx, k)
	switch {
	case err == nil:
		have, perr := parseManifest(k, data)
		if perr != nil || have.ID != e.ID {
			break // a damaged manifest: push the entry again
		}
		if ok, err := intact(ctx, t, have, e); err != nil {
			return 0, err
		} else if !ok {
			break // a damaged copy: push the entry again
		}
		if key == nil || signedBy(e.ID, have.Signatures, []PublicKey{key.Public()}) != "" {
			return present, nil
		}
		have.Signatures = append(have.Signatures, key.sign(e.ID))
		return signed, t.putManifest(ctx, k, have.marshal(have.config))
	case !errors.Is(err, ErrNotFound):
		return 0, err
	}

	layer, relocates, err := putLayer(ctx, t, e, m)
	if err != nil {
		return 0, err
	}
	config, err := putBytes(ctx, t, ocispec.MediaTypeImageConfig, imageConfig(e.ID, layer.DiffID))
	if err != nil {
		return 0, err
	}
	em := &entryManifest{ID: e.ID, Info: e.Info, Layer: layer.Descriptor(), TarSize: layer.TarSize}
	if relocates {
		em.StorePath = e.Store.Dir
	}
	if key != nil {
		em.Signatures = []string{key.sign(e.ID)}
	}
	return pushed, t.putManifest(ctx, k, em.marshal(config))
}

// intact reports whether the copy of e that t holds, described by its
// manifest have, is e's as far as can be seen without reading its layer:
// the metadata is e's, and both blobs are there with their sizes. A copy
// that a partial sync or a full disk left, or whose metadata was
// changed, is then pushed again, as a refused pull's hint says.
func intact(ctx context.Context, t pushTarget, have *entryManifest, e *store.Entry) (bool, error) {
	if !sameInfo(have.Info, e.Info) || have.config.Digest.Validate() != nil {
		return false, nil
	}
	for _, d := range []ocispec.Descriptor{have.config, have.Layer} {
		if ok, err := t.hasBlob(ctx, d); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// sameInfo reports whether a and b are the same metadata but for the
// time of adding, which a manifest does not keep.
func sameInfo(a, b *store.Info) bool {
	x, y := *a, *b
	x.Added, y.Added = time.Time{}, time.Time{}
	xj, err1 := json.Marshal(&x)
	yj, err2 := json.Marshal(&y)
	return err1 == nil && err2 == nil && bytes.Equal(xj, yj)
}

// putLayer writes the layer of e and stores it in t unless t has it;
// relocates says whether the entry's files contain its store's path.
func putLayer(ctx context.Context, t pushTarget, e *store.Entry, m *meter) (Layer, bool, error) {
	f, err := t.createBlob()
	if err != nil {
		return Layer{}, false, err
	}
	lw, err := NewLayerWriter(meterWriter{f, m})
	if err == nil {
		lw.Find([]byte(e.Store.Dir + "/"))
		if err = lw.AddTree(ctx, e.Path, ""); err != nil {
			lw.Close()
		}
	}
	var layer Layer
	if err == nil {
		layer, err = lw.Close()
	}
	if err == nil {
		err = putBlob(ctx, t, layer.Descriptor(), f)
	} else {
		discard(f)
	}
	if err != nil {
		return Layer{}, false, err
	}
	return layer, lw.Found(), nil
}

// putBytes stores data as a blob of t unless t has it.
func putBytes(ctx context.Context, t pushTarget, mediaType string, data []byte) (ocispec.Descriptor, error) {
	d := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data))}
	if has, err := t.hasBlob(ctx, d); err != nil || has {
		return d, err
	}
	f, err := t.createBlob()
	if err != nil {
		return d, err
	}
	if _, err := f.Write(data); err != nil {
		discard(f)
		return d, err
	}
	return d, t.putBlob(ctx, d, f)
}

// putBlob stores the file f as the blob d of t, or drops it when t has
// the blob already.
func putBlob(ctx context.Context, t pushTarget, d ocispec.Descriptor, f *os.File) error {
	has, err := t.hasBlob(ctx, d)
	if err != nil || has {
		discard(f)
		return err
	}
	return t.putBlob(ctx, d, f)
}

// discard closes and removes a blob file that is not needed.
func discard(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
