package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// ErrNotFound is wrapped by lookups that find no matching entry.
var ErrNotFound = errors.New("not found")

// NotFoundError is a request or id that no store of the path holds.
type NotFoundError struct {
	What   string // the request or id, as the user wrote it
	Stores int    // how many stores were searched
	// Name and Constraint are those of a request (What is then
	// NAME@CONSTRAINT); empty for an id or a path.
	Name, Constraint string
	// Versions are the versions of the requested name that exist (none
	// matched the constraint); Close are names close to the requested one.
	Versions []string
	Close    []string
}

func (e *NotFoundError) Error() string {
	searched := fmt.Sprintf("%d stores searched", e.Stores)
	if e.Stores == 1 {
		searched = "1 store searched"
	}
	if len(e.Versions) > 0 && e.Constraint != "" {
		return fmt.Sprintf("%s: no such entry: no version of %s matches %s (%s)", e.What, e.Name, e.Constraint, searched)
	}
	return fmt.Sprintf("%s: no such entry in the store path (%s)", e.What, searched)
}

func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// Hint names what the stores hold instead.
func (e *NotFoundError) Hint() string {
	switch {
	case len(e.Versions) > 0:
		return "available versions: " + strings.Join(e.Versions, ", ")
	case len(e.Close) > 0:
		return "did you mean " + strings.Join(e.Close, ", ") + "?"
	}
	return "add it with 'noxenv store add SOURCE'; 'noxenv store list' shows what the stores hold"
}

// Resolve finds the highest matching version in the first store holding a
// match. The error wraps ErrNotFound and names close names as a hint.
func (sp *SearchPath) Resolve(r Request) (*Entry, error) {
	e, err := sp.resolve(r)
	if err != nil {
		return nil, err
	}
	return e, e.read()
}

// resolve is Resolve, the entry unread: only entries of equal versions,
// which the time they were added orders, are read.
func (sp *SearchPath) resolve(r Request) (*Entry, error) {
	st, it, err := sp.pick(r)
	if err != nil {
		return nil, err
	}
	return st.unread(it), nil
}

// pick finds the entry r resolves to as an item of its store's index,
// making no Entry unless equal versions must be ordered: Locate, which
// profile add calls for each of its PKGs, needs only its name.
func (sp *SearchPath) pick(r Request) (*Store, storeItem, error) {
	c, err := ParseConstraint(r.Constraint)
	if err != nil {
		return nil, storeItem{}, err
	}
	var versions []string // of the entries that do not match
	for _, st := range sp.Stores {
		if st.Missing {
			continue
		}
		idx, err := st.loadIndex()
		if err != nil {
			return nil, storeItem{}, err
		}
		var first storeItem
		n := 0
		for _, it := range idx.named(r.Name) {
			switch {
			case !st.isEntry(it):
			case !c.Match(it.version):
				versions = append(versions, it.version)
			default:
				if n == 0 {
					first = it
				}
				n++
			}
		}
		switch {
		case n == 1:
			return st, first, nil
		case n > 1:
			it, err := st.newest(idx.named(r.Name), c)
			return st, it, err
		}
	}
	nf := &NotFoundError{What: r.String(), Stores: len(sp.Stores), Name: r.Name, Constraint: r.Constraint, Versions: uniqueVersions(versions)}
	if len(nf.Versions) == 0 {
		nf.Close = sp.closeNames(r.Name)
	}
	return nil, storeItem{}, nf
}

// newest returns the newest of the entries of items (one name's in st)
// that c matches: the highest version, and among equal ones by their
// metadata (sortNewestFirst).
func (st *Store) newest(items []storeItem, c Constraint) (storeItem, error) {
	var match []*Entry
	for _, it := range items {
		if c.Match(it.version) {
			if e := st.unread(it); e != nil {
				match = append(match, e)
			}
		}
	}
	if err := readTies(match); err != nil {
		return storeItem{}, err
	}
	sortNewestFirst(match)
	newest := match[0].ID
	return items[slices.IndexFunc(items, func(it storeItem) bool { return it.name == newest })], nil
}

// readTies reads the entries of es whose version another one has too:
// sortNewestFirst orders them by their metadata.
func readTies(es []*Entry) error {
	for i, a := range es {
		for _, b := range es[i+1:] {
			if CompareVersions(a.Version, b.Version) != 0 {
				continue
			}
			if err := a.read(); err != nil {
				return err
			}
			if err := b.read(); err != nil {
				return err
			}
		}
	}
	return nil
}

func uniqueVersions(vs []string) []string {
	sort.Slice(vs, func(i, j int) bool { return CompareVersions(vs[i], vs[j]) < 0 })
	var out []string
	for i, v := range vs {
		if i == 0 || v != vs[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// closeNames returns up to three names of the stores closest to name.
func (sp *SearchPath) closeNames(name string) []string {
	all, _ := sp.List() // the entries it can read
	dist := map[string]int{}
	for _, e := range all {
		if _, seen := dist[e.Name]; seen {
			continue
		}
		d := editDistance(strings.ToLower(name), strings.ToLower(e.Name))
		if strings.Contains(strings.ToLower(e.Name), strings.ToLower(name)) {
			d = min(d, 1)
		}
		if d <= max(2, len(name)/3) {
			dist[e.Name] = d
		}
	}
	names := make([]string, 0, len(dist))
	for n := range dist {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if dist[names[i]] != dist[names[j]] {
			return dist[names[i]] < dist[names[j]]
		}
		return names[i] < names[j]
	})
	return names[:min(3, len(names))]
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Get finds the entry with id in the first store holding it (ErrNotFound).
func (sp *SearchPath) Get(id string) (*Entry, error) {
	for _, st := range sp.Stores {
		e, err := st.lookup(id)
		if err != nil {
			return nil, err
		}
		if e != nil {
			return e, nil
		}
	}
	return nil, &NotFoundError{What: id, Stores: len(sp.Stores)}
}

// GetIn returns the entry id of st, or else of the path: Get for what
// writes to st, which may lie outside the path (a pull or an add with
// --store DIR), where an entry's references may be.
func (sp *SearchPath) GetIn(st *Store, id string) (*Entry, error) {
	e, err := st.lookup(id)
	if err != nil || e != nil {
		return e, err
	}
	return sp.Get(id)
}

// Find resolves PKG as the command line takes it: an id, an entry path,
// NAME or NAME@CONSTRAINT.
func (sp *SearchPath) Find(pkg string) (*Entry, error) {
	e, err := sp.find(pkg)
	if err != nil {
		return nil, err
	}
	return e, e.read()
}

// Locate is Find for a caller that needs to know which entry PKG names,
// not what it holds: resolving NAME or NAME@CONSTRAINT, it reads the
// stores' listings but no entry's metadata (unless equal versions must be
// ordered).
func (sp *SearchPath) Locate(pkg string) (Ref, error) {
	if kind, r, err := parsePkg(pkg); err == nil && kind == pkgRequest {
		_, it, err := sp.pick(r)
		if err != nil {
			return Ref{}, err
		}
		return Ref{ID: it.name, Name: it.pkg, Version: it.version}, nil
	}
	e, err := sp.find(pkg)
	if err != nil {
		return Ref{}, err
	}
	return Ref{ID: e.ID, Name: e.Name, Version: e.Version}, nil
}

// find is Find, the entry possibly unread.
func (sp *SearchPath) find(pkg string) (*Entry, error) {
	kind, r, err := parsePkg(pkg)
	switch {
	case err != nil:
		return nil, err
	case kind == pkgPath:
		return sp.findPath(pkg)
	case kind == pkgID:
		return sp.Get(pkg)
	case kind == pkgNameVersion:
		// NAME-VERSION is a plain entry's id, or else a name.
		e, err := sp.Get(pkg)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return e, err
		}
		if r, err = ParseRequest(pkg); err != nil {
			return nil, err
		}
	}
	return sp.resolve(r)
}

// CheckPkg returns the error Find would give for pkg's form alone (a
// malformed name or constraint), without looking at any store.
func CheckPkg(pkg string) error {
	_, _, err := parsePkg(pkg)
	return err
}

// The forms of PKG.
const (
	pkgPath        = iota // contains "/"
	pkgID                 // HASH-NAME-VERSION
	pkgNameVersion        // NAME-VERSION: a plain entry's id, or a name
	pkgRequest            // NAME or NAME@CONSTRAINT
)

// parsePkg tells PKG's form, and the request of the form pkgRequest.
func parsePkg(pkg string) (kind int, r Request, err error) {
	if strings.ContainsRune(pkg, '/') {
		return pkgPath, r, nil
	}
	if _, _, _, ok := ParseID(pkg); ok {
		return pkgID, r, nil
	}
	if isPlainID(pkg) {
		return pkgNameVersion, r, nil
	}
	r, err = ParseRequest(pkg)
	return pkgRequest, r, err
}

// isPlainID says whether s is NAME-VERSION, a plain entry's id.
func isPlainID(s string) bool {
	n, v, ok := SplitNameVersion(s)
	return ok && !strings.ContainsRune(s, '@') && CheckName(n) == nil && CheckVersion(v) == nil
}

// IsID says whether id is an entry's id, HASH-NAME-VERSION, or a plain
// entry's, NAME-VERSION.
func IsID(id string) bool {
	_, _, _, ok := ParseID(id)
	return ok || isPlainID(id)
}

// findPath finds the entry whose directory is p.
func (sp *SearchPath) findPath(p string) (*Entry, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	dir, id := filepath.Split(abs)
	dir = filepath.Clean(dir)
	real, rerr := filepath.EvalSymlinks(dir)
	for _, st := range sp.Stores {
		if st.Missing {
			continue
		}
		if st.Dir != dir {
			if rs, err := filepath.EvalSymlinks(st.Dir); rerr != nil || err != nil || rs != real {
				continue
			}
		}
		e, err := st.lookup(id)
		if err != nil || e != nil {
			return e, err
		}
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return nil, &NotFoundError{What: p, Stores: len(sp.Stores)}
}

// Closure returns roots and every entry they reference, transitively, each
// once, roots first. A missing reference is an error.
func (sp *SearchPath) Closure(roots []*Entry) ([]*Entry, error) {
	seen := map[string]bool{}
	var out []*Entry
	for _, r := range roots {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	for i := 0; i < len(out); i++ {
		e := out[i]
		if e.Plain() {
			continue
		}
		for _, ref := range e.Info.References {
			if seen[ref] {
				continue
			}
			d, err := sp.Get(ref)
			if err != nil {
				return nil, fmt.Errorf("entry %s references %s: %w", e.ID, ref, err)
			}
			seen[ref] = true
			out = append(out, d)
		}
	}
	return out, nil
}

// Referrers returns the entries of the path that reference e directly;
// with List's *DamagedEntriesError, those among the entries it can read.
func (sp *SearchPath) Referrers(e *Entry) ([]*Entry, error) {
	all, err := sp.List()
	var de *DamagedEntriesError
	if err != nil && !errors.As(err, &de) {
		return nil, err
	}
	var out []*Entry
	for _, o := range all {
		if o.Plain() {
			continue
		}
		for _, ref := range o.Info.References {
			if ref == e.ID {
				out = append(out, o)
				break
			}
		}
	}
	return out, err
}
