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
