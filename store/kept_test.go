package store

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/internal/testutil"
)

// keeping opens dir as a search path of its own that keeps its items in
// cache, as each noxenv process does.
func keeping(t *testing.T, dir, cache string) *SearchPath {
	t.Helper()
	sp, err := Open([]string{dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	sp.CacheItemsIn(cache)
	return sp
}

// waitSettled waits until no write can leave dir's times as they are.
func waitSettled(t *testing.T, dir string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s, err := statDir(dir, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if s.settled {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not settled after 10 s", dir)
		}
	}
}

// A process reads the items an earlier one kept while the store's
// directory is unchanged, and the directory again after any change to it.
func TestKeptItems(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "tool-1.0")
	testutil.WriteFiles(t, src, map[string]string{"bin/tool": "1.0"})
	added, _ := add(t, sp, st, src, AddOptions{})
	cache := t.TempDir()
	waitSettled(t, st.Dir)

	first := keeping(t, st.Dir, cache)
	if e, err := first.Resolve(Request{Name: "tool"}); err != nil || e.ID != added.ID {
		t.Fatalf("Resolve(tool) = %v, %v; want %s", e, err, added.ID)
	}
	kept := first.Stores[0].keptFile
	b, err := os.ReadFile(kept)
	if err != nil {
		t.Fatalf("no items kept: %v", err)
	}

	// The next process reads the file, not the directory: an entry
	// written into the file alone is among its ids.
	fake := strings.Repeat("a", 32) + "-fake-9.0"
	if err := os.WriteFile(kept, append(b, "d"+fake+"\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	ids, err := keeping(t, st.Dir, cache).Stores[0].IDs()
	if want := slices.Sorted(slices.Values([]string{added.ID, fake})); err != nil || !slices.Equal(ids, want) {
		t.Fatalf("IDs() with the items kept = %v, %v; want %s and %s", ids, err, added.ID, fake)
	}

	// Anything made in the directory, even behind noxenv's back, is a
	// change: the directory is read again.
	if err := os.MkdirAll(filepath.Join(st.Dir, "tool-3.0", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	later := keeping(t, st.Dir, cache)
	if e, err := later.Resolve(Request{Name: "tool"}); err != nil || e.ID != "tool-3.0" {
		t.Errorf("Resolve(tool) after a change = %v, %v; want tool-3.0", e, err)
	}
	if ids, err := later.Stores[0].IDs(); err != nil || !slices.Equal(ids, []string{added.ID}) {
		t.Errorf("IDs() after a change = %v, %v; want %s alone", ids, err, added.ID)
	}

	// So is a removal.
	if err := os.Remove(filepath.Join(st.Dir, "tool-3.0", "bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(st.Dir, "tool-3.0")); err != nil {
		t.Fatal(err)
	}
	waitSettled(t, st.Dir)
	if e, err := keeping(t, st.Dir, cache).Resolve(Request{Name: "tool"}); err != nil || e.ID != added.ID {
		t.Errorf("Resolve(tool) after a removal = %v, %v; want %s", e, err, added.ID)
	}
	if e, err := keeping(t, st.Dir, cache).Resolve(Request{Name: "tool"}); err != nil || e.ID != added.ID {
		t.Errorf("Resolve(tool) from the items kept after the removal = %v, %v; want %s", e, err, added.ID)
	}
}

// A kept file that is not one, or of another state of the directory, is
// not read; the items read instead replace it.
func TestKeptItemsDamaged(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "tool-1.0")
	testutil.WriteFiles(t, src, map[string]string{"bin/tool": "1.0"})
	added, _ := add(t, sp, st, src, AddOptions{})
	cache := t.TempDir()
	waitSettled(t, st.Dir)
	kept := keeping(t, st.Dir, cache).Stores[0].keptFile
	s, err := statDir(st.Dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	other := s
	other.ctime++
	for name, content := range map[string]string{
		"empty":           "",
		"garbage":         "\x00\xff not a list\n",
		"another state":   other.header(st.Dir) + "d" + added.ID + "\n",
		"bad flags":       s.header(st.Dir) + "z" + added.ID + "\n",
		"no item":         s.header(st.Dir) + "d.hidden\n",
		"unfinished line": s.header(st.Dir) + "d" + added.ID,
	} {
		if err := os.MkdirAll(filepath.Dir(kept), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(kept, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		sp := keeping(t, st.Dir, cache)
		if e, err := sp.Resolve(Request{Name: "tool"}); err != nil || e.ID != added.ID {
			t.Errorf("%s: Resolve(tool) = %v, %v; want %s", name, e, err, added.ID)
		}
		b, err := os.ReadFile(kept)
		if want := s.header(st.Dir) + "d" + added.ID + "\n"; err != nil || string(b) != want {
			t.Errorf("%s: kept file holds %q, %v; want %q", name, b, err, want)
		}
	}
}

func FuzzParseKept(f *testing.F) {
	const header = keptFormat + " 1 2 3 4 /store\n"
	id := strings.Repeat("a", 32) + "-tool-1.0"
	f.Add([]byte(header + "d" + id + "\nbtool-2.0\n"))
	f.Add([]byte(header + "a" + id + "\n"))
	f.Add([]byte(header))
	f.Add([]byte("d" + id + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, ok := parseKept(b, header)
		if !ok {
			return
		}
		// What parses is written back as it was read.
		out, ok := formatKept(items, header)
		if !ok || string(out) != string(b) {
			t.Fatalf("parseKept(%q) then formatKept = %q, %v", b, out, ok)
		}
	})
}
