package activate

import (
	"context"
	"errors"
	"sort"

	"github.com/noxenv/noxenv/store"
)

// pinned returns the entry id that the lock pins. When no store holds it,
// it is fetched (store.SearchPath.Need), and with it every other pin of
// the lock that no store holds, all at once: a project cloned onto a
// fresh machine gets its entries in one go, not one use line at a time.
func (e *evaluator) pinned(ctx context.Context, id string) (*store.Entry, error) {
	sp := e.cfg.Stores
	ent, err := sp.Get(id)
	if !errors.Is(err, store.ErrNotFound) || sp.Fetcher == nil {
		return ent, err
	}
	missing := map[string]bool{id: true}
	for _, p := range e.lock.Packages {
		if _, err := sp.Get(p.ID); errors.Is(err, store.ErrNotFound) {
			missing[p.ID] = true
		}
	}
	ids := make([]string, 0, len(missing))
	for m := range missing {
		ids = append(ids, m)
	}
	sort.Strings(ids)
	if _, err := sp.Need(ctx, ids); err != nil {
		if len(ids) == 1 {
			return nil, err
		}
		// Another pin's failure is not this one's: that pin may not be
		// used any more.
		if _, err := sp.Need(ctx, []string{id}); err != nil {
			return nil, err
		}
	}
	return sp.Get(id)
}
