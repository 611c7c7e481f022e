package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

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
// in turn. Only directories several entries share are read.
func plan(provs []provider) ([]link, error) {
	p := planner{}
	if err := p.dir("", provs); err != nil {
		return nil, err
	}
	return p.links, nil
}

type planner struct {
	links []link
}

// candidate is one provider's child of a directory being merged.
type candidate struct {
	p     provider
	isDir bool
}

func (pl *planner) dir(rel string, provs []provider) error {
	if len(provs) == 1 && rel != "" {
		pl.links = append(pl.links, link{rel, filepath.Join(provs[0].e.Path, rel)})
		return nil
	}
	if rel != "" {
		pl.links = append(pl.links, link{path: rel})
	}
	listings, err := readDirs(provs, rel)
	if err != nil {
		return err
	}
	children := map[string][]candidate{}
	for i, p := range provs {
		for _, de := range listings[i] {
			if rel == "" && de.Name() == ManifestFile {
				continue
			}
			children[de.Name()] = append(children[de.Name()], candidate{p, de.IsDir()})
		}
	}
	names := make([]string, 0, len(children))
	for n := range children {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := pl.child(filepath.Join(rel, n), children[n]); err != nil {
			return err
		}
	}
	return nil
}

// readDirs lists directory rel of every provider, several at a time: a
// directory many entries share is read from as many places.
func readDirs(provs []provider, rel string) ([][]os.DirEntry, error) {
	out := make([][]os.DirEntry, len(provs))
	errs := make([]error, len(provs))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, p := range provs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = os.ReadDir(filepath.Join(p.e.Path, rel))
			if errs[i] != nil {
				errs[i] = fmt.Errorf("entry %s: %w", p.e.ID, errs[i])
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// child places one name provided by the candidates cs.
func (pl *planner) child(rel string, cs []candidate) error {
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
		same, err := sameContent(filepath.Join(first.p.e.Path, rel), filepath.Join(c.p.e.Path, rel))
		if err != nil {
			return err
		}
		if !same {
			return &ConflictError{Path: rel, A: first.p.e.ID, B: c.p.e.ID}
		}
	}
	pl.links = append(pl.links, link{rel, filepath.Join(first.p.e.Path, rel)})
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
