package cache

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/internal/storetest"
	"github.com/noxenv/noxenv/store"
)

// machine is one machine's store, at a path of its own.
type machine struct {
	t   *testing.T
	sp  *store.SearchPath
	dir string
}

func newMachine(t *testing.T, dir string) *machine {
	t.Helper()
	return &machine{t: t, sp: storetest.New(t, dir), dir: dir}
}

// add adds an entry name-version with files (path → content; a content
// starting with "#!" is executable) and the given dependencies.
func (m *machine) add(nameVersion string, files map[string]string, deps ...string) *store.Entry {
	m.t.Helper()
	return storetest.Add(m.t, m.sp, nameVersion, files, store.AddOptions{Deps: deps, Strip: -1})
}

// closure3 adds lib, tool (referencing lib) and app (referencing tool) and
// returns them, app first.
func (m *machine) closure3() []*store.Entry {
	lib := m.add("lib-1.0", map[string]string{"lib/libx.so": "library", "share/doc/x": "docs"})
	tool := m.add("tool-2.1", map[string]string{"bin/tool": "#!/bin/sh\necho tool\n", "bin/t": "-> tool"}, lib.ID)
	app := m.add("app-3.0", map[string]string{"bin/app": "#!/bin/sh\necho app\n"}, tool.ID)
	return []*store.Entry{app, tool, lib}
}

// ids returns the entries of the machine's store.
func (m *machine) ids() []string {
	m.t.Helper()
	ids, err := m.sp.Stores[0].IDs()
	if err != nil {
		m.t.Fatal(err)
	}
	return ids
}

// verifyAll checks every entry of the machine's store, and that nothing
// else (an unfinished tree) is left in it.
func (m *machine) verifyAll() {
	m.t.Helper()
	es, err := m.sp.List()
	if err != nil {
		m.t.Fatal(err)
	}
	for _, e := range es {
		if err := store.Verify(context.Background(), e); err != nil {
			m.t.Fatal(err)
		}
	}
	des, err := os.ReadDir(m.dir)
	if err != nil {
		m.t.Fatal(err)
	}
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".tmp-") {
			m.t.Errorf("left in the store: %s", de.Name())
		}
	}
}

func (m *machine) pull(caches []Cache, ids ...string) error {
	f := &Fetcher{Caches: caches}
	return f.Fetch(context.Background(), m.sp, ids)
}

// mustErr checks that err is an error naming every one of words.
func mustErr(t *testing.T, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming %q", words)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q does not name %q", err, w)
		}
	}
}

func hintOf(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

func push(t *testing.T, c Cache, entries []*store.Entry, key *SecretKey) *PushResult {
	t.Helper()
	res, err := Push(context.Background(), c, entries, PushOptions{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func openDir(t *testing.T, dir string) Cache {
	t.Helper()
	c, err := Open("file://"+dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
