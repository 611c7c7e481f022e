package image

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/store"
)

// graph makes entries named by the keys of refs, each referencing the
// entries its value names (space-separated).
func graph(refs map[string]string) []*store.Entry {
	var names []string
	for n := range refs {
		names = append(names, n)
	}
	slices.Sort(names)
	id := func(n string) string { return fmt.Sprintf("%032d-%s-1", 0, n) }
	var out []*store.Entry
	for _, n := range names {
		info := &store.Info{Name: n, Version: "1"}
		for _, r := range strings.Fields(refs[n]) {
			info.References = append(info.References, id(r))
		}
		out = append(out, &store.Entry{ID: id(n), Name: n, Version: "1", Path: "/s/" + id(n), Info: info})
	}
	return out
}

func names(es []*store.Entry) string {
	var ns []string
	for _, e := range es {
		ns = append(ns, e.Name)
	}
	return strings.Join(ns, " ")
}

// Popularity counts the entries that depend on an entry, directly or
// through others, each once however many paths lead from it.
func TestPopularity(t *testing.T) {
	cases := []struct {
		name  string
		refs  map[string]string
		want  map[string]int
		ranks string
	}{
		{"chain", map[string]string{"a": "b", "b": "c", "c": ""},
			map[string]int{"a": 0, "b": 1, "c": 2}, "c b a"},
		{"diamond", map[string]string{"app": "left right", "left": "base", "right": "base", "base": ""},
			map[string]int{"app": 0, "left": 1, "right": 1, "base": 3}, "base left right app"},
		{"hub", map[string]string{"a": "libc", "b": "libc", "c": "libc b", "libc": ""},
			map[string]int{"a": 0, "b": 1, "c": 0, "libc": 3}, "libc b a c"},
		{"cycle", map[string]string{"x": "y", "y": "x", "z": "x"},
			map[string]int{"x": 2, "y": 2, "z": 0}, "x y z"},
		{"outside", map[string]string{"a": "gone", "b": "a"},
			map[string]int{"a": 1, "b": 0}, "a b"},
		{"ties by id", map[string]string{"d": "", "c": "", "b": "", "a": ""},
			map[string]int{"a": 0, "b": 0, "c": 0, "d": 0}, "a b c d"},
	}
	for _, tc := range cases {
		es := graph(tc.refs)
		pop := popularity(es)
		for i, e := range es {
			if pop[i] != tc.want[e.Name] {
				t.Errorf("%s: popularity of %s is %d, want %d", tc.name, e.Name, pop[i], tc.want[e.Name])
			}
		}
		if got := names(rank(es)); got != tc.ranks {
			t.Errorf("%s: ranked %q, want %q", tc.name, got, tc.ranks)
		}
	}
}

// Equal popularity and equal ids (the same entry in two stores is one
// entry) rank by path; an entry listed twice is ranked once.
func TestRankStable(t *testing.T) {
	a := &store.Entry{ID: "x-a-1", Name: "a", Path: "/s2/x-a-1"}
	b := &store.Entry{ID: "x-b-1", Name: "b", Path: "/s1/x-b-1"}
	for _, in := range [][]*store.Entry{{a, b, a}, {b, a}, {a, b}} {
		if got := names(rank(in)); got != "a b" {
			t.Errorf("ranked %q, want \"a b\"", got)
		}
	}
}

// With N layers and no base, N-1 entries get a layer each; the rest go
// into the last layer: the boundaries around a closure of N-1 entries.
func TestSplitBoundaries(t *testing.T) {
	const maxLayers = 5
	slots := maxLayers - 1
	for _, size := range []int{slots - 1, slots, slots + 1, slots + 2} {
		refs := map[string]string{"hub": ""}
		for i := 1; i < size; i++ {
			refs[fmt.Sprintf("e%d", i)] = "hub"
		}
		own, last := split(rank(graph(refs)), slots)
		wantOwn, wantLast := min(size, slots), max(0, size-slots)
		if len(own) != wantOwn || len(last) != wantLast {
			t.Errorf("closure of %d: %d own layers and %d in the last, want %d and %d", size, len(own), len(last), wantOwn, wantLast)
		}
		if own[0].Name != "hub" {
			t.Errorf("closure of %d: first layer %s, want hub", size, own[0].Name)
		}
		if layers := len(own) + 1; layers > maxLayers {
			t.Errorf("closure of %d: %d layers, more than %d", size, layers, maxLayers)
		}
	}
}
