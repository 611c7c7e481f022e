package cache

import (
	"context"
	"fmt"
	"sort"

	"golang.org/x/sync/errgroup"
)

// transfers is how many entries a push or a pull transfers at once.
const transfers = 8

// levels orders ids so that each comes after its dependencies among ids:
// the first level has none, each next one only dependencies of earlier
// levels. A cycle (which content-derived ids cannot make, but a forged
// manifest can claim) is an error.
func levels(ids []string, deps func(id string) []string) ([][]string, error) {
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	waiting := map[string]int{}
	dependents := map[string][]string{}
	for id := range in {
		for _, d := range deps(id) {
			if in[d] && d != id {
				waiting[id]++
				dependents[d] = append(dependents[d], id)
			}
		}
	}
	var out [][]string
	var level []string
	for id := range in {
		if waiting[id] == 0 {
			level = append(level, id)
		}
	}
	placed := 0
	for len(level) > 0 {
		sort.Strings(level)
		out = append(out, level)
		placed += len(level)
		var next []string
		for _, id := range level {
			for _, r := range dependents[id] {
				if waiting[r]--; waiting[r] == 0 {
					next = append(next, r)
				}
			}
		}
		level = next
	}
	if placed != len(in) {
		return nil, fmt.Errorf("the references of %d entries form a cycle", len(in)-placed)
	}
	return out, nil
}

// inOrder runs do for every id, dependencies first (see levels), up to
// transfers at once; it stops at the first error.
func inOrder(ctx context.Context, ids []string, deps func(id string) []string, do func(ctx context.Context, id string) error) error {
	lv, err := levels(ids, deps)
	if err != nil {
		return err
	}
	for _, level := range lv {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(transfers)
		for _, id := range level {
			g.Go(func() error { return do(gctx, id) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}
