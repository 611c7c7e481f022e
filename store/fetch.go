package store

import (
	"context"
	"errors"
)

// Fetcher brings entries that no store of a search path holds from
// elsewhere: noxenv's binary caches implement it, so that the store knows
// nothing of them.
type Fetcher interface {
	// Fetch makes the entries ids, with their closures, present in the
	// writable store of sp, or says which it could not bring.
	Fetch(ctx context.Context, sp *SearchPath, ids []string) error
	// FetchRequests makes an entry satisfying each of reqs present in
	// the writable store of sp, chosen by name (among entries a trusted
	// key signed), or returns the index of the request it could not
	// satisfy with the error.
	FetchRequests(ctx context.Context, sp *SearchPath, reqs []Request) (int, error)
}

// Substitute fetches, by sp.Fetcher when there is one, an entry for each
// of pkgs (PKG as Find takes it) that no store holds: an id with its
// closure, a request NAME[@CONSTRAINT] chosen by name among entries a
// trusted key signed. Finding them afterwards finds what was fetched; a
// PKG that is a path, found, or wrong otherwise than by being missing is
// left for finding to answer. A failure returns the index in pkgs of the
// PKG it concerns (of the first id, as ids are fetched together).
func (sp *SearchPath) Substitute(ctx context.Context, pkgs []string) (int, error) {
	if sp.Fetcher == nil {
		return 0, nil
	}
	var ids []string
	var idAt, reqAt []int
	var rs []Request
	for i, pkg := range pkgs {
		if _, err := sp.Locate(pkg); !errors.Is(err, ErrNotFound) {
			continue
		}
		kind, r, err := parsePkg(pkg)
		if kind == pkgID {
			ids, idAt = append(ids, pkg), append(idAt, i)
			continue
		}
		if kind == pkgNameVersion {
			r, err = ParseRequest(pkg)
		}
		if kind != pkgPath && err == nil {
			reqAt, rs = append(reqAt, i), append(rs, r)
		}
	}
	if len(ids) > 0 {
		if err := sp.Fetcher.Fetch(ctx, sp, ids); err != nil {
			return idAt[0], err
		}
	}
	if len(rs) > 0 {
		if i, err := sp.Fetcher.FetchRequests(ctx, sp, rs); err != nil {
			return reqAt[i], err
		}
	}
	return 0, nil
}

// Need returns the entries ids, in order. Those that no store holds are
// fetched first, all at once, by sp.Fetcher when there is one; without
// one, or when it fails, the error is Get's or the fetcher's.
func (sp *SearchPath) Need(ctx context.Context, ids []string) ([]*Entry, error) {
	entries := make([]*Entry, len(ids))
	var missing []string
	for i, id := range ids {
		e, err := sp.Get(id)
		switch {
		case err == nil:
			entries[i] = e
		case errors.Is(err, ErrNotFound) && sp.Fetcher != nil:
			missing = append(missing, id)
		default:
			return nil, err
		}
	}
	if len(missing) == 0 {
		return entries, nil
	}
	if err := sp.Fetcher.Fetch(ctx, sp, missing); err != nil {
		return nil, err
	}
	for i, id := range ids {
		if entries[i] == nil {
			e, err := sp.Get(id)
			if err != nil {
				return nil, err
			}
			entries[i] = e
		}
	}
	return entries, nil
}

// Changed tells st that another process changed its directory (a
// fetcher's program added entries): it forgets what it read of it.
func (st *Store) Changed() { st.dropIndex() }
