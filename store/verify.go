package store

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// MismatchError says that an entry's content or metadata no longer matches
// its id.
type MismatchError struct {
	Entry *Entry
	Want  string // recorded
	Got   string // recomputed
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("entry %s of store %s was altered: content hash %s, recorded %s", e.Entry.ID, e.Entry.Store.Dir, e.Got, e.Want)
}

// Verify recomputes the content hash of e and checks it and the id against
// the metadata, and the listing, when there is one, against the tree; it
// returns a *MismatchError when the hashes differ. Plain entries
// have nothing to check.
func Verify(ctx context.Context, e *Entry) error {
	if e.Plain() {
		return nil
	}
	items, err := hashTree(ctx, e.Path)
	if err != nil {
		return fmt.Errorf("verify %s: %w", e.ID, err)
	}
	got := formatHash(treeHash(items))
	if got != e.Info.Hash {
		return &MismatchError{Entry: e, Want: e.Info.Hash, Got: got}
	}
	if id := entryID(e.Info); id != e.ID {
		return fmt.Errorf("entry %s of store %s: its metadata does not match its id (%s)", e.ID, e.Store.Dir, id)
	}
	listing, err := os.ReadFile(e.Path + ListingSuffix)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("verify %s: %w", e.ID, err)
	}
	if err == nil && !listingMatches(listing, items) {
		return fmt.Errorf("entry %s of store %s: its listing %s%s does not match its tree", e.ID, e.Store.Dir, e.ID, ListingSuffix)
	}
	return nil
}
