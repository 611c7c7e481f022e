package prompt

import (
	"bytes"
	"os"
	"path/filepath"
	"time"

	"github.com/noxenv/noxenv/internal/filetime"
	"github.com/noxenv/noxenv/internal/plainfile"
)

// Watch is a file whose change, appearance or removal needs a new
// evaluation, as the evaluation saw it: whether it existed and its
// modification time, taken before the evaluation read it.
type Watch struct {
	Path   string
	Exists bool
	// ModTime is the file's modification time (Unix nanoseconds); 0 when
	// it did not exist.
	ModTime int64
	// Unsure says the file had changed so recently, on a file system
	// whose times are coarse, that a later change could carry the same
	// time: it counts as changed until an evaluation sees it settled.
	Unsure bool
	// Target, when Path was a symbolic link, is the file it led to: Path
	// leading to another file is a change, whatever its time (two files
	// of one archive have the same).
	Target string
}

// Changed reports whether the file differs from what the evaluation saw:
// it appeared, vanished, or its modification time differs, later or
// earlier (a file replaced by an older one is a change, as for direnv),
// or the link it was leads to another file.
func (w Watch) Changed() bool {
	if w.Unsure {
		return true
	}
	fi, err := os.Stat(w.Path)
	if err != nil {
		return w.Exists
	}
	if !w.Exists || fi.ModTime().UnixNano() != w.ModTime {
		return true
	}
	if w.Target != "" {
		ti, err := os.Stat(w.Target)
		return err != nil || !os.SameFile(fi, ti)
	}
	return false
}

// Observe returns what path is now, to be taken before the file is read:
// any change after it then shows as a different modification time.
//
// A write gets the time of the kernel's coarse clock, cut to what the
// file system keeps, so a write right after a file was written can carry
// the very same time. A file whose time is within that guard of now is
// therefore observed again once the guard has passed (a few milliseconds
// on file systems that keep fine times); where times are coarse (whole
// seconds, FAT's two), waiting is too slow, and the file is Unsure.
func Observe(path string) Watch {
	for try := 0; ; try++ {
		now := time.Now()
		// One lstat for a file that is not a link, as a stat would.
		target := ""
		fi, err := os.Lstat(path)
		if err == nil && fi.Mode()&os.ModeSymlink != 0 {
			if t, err := filepath.EvalSymlinks(path); err == nil {
				target, _ = filepath.Abs(t)
			}
			fi, err = os.Stat(path)
		}
		if err != nil {
			return Watch{Path: path}
		}
		mt := fi.ModTime()
		w := Watch{Path: path, Exists: true, ModTime: mt.UnixNano(), Target: target}
		if filetime.Settled(mt, now) {
			return w
		}
		g := filetime.Guard(mt)
		if g > maxGuardWait || try == 2 {
			w.Unsure = true
			return w
		}
		time.Sleep(mt.Add(g).Sub(now))
	}
}

// maxGuardWait is the longest guard observe waits out rather than
// calling a file Unsure.
const maxGuardWait = 50 * time.Millisecond

// Rewatch observes again, in ws, the watched file path that the
// evaluation itself has just written with data: its own write is then no
// change. When the file no longer holds data (someone else wrote it
// meanwhile), the earlier observation stays, and the next prompt
// evaluates again.
func Rewatch(ws []Watch, path string, data []byte) {
	for i := range ws {
		if ws[i].Path != path {
			continue
		}
		w := Observe(path)
		if cur, err := plainfile.ReadFile(path); err == nil && bytes.Equal(cur, data) {
			ws[i] = w
		}
		return
	}
}

// SecondsTell reports whether, the file being unchanged at now, any later
// write to it gets a modification time in a later whole second than
// ModTime: whether a shell that compares whole seconds (tcsh) sees it.
func (w Watch) SecondsTell(now time.Time) bool {
	mt := time.Unix(0, w.ModTime)
	return now.Add(-filetime.Guard(mt)).Unix() > mt.Unix()
}
