package hook

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// StampTime is the time an export started reading files at now, moved back
// to the previous whole second and one more: a file modified after now has a
// later modification time even on a filesystem that keeps whole seconds or
// updates times in coarse ticks. A file modified just before now may look
// newer too; that costs one more export, never a missed change.
func StampTime(now time.Time) time.Time {
	return now.Truncate(time.Second).Add(-time.Second)
}

// stampMaxAge is how long a stamp file is kept. A shell whose stamp was
// removed exports once more (test -nt is true against a missing file) and
// gets a new one.
const stampMaxAge = 7 * 24 * time.Hour

// Stamp returns the stamp file in dir whose modification time is t (a
// StampTime), creating it if needed. A stamp is never modified once in
// place, so that shells sharing it compare against the same time: it is
// built aside and renamed into place.
func Stamp(dir string, t time.Time) (string, error) {
	path := filepath.Join(dir, "stamp-"+strconv.FormatInt(t.Unix(), 10))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("stamp: %w", err)
	}
	f, err := os.CreateTemp(dir, ".stamp-*")
	if err != nil {
		return "", fmt.Errorf("stamp: %w", err)
	}
	tmp := f.Name()
	f.Close()
	if err := os.Chtimes(tmp, t, t); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("stamp: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("stamp: %w", err)
	}
	removeOldStamps(dir, t)
	return path, nil
}

// removeOldStamps runs when a new stamp is made, at most once a second.
func removeOldStamps(dir string, t time.Time) {
	names, _ := filepath.Glob(filepath.Join(dir, "stamp-*"))
	for _, p := range names {
		sec, err := strconv.ParseInt(strings.TrimPrefix(filepath.Base(p), "stamp-"), 10, 64)
		if err == nil && t.Sub(time.Unix(sec, 0)) > stampMaxAge {
			os.Remove(p)
		}
	}
}

// ReloadFile is the file `noxenv reload` touches and every shell watches.
func ReloadFile(dir string) string { return filepath.Join(dir, "reload") }

// Reload makes every shell's next prompt export again.
func Reload(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	now := time.Now()
	path := ReloadFile(dir)
	if err := os.Chtimes(path, now, now); err == nil {
		return nil
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	return nil
}
