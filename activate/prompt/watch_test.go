package prompt

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/noxenv/noxenv/internal/filetime"
)

func setTime(t *testing.T, path string, mt time.Time) {
	t.Helper()
	if err := os.Chtimes(path, mt, mt); err != nil {
		t.Fatal(err)
	}
}

func TestObserve(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if w := Observe(p); w.Exists || w.Unsure || w.ModTime != 0 {
		t.Errorf("missing file observed as %+v", w)
	}
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	setTime(t, p, old)
	if w := Observe(p); !w.Exists || w.Unsure || w.ModTime != old.UnixNano() {
		t.Errorf("old file observed as %+v, want its time %d", w, old.UnixNano())
	}

	// Written a moment ago with a fine time: observed once a write could
	// no longer get the same time.
	fresh := time.Now().Add(-time.Microsecond).Truncate(time.Microsecond).Add(7)
	setTime(t, p, fresh)
	w := Observe(p)
	if after := time.Now(); w.Unsure || w.ModTime != fresh.UnixNano() || !after.After(fresh.Add(filetime.Guard(fresh))) {
		t.Errorf("fresh file observed as %+v at %v; want settled after %v", w, after, fresh.Add(filetime.Guard(fresh)))
	}

	// Written this second on a file system keeping seconds: unsure, and
	// so a change.
	coarse := time.Now().Truncate(time.Second)
	setTime(t, p, coarse)
	if w := Observe(p); !w.Unsure || !w.Changed() {
		t.Errorf("file of a coarse time just now observed as %+v", w)
	}

	// A time set in the future cannot be given by a write now.
	future := time.Now().Add(time.Hour)
	setTime(t, p, future)
	if w := Observe(p); w.Unsure || w.ModTime != future.UnixNano() {
		t.Errorf("file of a future time observed as %+v", w)
	}
}

// TestChanged: any difference from the time the evaluation read is a
// change, earlier as well as later; the same time written again is not.
func TestChanged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	seen := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	for _, c := range []struct {
		name    string
		change  func(t *testing.T)
		changed bool
	}{
		{"nothing", func(*testing.T) {}, false},
		{"rewritten with the same time", func(t *testing.T) {
			os.WriteFile(p, []byte("y"), 0o644)
			setTime(t, p, seen)
		}, false},
		{"a nanosecond later", func(t *testing.T) { setTime(t, p, seen.Add(time.Nanosecond)) }, true},
		{"a nanosecond earlier", func(t *testing.T) { setTime(t, p, seen.Add(-time.Nanosecond)) }, true},
		{"replaced by an older file", func(t *testing.T) {
			q := filepath.Join(dir, "older")
			os.WriteFile(q, []byte("older"), 0o644)
			setTime(t, q, seen.Add(-time.Hour))
			os.Rename(q, p)
		}, true},
		{"a link pointed at an older file", func(t *testing.T) {
			q := filepath.Join(dir, "older")
			os.WriteFile(q, []byte("older"), 0o644)
			setTime(t, q, seen.Add(-time.Hour))
			os.Remove(p)
			os.Symlink("older", p)
		}, true},
		{"removed", func(*testing.T) { os.Remove(p) }, true},
	} {
		os.RemoveAll(dir)
		os.Mkdir(dir, 0o755)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		setTime(t, p, seen)
		w := Observe(p)
		c.change(t)
		if got := w.Changed(); got != c.changed {
			t.Errorf("%s: Changed() = %v, want %v", c.name, got, c.changed)
		}
	}
	absent := Observe(filepath.Join(dir, "absent"))
	if absent.Changed() {
		t.Error("an absent file still absent is a change")
	}
	os.WriteFile(absent.Path, nil, 0o644)
	if !absent.Changed() {
		t.Error("an absent file appearing is no change")
	}
}

// TestChangedLink: a watched link leading to another file is a change,
// even to a file of the very same time; its target rewritten keeping its
// time is not (as for any file).
func TestChangedLink(t *testing.T) {
	seen := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	for _, c := range []struct {
		name    string
		change  func(t *testing.T, dir string)
		changed bool
	}{
		{"nothing", func(*testing.T, string) {}, false},
		{"target rewritten with its time", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "a"), []byte("y"), 0o644)
			setTime(t, filepath.Join(dir, "a"), seen)
		}, false},
		{"pointed at a file of the same time", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "link"))
			os.Symlink("b", filepath.Join(dir, "link"))
		}, true},
		{"replaced by a copy of its target", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "link"))
			os.WriteFile(filepath.Join(dir, "link"), []byte("a"), 0o644)
			setTime(t, filepath.Join(dir, "link"), seen)
		}, true},
	} {
		dir := t.TempDir()
		for _, n := range []string{"a", "b"} {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
				t.Fatal(err)
			}
			setTime(t, filepath.Join(dir, n), seen)
		}
		if err := os.Symlink("a", filepath.Join(dir, "link")); err != nil {
			t.Fatal(err)
		}
		w := Observe(filepath.Join(dir, "link"))
		if w.Target != filepath.Join(dir, "a") {
			t.Fatalf("link observed as %+v, want its target", w)
		}
		c.change(t, dir)
		if got := w.Changed(); got != c.changed {
			t.Errorf("%s: Changed() = %v, want %v", c.name, got, c.changed)
		}
	}
}

// TestRewatch: the evaluation's own write of a watched file is no change,
// unless the file no longer holds what it wrote.
func TestRewatch(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	ws := []Watch{Observe(p)}
	if err := os.WriteFile(p, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	Rewatch(ws, p, []byte("mine"))
	if ws[0].Changed() {
		t.Errorf("own write is a change: %+v", ws[0])
	}
	ws = []Watch{Observe(p)}
	if err := os.WriteFile(p, []byte("theirs"), 0o644); err != nil {
		t.Fatal(err)
	}
	Rewatch(ws, p, []byte("mine"))
	if !ws[0].Changed() {
		t.Errorf("another's write after the own one is no change: %+v", ws[0])
	}
}
