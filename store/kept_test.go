package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/internal/testutil"
	"golang.org/x/sys/unix"
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

// toolStore makes a store holding tool 1.0, its entry.
func toolStore(t *testing.T) (*Store, *Entry) {
	t.Helper()
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "tool-1.0")
	testutil.WriteFiles(t, src, map[string]string{"bin/tool": "1.0"})
	added, _ := add(t, sp, st, src, AddOptions{})
	return st, added
}

// dirStateNow returns the state of dir now.
func dirStateNow(t *testing.T, dir string) dirState {
	t.Helper()
	fd, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	s, err := stateOf(fd, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitSettled waits until no change can leave dir's state as it is.
func waitSettled(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(remoteAge + 10*time.Second)
	for !dirStateNow(t, dir).keepable {
		if time.Now().After(deadline) {
			t.Fatalf("%s not settled in time", dir)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A process reads the items an earlier one kept while the store's
// directory is unchanged, and the directory again after any change to it.
func TestKeptItems(t *testing.T) {
	st, added := toolStore(t)
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
	b = append(bytes.TrimSuffix(b, []byte(keptEnd)), "d"+fake+"\n"+keptEnd...)
	if err := os.WriteFile(kept, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ids, err := keeping(t, st.Dir, cache).Stores[0].IDs()
	if want := slices.Sorted(slices.Values([]string{added.ID, fake})); err != nil || !slices.Equal(ids, want) {
		t.Fatalf("IDs() with the items kept = %v, %v; want %s and %s", ids, err, added.ID, fake)
	}

	// Anything made in the directory, even behind noxenv's back, is a
	// change: the directory is read again.
	// Its modification time put back as it was (rsync -a, tar -x):
	// the change time still tells.
	before := time.Unix(0, dirStateNow(t, st.Dir).mtime)
	if err := os.MkdirAll(filepath.Join(st.Dir, "tool-3.0", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(st.Dir, before, before); err != nil {
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
	st, added := toolStore(t)
	cache := t.TempDir()
	waitSettled(t, st.Dir)
	kept := keeping(t, st.Dir, cache).Stores[0].keptFile
	s := dirStateNow(t, st.Dir)
	other := s
	other.ctime++
	for name, content := range map[string]string{
		"empty":           "",
		"garbage":         "\x00\xff not a list\n",
		"another state":   other.header(st.Dir) + "d" + added.ID + "\n" + keptEnd,
		"bad flags":       s.header(st.Dir) + "z" + added.ID + "\n" + keptEnd,
		"no item":         s.header(st.Dir) + "d.hidden\n" + keptEnd,
		"unfinished line": s.header(st.Dir) + "d" + added.ID,
		"cut short":       s.header(st.Dir) + "d" + added.ID + "\n",
		"no header":       "d" + added.ID + "\n" + keptEnd,
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
		if want := s.header(st.Dir) + "d" + added.ID + "\n" + keptEnd; err != nil || string(b) != want {
			t.Errorf("%s: kept file holds %q, %v; want %q", name, b, err, want)
		}
	}
}

func FuzzParseKept(f *testing.F) {
	const header = keptFormat + " 1 2 3 4 /store\n"
	id := strings.Repeat("a", 32) + "-tool-1.0"
	f.Add([]byte(header + "d" + id + "\nbtool-2.0\n" + keptEnd))
	f.Add([]byte(header + "a" + id + "\n" + keptEnd))
	f.Add([]byte(header + keptEnd))
	f.Add([]byte(header + "d" + id + "\n"))
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

// A directory changed just before it was read is not kept: a change
// right after could leave its times as they were.
func TestKeptItemsUnsettled(t *testing.T) {
	st, _ := toolStore(t)
	cache := t.TempDir()
	changed := time.Unix(0, dirStateNow(t, st.Dir).ctime)
	defer func() { clock = time.Now }()
	clock = func() time.Time { return changed }
	if _, err := keeping(t, st.Dir, cache).Resolve(Request{Name: "tool"}); err != nil {
		t.Fatal(err)
	}
	if kept, _ := os.ReadDir(cache); len(kept) != 0 {
		t.Errorf("items of a directory changed at the listing kept: %v", kept)
	}
	clock = func() time.Time { return changed.Add(remoteAge + time.Minute) }
	if _, err := keeping(t, st.Dir, cache).Resolve(Request{Name: "tool"}); err != nil {
		t.Fatal(err)
	}
	if kept, _ := os.ReadDir(cache); len(kept) != 1 {
		t.Errorf("items of a directory changed long before not kept: %v", kept)
	}
}

// A FIFO where the kept file goes does not block: the directory is read.
func TestKeptItemsFIFO(t *testing.T) {
	st, added := toolStore(t)
	kp := keeping(t, st.Dir, t.TempDir())
	if err := unix.Mkfifo(kp.Stores[0].keptFile, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		e, err := kp.Resolve(Request{Name: "tool"})
		if err == nil && e.ID != added.ID {
			err = fmt.Errorf("resolved %s", e.ID)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Resolve blocked on a FIFO in place of the kept file")
	}
}

// Times another machine's clock gives are trusted only long after.
func TestLocalTimes(t *testing.T) {
	for _, c := range []struct {
		typ  int64
		want bool
	}{
		{unix.EXT4_SUPER_MAGIC, true},
		{unix.TMPFS_MAGIC, true},
		{unix.XFS_SUPER_MAGIC, true},
		{unix.NFS_SUPER_MAGIC, false},
		{unix.FUSE_SUPER_MAGIC, false}, // CVMFS, sshfs
		{unix.CIFS_SUPER_MAGIC, false},
	} {
		if got := localTimes(c.typ); got != c.want {
			t.Errorf("localTimes(%#x) = %v, want %v", c.typ, got, c.want)
		}
	}
}
