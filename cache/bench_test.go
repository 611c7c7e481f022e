package cache

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/store"
)

// BenchmarkFetchSmall fetches 20 small entries from a directory cache
// into an empty store, as a locked project on a fresh machine does.
func BenchmarkFetchSmall(b *testing.B) {
	t := &testing.T{}
	tmp := b.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	var entries []*store.Entry
	var ids []string
	for i := range 20 {
		e := a.add(fmt.Sprintf("small%02d-1.0", i), map[string]string{
			fmt.Sprintf("bin/small%02d", i):              "#!/bin/sh\necho hi\n",
			fmt.Sprintf("share/doc/small%02d/README", i): strings.Repeat(fmt.Sprintf("%d", i), 27000),
		})
		entries = append(entries, e)
		ids = append(ids, e.ID)
	}
	c := openDir(t, filepath.Join(tmp, "cache"))
	if _, err := Push(context.Background(), c, entries, PushOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		m := newMachine(t, filepath.Join(tmp, fmt.Sprintf("b%d", i)))
		if err := (&Fetcher{Caches: []Cache{c}}).Fetch(context.Background(), m.sp, ids); err != nil {
			b.Fatal(err)
		}
	}
}
