package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/noxenv/noxenv/store"
)

// rank orders the providers of one file: a lower priority wins, and at
// equal priority a member wins over an entry that is only in the closure.
type rank struct {
	priority int
	dep      bool
}

func (r rank) less(o rank) bool {
	if r.priority != o.priority {
		return r.priority < o.priority
	}
	return !r.dep && o.dep
}

// provider is an entry taking part in the union, with its rank.
type provider struct {
	e *store.Entry
	r rank
}

// link is one operation of a plan: a directory when target is "", else a
// symlink to target. path is relative to the generation's root.
type link struct {
	path, target string
}

// ConflictError is two entries providing the same file with the same rank
// and different contents.
type ConflictError struct {
	Path string // relative to the profile's root
	A, B string // the entries' ids
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("conflict: %s is provided by both %s and %s", e.Path, e.A, e.B)
}

// Hint names the fix.
func (e *ConflictError) Hint() string {
	return "give one of them a lower priority number (it wins), e.g. --priority 4"
}

// plan computes the directories and symlinks of the union of provs: a
// directory only one entry provides becomes one symlink (folded), a
// directory several provide is a real directory whose children are planned
// in turn. Only directories several entries share are looked at, in the
// entries' listings (store.ReadListing: those in listed, else read now)
// where they record them, else on disk. The plan goes to emit a batch at a
// time, in order: a directory comes right before what it holds.
func plan(provs []provider, listed map[*store.Entry]*store.Listing, emit func([]link)) error {
	p := planner{emit: emit, listings: make(map[*store.Entry]*store.Listing, len(provs))}
	var unread []*store.Entry
	for _, pr := range provs {
		if l, ok := listed[pr.e]; ok {
			p.listings[pr.e] = l
		} else {
			unread = append(unread, pr.e)
		}
	}
	listings := make([]*store.Listing, len(unread))
	parallel(len(unread), func(i int) error {
		listings[i] = readListing(unread[i])
		return nil
	})
	for i, e := range unread {
		p.listings[e] = listings[i]
	}
	if err := p.dir("", provs); err != nil {
		return err
	}
	if len(p.batch) > 0 {
		emit(p.batch)
	}
	return nil
}

// readListing returns e's listing, or nil: a listing that cannot be read
// only means reading the tree.
func readListing(e *store.Entry) *store.Listing {
	if e.Plain() {
		return nil
	}
	l, _ := store.ReadListing(e.Path)
	return l
}

// planBatch is how many links the planner hands on at a time.
const planBatch = 256

type planner struct {
	batch    []link
	emit     func([]link)
	listings map[*store.Entry]*store.Listing // nil for an entry without one
}

func (pl *planner) add(l link) {
	pl.batch = append(pl.batch, l)
	if len(pl.batch) == planBatch {
		pl.emit(pl.batch)
		pl.batch = make([]link, 0, planBatch)
	}
}

// candidate is one provider's child of a directory being merged.
type candidate struct {
	p     provider
	isDir bool
}

func (pl *planner) dir(rel string, provs []provider) error {
	if len(provs) == 1 && rel != "" {
		pl.add(link{rel, provs[0].e.Path + "/" + rel})
		return nil
	}
	if rel != "" {
		pl.add(link{path: rel})
	}
	listings, err := pl.readDirs(provs, rel)
	if err != nil {
		return err
	}
	// Every provider's children, by name and, for one name, in the
	// providers' order.
	n := 0
	for _, cs := range listings {
		n += len(cs)
	}
	children := make([]namedCandidate, 0, n)
	for i, p := range provs {
		for _, c := range listings[i] {
			if rel == "" && c.Name == ManifestFile {
				continue
			}
			children = append(children, namedCandidate{c.Name, candidate{p, c.IsDir}})
		}
	}
	slices.SortStableFunc(children, func(a, b namedCandidate) int { return strings.Compare(a.name, b.name) })
	var cs []candidate
	for i := 0; i < len(children); {
		name := children[i].name
		cs = cs[:0]
		for ; i < len(children) && children[i].name == name; i++ {
			cs = append(cs, children[i].candidate)
		}
		if err := pl.child(join(rel, name), cs); err != nil {
			return err
		}
	}
	return nil
}

// namedCandidate is a candidate for the name in a directory.
type namedCandidate struct {
	name string
	candidate
}

// join is the path of name in the directory rel of a tree ("" its root).
// Paths of the plan are clean by construction: entries' directories are,
// and names come from directory listings (store.Listing checks its own),
// so nothing needs cleaning.
func join(rel, name string) string {
	if rel == "" {
		return name
	}
	return rel + "/" + name
}

// readDirs lists directory rel of every provider: from its listing when
// that records rel, else from its tree, several at a time.
func (pl *planner) readDirs(provs []provider, rel string) ([][]store.Child, error) {
	out := make([][]store.Child, len(provs))
	var unlisted []int
	for i, p := range provs {
		if l := pl.listings[p.e]; l != nil {
			if cs, ok := l.Dir(rel); ok {
				out[i] = cs
				continue
			}
		}
		unlisted = append(unlisted, i)
	}
	err := parallel(len(unlisted), func(j int) error {
		i := unlisted[j]
		des, err := os.ReadDir(filepath.Join(provs[i].e.Path, rel))
		if err != nil {
			return fmt.Errorf("entry %s: %w", provs[i].e.ID, err)
		}
		out[i] = make([]store.Child, len(des))
		for k, de := range des {
			out[i][k] = store.Child{Name: de.Name(), IsDir: de.IsDir()}
		}
		return nil
	})
	return out, err
}

// parallel calls f(0) ... f(n-1), eight at a time, and joins their errors.
// Eight goroutines take the calls in turn rather than one goroutine each:
// a goroutine's stack grows by copying into memory the process has not
// touched yet, which costs page faults every time afresh.
func parallel(n int, f func(i int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, 8) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				errs[i] = f(i)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// child places one name provided by the candidates cs.
func (pl *planner) child(rel string, cs []candidate) error {
	if len(cs) == 1 {
		// A file, or a directory folded: a link either way.
		pl.add(link{rel, cs[0].p.e.Path + "/" + rel})
		return nil
	}
	best := cs[0].p.r
	allDirs := true
	for _, c := range cs {
		if c.p.r.less(best) {
			best = c.p.r
		}
		allDirs = allDirs && c.isDir
	}
	var top []candidate
	for _, c := range cs {
		if c.p.r == best {
			top = append(top, c)
		}
	}
	topDirs := true
	for _, c := range top {
		topDirs = topDirs && c.isDir
	}
	if topDirs {
		// Directories merge whatever their rank; only files compete. A
		// lower-ranked file where the winners have a directory is hidden.
		var provs []provider
		for _, c := range cs {
			if c.isDir {
				provs = append(provs, c.p)
			}
		}
		return pl.dir(rel, provs)
	}
	first := top[0]
	for _, c := range top[1:] {
		same, err := sameContent(first.p.e.Path+"/"+rel, c.p.e.Path+"/"+rel)
		if err != nil {
			return err
		}
		if !same {
			return &ConflictError{Path: rel, A: first.p.e.ID, B: c.p.e.ID}
		}
	}
	pl.add(link{rel, first.p.e.Path + "/" + rel})
	return nil
}

// sameContent reports whether a and b are both regular files with the same
// bytes, or both symlinks with the same target.
func sameContent(a, b string) (bool, error) {
	fa, err := os.Lstat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Lstat(b)
	if err != nil {
		return false, err
	}
	switch {
	case fa.Mode().Type() != fb.Mode().Type():
		return false, nil
	case fa.Mode().Type() == fs.ModeSymlink:
		ta, err := os.Readlink(a)
		if err != nil {
			return false, err
		}
		tb, err := os.Readlink(b)
		return err == nil && ta == tb, err
	case fa.Mode().IsRegular():
		if fa.Size() != fb.Size() {
			return false, nil
		}
		return sameBytes(a, b)
	}
	return false, nil
}

func sameBytes(a, b string) (bool, error) {
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	ba := make([]byte, 64<<10)
	bb := make([]byte, 64<<10)
	for {
		na, ea := io.ReadFull(fa, ba)
		nb, eb := io.ReadFull(fb, bb)
		if !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		if ea == io.EOF || ea == io.ErrUnexpectedEOF {
			return eb == ea, nil
		}
		if ea != nil {
			return false, ea
		}
		if eb != nil {
			return false, eb
		}
	}
}
