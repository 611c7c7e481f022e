package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/noxenv/noxenv/internal/testutil"
	"github.com/noxenv/noxenv/store"
)

// New makes a managed store at dir and returns the search path holding it
// alone.
func New(t testing.TB, dir string) *store.SearchPath {
	t.Helper()
	if _, err := store.Init(dir); err != nil {
		t.Fatal(err)
	}
	sp, err := store.Open([]string{dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// Add adds to the first store of sp, as store add does with opts, the
// package made of files (see testutil.WriteFiles) in a directory named
// nameVersion.
func Add(t testing.TB, sp *store.SearchPath, nameVersion string, files map[string]string, opts store.AddOptions) *store.Entry {
	t.Helper()
	src := filepath.Join(t.TempDir(), nameVersion)
	testutil.WriteFiles(t, src, files)
	e, _, err := sp.Add(context.Background(), sp.Stores[0], src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
