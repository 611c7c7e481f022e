package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Hidden names in a store directory that gc removes.
const (
	// trashPrefix starts the hidden name an entry's tree is renamed to
	// once its metadata is gone, while gc removes it.
	trashPrefix = ".trash-"
	// unfinishedPrefix starts the hidden directories of adds in progress.
	unfinishedPrefix = ".tmp-"
)

// Garbage is an entry of a writable store that no root keeps alive.
type Garbage struct {
	Store      *Store
	ID         string
	Size       int64    // bytes, as its metadata records
	References []string // ids it depends on
}

// Path is the entry's directory.
func (g Garbage) Path() string { return filepath.Join(g.Store.Dir, g.ID) }

// Leftover is what an interrupted add or gc left in a store: an entry
// tree whose metadata is gone (or metadata or a listing whose entry is), a
// trash tree, an unfinished add. None of them is an entry; only gc, holding the exclusive
// guard, may remove them, as no add is then in progress.
type Leftover struct {
	Store *Store
	Name  string
}

// Path is the leftover's path.
func (l Leftover) Path() string { return filepath.Join(l.Store.Dir, l.Name) }

// SweepPlan is what a sweep deletes, computed before anything is touched.
type SweepPlan struct {
	// Garbage is in deletion order: every entry comes before the entries
	// it references, so that each remaining entry's closure stays complete
	// whenever the sweep stops.
	Garbage   []Garbage
	Leftovers []Leftover
	// Kept counts the entries of the writable stores that stay.
	Kept int
}

// Size is the total size of the garbage entries.
func (p *SweepPlan) Size() int64 {
	var n int64
	for _, g := range p.Garbage {
		n += g.Size
	}
	return n
}

// Collectable returns the stores a sweep works on: managed, writable and
// present.
func (sp *SearchPath) Collectable() []*Store {
	var out []*Store
	for _, st := range sp.Stores {
		if st.Managed && st.Writable && !st.Missing {
			out = append(out, st)
		}
	}
	return out
}

// PlanSweep lists every entry of the collectable stores whose id is not in
// live, and the leftovers. It reads the directory listing of each store and
// the metadata of the garbage only, never an entry's tree. Plain entries
// and read-only stores are never part of a plan. The caller holds
// Guard(true) from reading its roots until the sweep is done.
func (sp *SearchPath) PlanSweep(live map[string]bool) (*SweepPlan, error) {
	plan := &SweepPlan{}
	for _, st := range sp.Collectable() {
		if err := planStore(st, live, plan); err != nil {
			return nil, err
		}
	}
	plan.Garbage = dependentsFirst(plan.Garbage)
	return plan, nil
}

func planStore(st *Store, live map[string]bool, plan *SweepPlan) error {
	items, err := readItems(st.Dir, nil)
	if err != nil {
		return fmt.Errorf("store %s: %w", st.Dir, err)
	}
	dirs := make(map[string]bool, len(items)/2)
	infos := make(map[string]bool, len(items)/2)
	var listings []string
	for _, it := range items {
		name := it.name
		// A directory is a tree, never metadata or a listing, whatever
		// its name ends in (an entry an older noxenv added with a
		// version ending in .noxdirs, say).
		switch {
		case strings.HasPrefix(name, trashPrefix), strings.HasPrefix(name, unfinishedPrefix):
			plan.Leftovers = append(plan.Leftovers, Leftover{st, name})
		case it.isDir:
			if isEntryID(name) {
				dirs[name] = true
			}
		case strings.HasSuffix(name, InfoSuffix) && isEntryID(strings.TrimSuffix(name, InfoSuffix)):
			infos[strings.TrimSuffix(name, InfoSuffix)] = true
		case strings.HasSuffix(name, ListingSuffix) && isEntryID(strings.TrimSuffix(name, ListingSuffix)):
			listings = append(listings, strings.TrimSuffix(name, ListingSuffix))
		}
	}
	for id := range dirs {
		if !infos[id] {
			plan.Leftovers = append(plan.Leftovers, Leftover{st, id})
		}
	}
	for _, id := range listings {
		if !infos[id] || !dirs[id] {
			plan.Leftovers = append(plan.Leftovers, Leftover{st, id + ListingSuffix})
		}
	}
	for id := range infos {
		if !dirs[id] {
			plan.Leftovers = append(plan.Leftovers, Leftover{st, id + InfoSuffix})
			continue
		}
		if live[id] {
			plan.Kept++
			continue
		}
		g, err := readGarbage(st, id)
		if err != nil {
			return err
		}
		plan.Garbage = append(plan.Garbage, g)
	}
	return nil
}

func readGarbage(st *Store, id string) (Garbage, error) {
	info, err := readInfo(filepath.Join(st.Dir, id+InfoSuffix))
	if err != nil {
		return Garbage{}, fmt.Errorf("entry %s of store %s: %w", id, st.Dir, err)
	}
	return Garbage{Store: st, ID: id, Size: info.Size, References: info.References}, nil
}

// isEntryID reports whether name is an entry id, HASH-NAME-VERSION.
func isEntryID(name string) bool {
	_, _, _, ok := ParseID(name)
	return ok
}

// dependentsFirst orders garbage so that an entry comes before every copy
// of the entries it references. Ties are broken by path, for stable plans.
func dependentsFirst(gs []Garbage) []Garbage {
	sort.Slice(gs, func(i, j int) bool { return gs[i].Path() < gs[j].Path() })
	byID := make(map[string][]int, len(gs))
	for i, g := range gs {
		byID[g.ID] = append(byID[g.ID], i)
	}
	// referrers[i] counts the garbage entries referencing gs[i] that are
	// not deleted yet.
	referrers := make([]int, len(gs))
	for _, g := range gs {
		for _, r := range uniqueRefs(g) {
			for _, j := range byID[r] {
				referrers[j]++
			}
		}
	}
	out := make([]Garbage, 0, len(gs))
	var ready []int
	for i := range gs {
		if referrers[i] == 0 {
			ready = append(ready, i)
		}
	}
	done := make([]bool, len(gs))
	for len(ready) > 0 {
		i := ready[0]
		ready = ready[1:]
		done[i] = true
		out = append(out, gs[i])
		for _, r := range uniqueRefs(gs[i]) {
			for _, j := range byID[r] {
				if referrers[j]--; referrers[j] == 0 {
					ready = append(ready, j)
				}
			}
		}
	}
	// Content addressing makes reference cycles impossible; should
	// corrupt metadata make one, its members go last, in path order.
	for i := range gs {
		if !done[i] {
			out = append(out, gs[i])
		}
	}
	return out
}

// uniqueRefs are g's references without itself and without repeats.
func uniqueRefs(g Garbage) []string {
	seen := make(map[string]bool, len(g.References))
	var out []string
	for _, r := range g.References {
		if r != g.ID && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// SweepOptions tune Sweep.
type SweepOptions struct {
	// Step, when set, is called before each change on disk; an error stops
	// the sweep there. Tests use it to stop a sweep at every point.
	Step func() error
	// Deleted, when set, is called after each garbage entry is gone.
	Deleted func(Garbage)
}

// Sweep deletes the leftovers of plan, then its garbage, in order. Each
// entry disappears at once for readers: its metadata goes first, then its
// listing, then its tree is renamed to a hidden trash name and removed. A sweep stopped at
// any point leaves every remaining entry complete, and a later sweep
// removes what it left.
func Sweep(plan *SweepPlan, opts SweepOptions) error {
	step := opts.Step
	if step == nil {
		step = noStep
	}
	// Leftovers go first: a trash name of an earlier sweep is then free
	// for the entry of the same id.
	for _, l := range plan.Leftovers {
		if err := RemoveTree(l.Path(), step); err != nil {
			return fmt.Errorf("store %s: %w", l.Store.Dir, err)
		}
	}
	for _, g := range plan.Garbage {
		if err := deleteEntry(g, step); err != nil {
			return err
		}
		if opts.Deleted != nil {
			opts.Deleted(g)
		}
	}
	return nil
}

func deleteEntry(g Garbage, step func() error) error {
	if err := step(); err != nil {
		return err
	}
	dir := g.Path()
	for _, suffix := range []string{InfoSuffix, ListingSuffix} {
		if err := os.Remove(dir + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store %s: delete %s: %w", g.Store.Dir, g.ID, err)
		}
		if err := step(); err != nil {
			return err
		}
	}
	trash := filepath.Join(g.Store.Dir, trashPrefix+g.ID)
	if err := os.Rename(dir, trash); err != nil {
		return fmt.Errorf("store %s: delete %s: %w", g.Store.Dir, g.ID, err)
	}
	if err := RemoveTree(trash, step); err != nil {
		return fmt.Errorf("store %s: delete %s: %w", g.Store.Dir, g.ID, err)
	}
	return nil
}
