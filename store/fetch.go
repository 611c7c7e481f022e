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

// Found is what Locate answers for one PKG.
type Found struct {
	Ref Ref
	Err error
}

// LocateAll answers for each of pkgs (PKG as Find takes it) what Locate
// does, after fetching, by sp.Fetcher when there is one, an entry for
// each that no store holds: an id with its closure, a request
// NAME[@CONSTRAINT] chosen by name among entries a trusted key signed. A
// PKG that is a path, found, or wrong otherwise than by being missing is
// not fetched; its Found holds Locate's answer, an error among them. Each
// PKG is located once when nothing is fetched (profile add of hundreds of
// names), and all again when something is, since what was fetched may
// also be the better match of a PKG found before. The error is the
// fetch's, with the index in pkgs of the PKG it concerns (of the first id,
// as ids are fetched together).
func (sp *SearchPath) LocateAll(ctx context.Context, pkgs []string) ([]Found, int, error) {
	found := make([]Found, len(pkgs))
	for i, pkg := range pkgs {
		found[i].Ref, found[i].Err = sp.Locate(pkg)
	}
	if sp.Fetcher == nil {
		return found, 0, nil
	}
	var ids []string
	var idAt, reqAt []int
	var rs []Request
	for i, pkg := range pkgs {
		if !errors.Is(found[i].Err, ErrNotFound) {
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
			return nil, idAt[0], err
		}
	}
	if len(rs) > 0 {
		if i, err := sp.Fetcher.FetchRequests(ctx, sp, rs); err != nil {
			return nil, reqAt[i], err
		}
	}
	if len(ids)+len(rs) > 0 {
		for i, pkg := range pkgs {
			found[i].Ref, found[i].Err = sp.Locate(pkg)
		}
	}
	return found, 0, nil
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
