package image

import (
	"cmp"
	"slices"

	"github.com/noxenv/noxenv/store"
)

// popularity returns, for each entry of closure, the number of other
// entries of closure that depend on it, directly or through others.
// References to entries outside closure are not followed.
func popularity(closure []*store.Entry) []int {
	index := make(map[string]int, len(closure))
	for i, e := range closure {
		index[e.ID] = i
	}
	refs := make([][]int, len(closure))
	for i, e := range closure {
		if e.Info == nil {
			continue
		}
		for _, r := range e.Info.References {
			if j, ok := index[r]; ok && j != i {
				refs[i] = append(refs[i], j)
			}
		}
	}
	pop := make([]int, len(closure))
	// From each entry, every entry it reaches gains one dependent.
	seen := make([]int, len(closure)) // the walk that last reached each entry, plus one
	var stack []int
	for from := range closure {
		mark := from + 1
		seen[from] = mark
		stack = append(stack[:0], from)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, j := range refs[i] {
				if seen[j] != mark {
					seen[j] = mark
					pop[j]++
					stack = append(stack, j)
				}
			}
		}
	}
	return pop
}

// rank returns closure's entries, each once, the most popular first, ties
// broken by id and then path.
func rank(closure []*store.Entry) []*store.Entry {
	var unique []*store.Entry
	seen := map[string]bool{}
	for _, e := range closure {
		if !seen[e.ID] {
			seen[e.ID] = true
			unique = append(unique, e)
		}
	}
	pop := popularity(unique)
	idx := make([]int, len(unique))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(pop[b], pop[a]), cmp.Compare(unique[a].ID, unique[b].ID), cmp.Compare(unique[a].Path, unique[b].Path))
	})
	out := make([]*store.Entry, len(idx))
	for i, j := range idx {
		out[i] = unique[j]
	}
	return out
}

// split divides the ranked entries between layers of their own (at most
// slots of them, the best ranked) and the last layer (the rest).
func split(ranked []*store.Entry, slots int) (own, last []*store.Entry) {
	if len(ranked) <= slots {
		return ranked, nil
	}
	return ranked[:slots], ranked[slots:]
}
