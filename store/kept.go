package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/noxenv/noxenv/internal/filetime"
	"golang.org/x/sys/unix"
)

// Reading a store's directory costs the kernel about a microsecond an
// item (a store holds three an entry), every command that resolves a
// name. So the items a process reads are kept, in a file of the user's
// cache, for the next process to read instead while the directory is
// unchanged: the same device and inode, and the same modification and
// change times. Adding or removing anything in a directory changes both
// times; a write right after the listing might leave them as they were
// (see package filetime), so a directory changed within its guard of the
// listing is not kept.

// keptFormat heads a file of kept items.
const keptFormat = "noxenv-store-items-1"

// CacheItemsIn makes each store of sp keep the items of its directory
// in a file of dir, named for the store's path, for a later process to
// read instead of the directory while the directory is unchanged. Only
// resolutions and listings read it; gc reads the directory itself.
func (sp *SearchPath) CacheItemsIn(dir string) {
	for _, st := range sp.Stores {
		sum := sha256.Sum256([]byte(st.Dir))
		st.keptFile = filepath.Join(dir, hex.EncodeToString(sum[:16]))
	}
}

// dirState is what tells a store's directory changed.
type dirState struct {
	dev, ino     uint64
	mtime, ctime int64 // Unix nanoseconds
	settled      bool  // no write to come can leave both times as they are
}

// statDir returns the state of dir at now.
func statDir(dir string, now time.Time) (dirState, error) {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return dirState{}, err
	}
	mt, ct := time.Unix(st.Mtim.Unix()), time.Unix(st.Ctim.Unix())
	return dirState{
		dev: st.Dev, ino: st.Ino,
		mtime: mt.UnixNano(), ctime: ct.UnixNano(),
		settled: filetime.Settled(mt, now) && filetime.Settled(ct, now),
	}, nil
}

// header is the first line of the file keeping the items of dir in state s.
func (s dirState) header(dir string) string {
	return keptFormat + " " + strconv.FormatUint(s.dev, 10) + " " + strconv.FormatUint(s.ino, 10) + " " +
		strconv.FormatInt(s.mtime, 10) + " " + strconv.FormatInt(s.ctime, 10) + " " + dir + "\n"
}

// keptItems returns the items kept in st's file while its directory is
// in the state s, and false when there are none to trust.
func (st *Store) keptItems(s dirState) (items []storeItem, ok bool) {
	err := readFile(st.keptFile, func(b []byte) error {
		items, ok = parseKept(b, s.header(st.Dir))
		return nil
	})
	return items, err == nil && ok
}

// parseKept parses a file of kept items whose first line must be header,
// then a line an item: its flags (a letter, 'a' plus 1 when it is a
// directory and 2 when it has metadata) and its name. ok is false when the file does not
// start with header or holds a line that is no item.
func parseKept(b []byte, header string) (items []storeItem, ok bool) {
	rest, found := bytes.CutPrefix(b, []byte(header))
	if !found {
		return nil, false
	}
	// The names share one string, as those of a directory read do.
	s := string(rest)
	items = make([]storeItem, 0, strings.Count(s, "\n"))
	for s != "" {
		line, after, found := strings.Cut(s, "\n")
		if !found || len(line) < 2 || line[0] < 'a' || line[0] > 'd' {
			return nil, false
		}
		it, isItem := parseItem(line[1:])
		if !isItem {
			return nil, false
		}
		flags := line[0] - 'a'
		it.isDir, it.hasInfo = flags&1 != 0, flags&2 != 0
		items = append(items, it)
		s = after
	}
	return items, true
}

// formatKept is the file keeping items, read from a directory in the
// state header gives; false when an item's name cannot be kept on a line.
func formatKept(items []storeItem, header string) ([]byte, bool) {
	n := len(header)
	for _, it := range items {
		n += len(it.name) + 2
	}
	b := make([]byte, 0, n)
	b = append(b, header...)
	for _, it := range items {
		if strings.Contains(it.name, "\n") {
			return nil, false
		}
		flags := byte('a')
		if it.isDir {
			flags++
		}
		if it.hasInfo {
			flags += 2
		}
		b = append(b, flags)
		b = append(b, it.name...)
		b = append(b, '\n')
	}
	return b, true
}

// keep writes items, read from st's directory in state s, into st's
// file, built aside and renamed into place. Keeping is an optimization:
// a cache that cannot be written is left as it is.
func (st *Store) keep(items []storeItem, s dirState) {
	if strings.Contains(st.Dir, "\n") {
		return
	}
	b, ok := formatKept(items, s.header(st.Dir))
	if !ok {
		return
	}
	dir := filepath.Dir(st.keptFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".items-*")
	if err != nil {
		return
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), st.keptFile)
	}
	if err != nil {
		os.Remove(f.Name())
	}
}
