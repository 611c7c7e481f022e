package store

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readItems lists what os.ReadDir lists, and says of each what
// DirEntry.IsDir says: odd names, names of every length, symlinks (to a
// directory too) and a directory too large for one read included.
func TestReadItems(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, dir bool) {
		t.Helper()
		var err error
		if dir {
			err = os.Mkdir(name, 0o755)
		} else {
			err = os.WriteFile(name, nil, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	odd := []string{"a b", "new\nline", "tab\there", "ünïcödé-1.0", "-", "..x", ".hidden", "\x01",
		strings.Repeat("l", 255), strings.Repeat("d", 254), "back\\slash", `quote"`}
	for i, n := range odd {
		mk(filepath.Join(dir, n), i%2 == 0)
	}
	// Several reads' worth of records.
	for i := range 3000 {
		mk(filepath.Join(dir, fmt.Sprintf("%032d-pkg%d-1.%d", i, i%7, i)), i%3 == 0)
	}
	if err := os.Symlink(".", filepath.Join(dir, "to-dir-1.0")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("missing", filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}

	items, err := readItems(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, it := range items {
		if _, twice := got[it.name]; twice {
			t.Errorf("%q listed twice", it.name)
		}
		got[it.name] = it.isDir
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, de := range des {
		want[de.Name()] = de.IsDir()
	}
	if !maps.Equal(got, want) {
		for n, d := range want {
			if g, ok := got[n]; !ok || g != d {
				t.Errorf("%q: listed %v (directory %v), want directory %v", n, ok, g, d)
			}
		}
		for n := range got {
			if _, ok := want[n]; !ok {
				t.Errorf("%q listed, not in the directory", n)
			}
		}
	}
	if got["to-dir-1.0"] || !got["a b"] {
		t.Errorf("a symlink to a directory is a directory, or a directory is not: %v, %v", got["to-dir-1.0"], got["a b"])
	}

	// Only the names keep takes, whatever those left out around them.
	even := func(name []byte) bool { return len(name)%2 == 0 }
	items, err = readItems(dir, even)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, it := range items {
		kept[it.name] = it.isDir
	}
	maps.DeleteFunc(want, func(name string, _ bool) bool { return !even([]byte(name)) })
	if !maps.Equal(kept, want) {
		t.Errorf("readItems with keep lists %d names, want %d", len(kept), len(want))
	}

	if _, err := readItems(filepath.Join(dir, "missing"), nil); !os.IsNotExist(err) {
		t.Errorf("readItems of a missing directory: %v, want a not-exist error", err)
	}
}
