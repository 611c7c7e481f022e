package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"
	"golang.org/x/sync/errgroup"

	"github.com/noxenv/noxenv/store"
)

// Fetcher brings entries from caches into a store: the substituters of a
// search path (it is a store.Fetcher), or the one cache of a pull.
//
// An entry's manifest is found by the entry's Key, and its references by
// theirs, from the ids its metadata lists: a closure is found without
// listing any cache. Each entry comes from the first cache, in order,
// that has it with every reference the store lacks; one that fails (down,
// refusing credentials, or sending what does not verify) leaves the
// entry to the next.
type Fetcher struct {
	Caches []Cache
	// Store is the managed store entries go into; "" is the search
	// path's writable store.
	Store string
	// Trusted are the keys whose signatures Resolve accepts.
	Trusted []PublicKey
	// Fetched, when set, is told of each closure fetched.
	Fetched func(Fetched)
	// Progress, when set, is called now and then during a fetch, from
	// one goroutine at a time.
	Progress func(Progress)

	// down holds the caches that could not be reached or did not answer
	// in time (Cache → its error): they are not asked again, so that a
	// closure of many levels, or a project of many requests, waits for
	// such a cache once, not at every entry.
	down sync.Map
}

// givenUp returns the failure for which c was given up, or nil.
func (f *Fetcher) givenUp(c Cache) error {
	if err, ok := f.down.Load(c); ok {
		return fmt.Errorf("not asked again after: %w", err.(error))
	}
	return nil
}

// noteFailure gives c up when err says it cannot be reached or does not
// answer.
func (f *Fetcher) noteFailure(c Cache, err error) {
	if isUnreachable(err) {
		f.down.LoadOrStore(c, err)
	}
}

var _ store.Fetcher = (*Fetcher)(nil)

// source is where an entry is fetched from: the manifest of the first
// cache that has it (index at in Caches).
type source struct {
	at int
	m  *entryManifest
}

// finder finds and fetches the entries of closures.
type finder struct {
	f  *Fetcher
	sp *store.SearchPath
	st *store.Store
}

// Fetch brings the entries ids, with the parts of their closures that no
// store of sp holds, into the store.
func (f *Fetcher) Fetch(ctx context.Context, sp *store.SearchPath, ids []string) error {
	st, err := sp.WritableStore(f.Store)
	if err != nil {
		return err
	}
	fd := &finder{f: f, sp: sp, st: st}
	plan, err := fd.plan(ctx, ids)
	if err != nil {
		return err
	}
	todo := make([]string, 0, len(plan))
	for id := range plan {
		todo = append(todo, id)
	}
	m := newMeter(len(todo), f.Progress)
	var got sync.Map // id → the source it came from
	err = inOrder(ctx, todo, func(id string) []string { return plan[id].m.Info.References }, func(ctx context.Context, id string) error {
		src, err := fd.fetch(ctx, id, plan[id], m)
		if err == nil {
			m.done.Add(1)
			got.Store(id, src)
		}
		return err
	})
	m.over()
	if err != nil || f.Fetched == nil {
		return err
	}
	for _, id := range ids {
		v, ok := got.Load(id)
		if !ok {
			continue // it was in a store already
		}
		fetched := Fetched{ID: id, Cache: f.Caches[v.(*source).at].String()}
		for _, d := range closureOf(id, plan) {
			if v, ok := got.Load(d); ok {
				fetched.Entries++
				fetched.Bytes += v.(*source).m.Layer.Size
			}
		}
		f.Fetched(fetched)
	}
	return nil
}

// plan finds the source of every entry of the closures of ids that no
// store holds, a level of references at a time, several at once.
func (fd *finder) plan(ctx context.Context, ids []string) (map[string]*source, error) {
	plan := map[string]*source{}
	seen := map[string]bool{}
	of := map[string]string{} // a reference → the entry that needs it
	var frontier []string
	add := func(id, referrer string) {
		if !seen[id] {
			seen[id] = true
			of[id] = referrer
			if _, err := fd.sp.GetIn(fd.st, id); err != nil {
				frontier = append(frontier, id)
			}
		}
	}
	for _, id := range ids {
		add(id, "")
	}
	for len(frontier) > 0 {
		srcs := make([]*source, len(frontier))
		errs := make([]error, len(frontier))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(transfers)
		for i, id := range frontier {
			g.Go(func() error {
				src, ferrs := fd.search(gctx, id, 0)
				if src == nil {
					errs[i] = &FetchError{Entry: id, Of: of[id], Errs: ferrs}
				}
				srcs[i] = src
				return nil
			})
		}
		g.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		level := frontier
		frontier = nil
		for i, id := range level {
			plan[id] = srcs[i]
			for _, r := range srcs[i].m.Info.References {
				add(r, id)
			}
		}
	}
	return plan, nil
}

// Fetched is a closure that a fetch brought.
type Fetched struct {
	ID      string // the entry asked for
	Entries int    // of its closure, fetched
	Bytes   int64  // of their layers
	Cache   string // where the entry came from
}

// closureOf returns id and every entry of plan it reaches.
func closureOf(id string, plan map[string]*source) []string {
	seen := map[string]bool{id: true}
	out := []string{id}
	for i := 0; i < len(out); i++ {
		if src := plan[out[i]]; src != nil {
			for _, r := range src.m.Info.References {
				if !seen[r] {
					seen[r] = true
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// search returns the source of id in the first cache, from index from on,
// whose manifest of it is sound, or every cache's failure.
func (fd *finder) search(ctx context.Context, id string, from int) (*source, []*Error) {
	var errs []*Error
	for at := from; at < len(fd.f.Caches); at++ {
		c := fd.f.Caches[at]
		if err := fd.f.givenUp(c); err != nil {
			errs = append(errs, &Error{Cache: c.String(), Entry: id, Err: err})
			continue
		}
		m, err := fd.manifest(ctx, c, id)
		if err == nil {
			return &source{at: at, m: m}, nil
		}
		fd.f.noteFailure(c, err)
		errs = append(errs, &Error{Cache: c.String(), Entry: id, Err: err})
	}
	if len(fd.f.Caches) == 0 {
		errs = append(errs, &Error{Cache: "(none)", Entry: id, Err: errNoSubstituters})
	}
	return nil, errs
}

// errNoSubstituters is a fetch without any cache to fetch from.
var errNoSubstituters = errors.New("no substituters are set")

// manifest reads and checks the manifest of id in c.
func (fd *finder) manifest(ctx context.Context, c Cache, id string) (*entryManifest, error) {
	data, err := c.manifest(ctx, Key(id))
	if err != nil {
		return nil, err
	}
	m, err := parseManifest(Key(id), data)
	if err != nil && isHTML(data) {
		return nil, errHTML
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errVerify, err)
	}
	if m.ID != id {
		return nil, fmt.Errorf("%w: its manifest is of entry %s", errVerify, m.ID)
	}
	if m.StorePath != "" && !sameDir(m.StorePath, fd.st.Dir) {
		return nil, &RelocationError{Path: m.StorePath, Store: fd.st.Dir}
	}
	return m, nil
}

// RelocationError is an entry whose files contain the path of the store
// it was pushed from, fetched into a store elsewhere.
type RelocationError struct {
	Path  string // the store it needs
	Store string // the store it would go into
}

func (e *RelocationError) Error() string {
	return fmt.Sprintf("its files contain the path of its store %s: it works only in a store at that path, not in %s", e.Path, e.Store)
}

// Hint says how to get such a store.
func (e *RelocationError) Hint() string {
	return fmt.Sprintf("make a store there ('noxenv store init %s'), put it in NOXENV_STORE_PATH and pull into it with --store %s", e.Path, e.Path)
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}

// fetch brings id from src, or from the next caches that have it when
// src fails, and returns the source it came from.
func (fd *finder) fetch(ctx context.Context, id string, src *source, m *meter) (*source, error) {
	var errs []*Error
	for src != nil {
		c := fd.f.Caches[src.at]
		err := fd.receive(ctx, c, src.m, m)
		if err == nil || ctx.Err() != nil {
			return src, err
		}
		// Even after a failure of the store's own (a full disk), as a
		// cache that sends a forged layer can make one.
		fd.f.noteFailure(c, err)
		errs = append(errs, &Error{Cache: c.String(), Entry: id, Err: err})
		var more []*Error
		src, more = fd.search(ctx, id, src.at+1)
		errs = append(errs, more...)
	}
	return nil, &FetchError{Entry: id, Errs: errs}
}

// receive streams the layer of em from c into the store: its digest and
// size are checked as it is read, and the store verifies the entry's id
// before it is visible.
func (fd *finder) receive(ctx context.Context, c Cache, em *entryManifest, m *meter) error {
	rc, err := c.blob(ctx, em.Layer)
	if err != nil {
		return err
	}
	defer rc.Close()
	vr := &verifyingReader{r: meterReader{rc, m}, want: em.Layer.Digest, size: em.Layer.Size, d: digest.Canonical.Digester()}
	zr, err := zstd.NewReader(vr, zstd.WithDecoderMaxWindow(64<<20), zstd.WithDecoderConcurrency(2))
	if err != nil {
		return err
	}
	tr := &sizeLimit{r: zr, left: em.TarSize}
	_, _, err = fd.sp.Receive(ctx, fd.st, store.Incoming{ID: em.ID, Info: em.Info}, tr)
	zr.Close() // its reading ahead stops
	var we *store.WriteError
	if err != nil && ctx.Err() == nil && !errors.As(err, &we) {
		// A damaged layer fails to unpack before its digest is known:
		// say that it is damaged rather than how it failed.
		if _, derr := io.Copy(io.Discard, vr); derr != nil {
			return derr
		}
	}
	return err
}

// verifyingReader reads a blob, failing instead of ending when it is
// longer or shorter than size or its digest is not want.
type verifyingReader struct {
	r    io.Reader
	want digest.Digest
	size int64
	n    int64
	d    digest.Digester
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if left := v.size - v.n + 1; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := v.r.Read(p)
	v.n += int64(n)
	v.d.Hash().Write(p[:n])
	switch {
	case err == io.ErrUnexpectedEOF:
		return n, fmt.Errorf("layer %s: the transfer broke off after %d of %d bytes: %w", v.want, v.n, v.size, err)
	case v.n > v.size:
		return n, fmt.Errorf("%w: layer %s is larger than its manifest says (%d bytes)", errVerify, v.want, v.size)
	case err == io.EOF && v.n < v.size:
		return n, fmt.Errorf("%w: layer %s is shorter than its manifest says (%d of %d bytes)", errVerify, v.want, v.n, v.size)
	case err == io.EOF && v.d.Digest() != v.want:
		return n, fmt.Errorf("%w: layer %s has the digest %s", errVerify, v.want, v.d.Digest())
	}
	return n, err
}

// sizeLimit fails a stream once it goes past what its manifest declared.
type sizeLimit struct {
	r    io.Reader
	left int64
}

func (s *sizeLimit) Read(p []byte) (int, error) {
	if s.left < 0 {
		return 0, fmt.Errorf("%w: the layer unpacks to more than its manifest says", errVerify)
	}
	if int64(len(p)) > s.left+1 {
		p = p[:s.left+1]
	}
	n, err := s.r.Read(p)
	s.left -= int64(n)
	if s.left < 0 {
		return n, fmt.Errorf("%w: the layer unpacks to more than its manifest says", errVerify)
	}
	return n, err
}
