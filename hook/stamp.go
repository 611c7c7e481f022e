package hook

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// stampDays is how many days a stamp is kept. A shell whose stamp was
// removed exports once more and gets a new one.
const stampDays = 7

// Stamp returns a file in dir whose modification time is exactly t, for a
// shell to compare a watched file with (test -nt, -ot): the file is
// unchanged when neither is newer. Stamps are shared by every shell, never
// modified once in place (each is built aside and renamed into place), and
// kept in a directory per day of their making, removed after stampDays.
// It returns false when dir's file system cannot keep t exactly.
func Stamp(dir string, t time.Time) (string, bool, error) {
	day := filepath.Join(dir, strconv.FormatInt(time.Now().Unix()/86400, 10))
	path := filepath.Join(day, strconv.FormatInt(t.UnixNano(), 10))
	if _, err := os.Stat(path); err == nil {
		return path, true, nil
	}
	if _, err := os.Stat(day); err != nil {
		if err := os.MkdirAll(day, 0o700); err != nil {
			return "", false, fmt.Errorf("stamp: %w", err)
		}
		removeOldStamps(dir, day)
	}
	f, err := os.CreateTemp(day, ".stamp-*")
	if err != nil {
		return "", false, fmt.Errorf("stamp: %w", err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	if err := os.Chtimes(tmp, t, t); err != nil {
		return "", false, fmt.Errorf("stamp: %w", err)
	}
	if fi, err := os.Stat(tmp); err != nil || !fi.ModTime().Equal(t) {
		return "", false, nil
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", false, fmt.Errorf("stamp: %w", err)
	}
	return path, true, nil
}

// removeOldStamps removes the days of stamps older than stampDays before
// day, the one just made.
func removeOldStamps(dir, day string) {
	today, _ := strconv.ParseInt(filepath.Base(day), 10, 64)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if d, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && today-d > stampDays {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// ReloadFile is the file `noxenv reload` rewrites and every shell watches.
func ReloadFile(dir string) string { return filepath.Join(dir, "reload") }

// Reload makes every shell's next prompt export again: the reload file
// gets a new time and new content (the time, so that shells that compare
// content see the change too).
func Reload(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	if err := writeFile(ReloadFile(dir), strconv.FormatInt(time.Now().UnixNano(), 10)+"\n"); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	return nil
}
