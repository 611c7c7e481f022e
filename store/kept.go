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
// change times. Adding, removing or renaming anything in a directory
// changes its change time, which no one can set; a write right after the
// listing might leave it as it was (see package filetime), so a directory
// changed within its guard of the listing is not kept. Where times come
// from another machine's clock (a network file system), a directory
// changed in the last remoteAge is not kept either: the two clocks may
// disagree by more than the guard.
//
// The directory is opened once: its state is taken from the open
// directory (which, over NFS, asks the server, as a stat need not), and
// its items, when nothing kept holds, are read from it.

// keptFormat heads a file of kept items; keptEnd is its last line.
const (
	keptFormat = "noxenv-store-items-2"
	keptEnd    = ".\n"
)

// remoteAge is how long ago a directory on a file system whose times
// another machine's clock gives must have changed last for its items to
// be kept.
const remoteAge = time.Minute

// clock is the time the state of a store's directory is taken at.
var clock = time.Now

// CacheItemsIn makes each store of sp keep the items of its directory
// in a file of dir, for a later process to read instead of the directory
// while the directory is unchanged. The file is named for the host and
// the store's path: a cache directory that several hosts share (a home
// on NFS) may see stores of one path that are different directories.
// Only resolutions and listings read it; gc reads the directory itself.
func (sp *SearchPath) CacheItemsIn(dir string) {
	var u unix.Utsname
	host := ""
	if unix.Uname(&u) == nil {
		host = unix.ByteSliceToString(u.Nodename[:])
	}
	for _, st := range sp.Stores {
		sum := sha256.Sum256([]byte(host + "\x00" + st.Dir))
		st.keptFile = filepath.Join(dir, hex.EncodeToString(sum[:16]))
	}
}

// dirState is what tells a store's directory changed.
type dirState struct {
	dev, ino     uint64
	mtime, ctime int64 // Unix nanoseconds
	// keepable says that no later change can leave the state as it is.
	keepable bool
}

// stateOf returns the state at now of the directory open at fd.
func stateOf(fd int, now time.Time) (dirState, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return dirState{}, err
	}
	var fs unix.Statfs_t
	if err := unix.Fstatfs(fd, &fs); err != nil {
		return dirState{}, err
	}
	if !localTimes(fs.Type) {
		now = now.Add(-remoteAge)
	}
	ct := time.Unix(st.Ctim.Unix())
	return dirState{
		dev: st.Dev, ino: st.Ino,
		mtime: time.Unix(st.Mtim.Unix()).UnixNano(), ctime: ct.UnixNano(),
		keepable: filetime.Past(ct, now),
	}, nil
}

// localTimes reports whether the file system of type typ (statfs's
// f_type) stamps its files with this machine's clock.
func localTimes(typ int64) bool {
	switch uint32(typ) {
	case unix.EXT4_SUPER_MAGIC, unix.XFS_SUPER_MAGIC, unix.BTRFS_SUPER_MAGIC,
		unix.TMPFS_MAGIC, unix.OVERLAYFS_SUPER_MAGIC, unix.F2FS_SUPER_MAGIC,
		unix.BCACHEFS_SUPER_MAGIC, unix.MSDOS_SUPER_MAGIC, unix.EXFAT_SUPER_MAGIC,
		0x2fc12fc1: // ZFS
		return true
	}
	return false
}

// header is the first line of the file keeping the items of dir in state
// s. It names dir: the file's name is but 128 bits of a hash of it.
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

// parseKept parses a file of kept items whose first line must be
// header, then a line an item, its flags (a letter: 'a', plus 1 when it
// is a directory and 2 when it has metadata) and its name, and last
// keptEnd: a file cut short (a crash before it reached the disk) is not
// read. ok is false for anything else.
func parseKept(b []byte, header string) (items []storeItem, ok bool) {
	rest, found := bytes.CutPrefix(b, []byte(header))
	if !found {
		return nil, false
	}
	if rest, found = bytes.CutSuffix(rest, []byte(keptEnd)); !found {
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
	n := len(header) + len(keptEnd)
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
	return append(b, keptEnd...), true
}

// writeKept writes items, read from st's directory in state s, into st's
// file, built aside and renamed into place. Keeping is an optimization:
// a cache that cannot be written is left as it is.
func (st *Store) writeKept(items []storeItem, s dirState) {
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
