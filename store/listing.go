package store

import (
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
)

// ListingSuffix ends the name of ID.noxdirs beside an entry: the names in
// its shallower directories, written when the entry is added, so that
// realizing a profile need not read the directories several entries share
// (bin/, lib/, share/man/man1/, ...) from every one of them.
//
// The file is "noxdirs 1" and NUL, then one block per listed directory,
// shallowest first: "/" and the directory's path relative to the entry
// ("/" alone for the root), NUL, the length in bytes of its names, NUL,
// then each name in the directory prefixed by 'd' (a directory) or 'f'
// (anything else: a file or a symlink) and ended by NUL. A directory is
// listed whole or not at all, and listings stop once maxListed names are
// recorded: what is not listed is read from the tree. The file is an aid:
// an entry without one (a plain entry, one added by an older noxenv) is
// read from its tree.
const ListingSuffix = ".noxdirs"

const listingMagic = "noxdirs 1"

// maxListed bounds the names an entry's listing records, and so its size.
const maxListed = 4096

// Child is one name in a directory of an entry.
type Child struct {
	Name  string
	IsDir bool
}

// Listing is an entry's ID.noxdirs.
type Listing struct {
	dirs map[string]string // relative path ("" for the root) → its block of names
}

// ReadListing reads the listing beside the entry directory dir; it returns
// nil and no error when there is none.
func ReadListing(dir string) (*Listing, error) {
	var l *Listing
	err := readFile(dir+ListingSuffix, func(data []byte) error {
		var err error
		if l, err = parseListing(string(data)); err != nil {
			return fmt.Errorf("%s%s: %w", dir, ListingSuffix, err)
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

var errBadListing = errors.New("not a valid listing")

func parseListing(s string) (*Listing, error) {
	rest, ok := strings.CutPrefix(s, listingMagic+"\x00")
	if !ok {
		return nil, errBadListing
	}
	// Each block's header starts after a NUL with "/", which no name does.
	l := &Listing{dirs: make(map[string]string, strings.Count(s, "\x00/"))}
	for rest != "" {
		header, after, ok1 := strings.Cut(rest, "\x00")
		size, after, ok2 := strings.Cut(after, "\x00")
		n, err := strconv.Atoi(size)
		if !ok1 || !ok2 || err != nil || n < 0 || n > len(after) || !strings.HasPrefix(header, "/") {
			return nil, errBadListing
		}
		rel := strings.TrimPrefix(header, "/")
		if _, dup := l.dirs[rel]; dup || (rel != "" && !validRel(rel)) {
			return nil, errBadListing
		}
		l.dirs[rel] = after[:n]
		rest = after[n:]
	}
	return l, nil
}

// validRel reports whether rel is a clean relative path inside an entry.
func validRel(rel string) bool {
	for {
		c, rest, more := strings.Cut(rel, "/")
		if !validName(c) {
			return false
		}
		if !more {
			return true
		}
		rel = rest
	}
}

// validName reports whether name can be a name in a directory.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00")
}

// Dir returns the names in the directory rel ("" for the root, else
// "/"-separated), and false when the listing does not record it, or not
// in a form it can use (which a reader takes as unrecorded).
func (l *Listing) Dir(rel string) ([]Child, bool) {
	block, ok := l.dirs[rel]
	if !ok {
		return nil, false
	}
	children := make([]Child, 0, strings.Count(block, "\x00"))
	for block != "" {
		rec, rest, ok := strings.Cut(block, "\x00")
		if !ok || len(rec) < 2 || (rec[0] != 'd' && rec[0] != 'f') || !validName(rec[1:]) {
			return nil, false
		}
		children = append(children, Child{Name: rec[1:], IsDir: rec[0] == 'd'})
		block = rest
	}
	return children, true
}

// childrenOf groups the items of a tree by their directory ("" for the
// root), each directory's in name order.
func childrenOf(items []*item) map[string][]*item {
	children := map[string][]*item{"": nil}
	for _, it := range items {
		if it.kind == kindDir {
			if _, ok := children[it.path]; !ok {
				children[it.path] = nil
			}
		}
		parent := path.Dir(it.path)
		if parent == "." {
			parent = ""
		}
		children[parent] = append(children[parent], it)
	}
	for _, cs := range children {
		sort.Slice(cs, func(i, j int) bool { return cs[i].path < cs[j].path })
	}
	return children
}

// childOf is it as a name in its directory.
func childOf(it *item) Child {
	return Child{Name: path.Base(it.path), IsDir: it.kind == kindDir}
}

// listingOf makes the listing of the tree of items: its directories
// shallowest first, while they fit in maxListed names.
func listingOf(items []*item) []byte {
	children := childrenOf(items)
	dirs := make([]string, 0, len(children))
	for d := range children {
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool {
		di, dj := depth(dirs[i]), depth(dirs[j])
		if di != dj {
			return di < dj
		}
		return dirs[i] < dirs[j]
	})
	b := []byte(listingMagic + "\x00")
	listed := 0
	var block []byte
	for _, d := range dirs {
		cs := children[d]
		if listed += len(cs); listed > maxListed {
			break
		}
		block = block[:0]
		for _, it := range cs {
			c := childOf(it)
			kind := byte('f')
			if c.IsDir {
				kind = 'd'
			}
			block = append(block, kind)
			block = append(block, c.Name...)
			block = append(block, 0)
		}
		b = append(b, '/')
		b = append(b, d...)
		b = append(b, 0)
		b = strconv.AppendInt(b, int64(len(block)), 10)
		b = append(b, 0)
		b = append(b, block...)
	}
	return b
}

// listingMatches reports whether every directory the listing data records
// is a directory of the tree of items, recorded whole and as it is.
// Which directories it records is the writer's choice.
func listingMatches(data []byte, items []*item) bool {
	l, err := parseListing(string(data))
	if err != nil {
		return false
	}
	children := childrenOf(items)
	for rel := range l.dirs {
		got, ok := l.Dir(rel)
		want, isDir := children[rel]
		if !ok || !isDir || len(got) != len(want) {
			return false
		}
		for i, it := range want {
			if got[i] != childOf(it) {
				return false
			}
		}
	}
	return true
}

func depth(rel string) int {
	if rel == "" {
		return 0
	}
	return strings.Count(rel, "/") + 1
}
