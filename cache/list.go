package cache

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/noxenv/noxenv/store"
)

// Listed is an entry a cache holds.
type Listed struct {
	ID   string      `json:"id"`
	Info *store.Info `json:"info"`
	// Size is that of its layer blob, compressed.
	Size int64 `json:"layer_size"`
	// Signers are the names of the keys that signed it (not checked).
	Signers []string `json:"signers"`
	// StorePath is the store it works in only, when its files contain it.
	StorePath string `json:"store_path,omitempty"`
	// manifest is what it was read from.
	manifest *entryManifest
}

// List returns the entries c holds, by name and version, reading every
// manifest: a cache has no index (see dirCache). A manifest that is not
// an entry's is left out.
func List(ctx context.Context, c Cache) ([]Listed, error) {
	keys, err := c.keys(ctx)
	if err != nil {
		return nil, &Error{Cache: c.String(), Err: err}
	}
	found := make([]*Listed, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4 * transfers)
	for i, key := range keys {
		g.Go(func() error {
			data, err := c.manifest(gctx, key)
			if errors.Is(err, ErrNotFound) {
				return nil // gone since listed
			}
			if err != nil {
				return &Error{Cache: c.String(), Err: err}
			}
			m, err := parseManifest(key, data)
			if err != nil {
				return nil
			}
			l := &Listed{ID: m.ID, Info: m.Info, Size: m.Layer.Size, StorePath: m.StorePath, Signers: []string{}, manifest: m}
			for _, s := range m.Signatures {
				name, _, _ := strings.Cut(s, ":")
				l.Signers = append(l.Signers, name)
			}
			found[i] = l
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []Listed
	for _, l := range found {
		if l != nil {
			out = append(out, *l)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Info, out[j].Info
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if c := store.CompareVersions(a.Version, b.Version); c != 0 {
			return c < 0
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// UnsignedError is a request that a cache's entries match, none of them
// signed by a trusted key.
type UnsignedError struct {
	Request string
	Cache   string
	IDs     []string // the matching entries
	Keys    int      // how many keys are trusted
}

func (e *UnsignedError) Error() string {
	return fmt.Sprintf("cache %s: %s: %d matching entries (%s), none signed by a trusted key (%d trusted)",
		e.Cache, e.Request, len(e.IDs), strings.Join(e.IDs, ", "), e.Keys)
}

// Hint says how to trust a key, or to pull by id.
func (e *UnsignedError) Hint() string {
	return "add the signer's public key to trusted-public-keys (NOXENV_TRUSTED_PUBLIC_KEYS), or pull the entry by its id"
}

// FetchRequests fetches an entry for each of reqs, chosen by Resolve,
// with its closure, one after another; a failure returns the index of
// its request. A request that no cache has any entry for is skipped: the
// caller, finding nothing in its stores either, says what they hold.
func (f *Fetcher) FetchRequests(ctx context.Context, sp *store.SearchPath, reqs []store.Request) (int, error) {
	for i, r := range reqs {
		id, err := f.Resolve(ctx, r)
		if nowhere(err) {
			continue
		}
		if err == nil {
			err = f.Fetch(ctx, sp, []string{id})
		}
		if err != nil {
			return i, err
		}
	}
	return 0, nil
}

// nowhere says whether err is Resolve's when every cache answered that it
// has no matching entry.
func nowhere(err error) bool {
	if err == nil {
		return false
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !nowhere(e) {
				return false
			}
		}
		return true
	}
	var u *UnsignedError
	return !errors.As(err, &u) && errors.Is(err, ErrNotFound)
}

// Resolve finds the highest version matching r among the entries of the
// first cache that holds one signed by a trusted key: an entry chosen by
// name must be signed, as its id does not say what the user wanted.
func (f *Fetcher) Resolve(ctx context.Context, r store.Request) (string, error) {
	con, err := store.ParseConstraint(r.Constraint)
	if err != nil {
		return "", err
	}
	var errs []error
	for _, c := range f.Caches {
		if err := f.givenUp(c); err != nil {
			errs = append(errs, &Error{Cache: c.String(), Err: err})
			continue
		}
		listed, err := List(ctx, c)
		if err != nil {
			f.noteFailure(c, err)
			errs = append(errs, err)
			continue
		}
		var best *Listed
		var unsigned []string
		for i := range listed {
			l := &listed[i]
			if l.Info.Name != r.Name || !con.Match(l.Info.Version) {
				continue
			}
			if signedBy(l.ID, l.manifest.Signatures, f.Trusted) == "" {
				unsigned = append(unsigned, l.ID)
				continue
			}
			best = l // List sorts by version, highest last
		}
		if best != nil {
			return best.ID, nil
		}
		if len(unsigned) > 0 {
			errs = append(errs, &UnsignedError{Request: r.String(), Cache: c.String(), IDs: unsigned, Keys: len(f.Trusted)})
		} else {
			errs = append(errs, &Error{Cache: c.String(), Err: fmt.Errorf("%s: no matching entry: %w", r, ErrNotFound)})
		}
	}
	if len(errs) == 0 {
		return "", errNoSubstituters
	}
	return "", errors.Join(errs...)
}
