package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/noxenv/noxenv/store"
)

// Profile is a named, release or ad hoc profile: a symlink at Path to its
// current generation link PATH-N-link, beside it.
//
// Beside them lie, hidden, a lock file .BASE.lock serializing changes and
// one record .BASE-N.json per numbered generation (its time, members and
// what it added and removed). A record is written before its link, and
// every link is switched by renaming a temporary symlink over it, so a
// change killed at any point leaves the profile on its old or its new
// generation; the next change that makes a generation removes the
// temporary files it left.
type Profile struct {
	Path     string
	ReadOnly bool // release profiles
}

// GenerationInfo is one numbered generation of a profile.
type GenerationInfo struct {
	Number  int
	Time    time.Time
	Dir     string // the generation tree it links to
	Current bool
	// Members, and what changed from the generation current before it.
	Members []Member
	Added   []Member
	Removed []Member
}

// record is what a numbered generation's .BASE-N.json holds.
type record struct {
	Time    time.Time `json:"time"`
	Members []Member  `json:"members"`
	Added   []Member  `json:"added,omitempty"`
	Removed []Member  `json:"removed,omitempty"`
}

// ErrNoProfile is wrapped by operations on a profile that does not exist.
var ErrNoProfile = errors.New("no such profile")

// BrokenError is a profile whose current generation link is gone (removed
// by hand): a rollback to a generation that is left repairs it.
type BrokenError struct {
	Path string
	Link string // the generation link it points to
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("profile %s is broken: its current generation link %s is gone", e.Path, e.Link)
}

// Hint names the repair.
func (e *BrokenError) Hint() string {
	return "roll it back to a generation that is left: noxenv profile history -p " + e.Path + "; noxenv profile rollback -p " + e.Path + " [--to N]"
}

// ReadOnlyError is a change asked of a release profile.
type ReadOnlyError struct{ Path string }

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("profile %s is a release profile and read-only", e.Path)
}

// Hint names the fix.
func (e *ReadOnlyError) Hint() string {
	return "copy it into a profile of your own: noxenv profile export -p " + e.Path + " > p.noxprofile; noxenv profile new NAME; noxenv profile import -p NAME p.noxprofile"
}

func (p *Profile) dir() string  { return filepath.Dir(p.Path) }
func (p *Profile) base() string { return filepath.Base(p.Path) }

func (p *Profile) linkPath(n int) string {
	return fmt.Sprintf("%s-%d-link", p.Path, n)
}

func (p *Profile) recordPath(n int) string {
	return filepath.Join(p.dir(), fmt.Sprintf(".%s-%d.json", p.base(), n))
}

// Exists reports whether p has been created. A path that exists but is no
// profile link is an error.
func (p *Profile) Exists() (bool, error) {
	fi, err := os.Lstat(p.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if fi.Mode().Type() != fs.ModeSymlink {
		return false, fmt.Errorf("%s exists and is not a profile", p.Path)
	}
	return true, nil
}

// number parses the N of a generation link name BASE-N-link.
func (p *Profile) number(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, p.base()+"-")
	if !ok {
		return 0, false
	}
	if s, ok = strings.CutSuffix(s, "-link"); !ok || s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// currentLink returns the name of the generation link p points to.
func (p *Profile) currentLink() (string, error) {
	ok, err := p.Exists()
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("profile %s: %w", p.Path, ErrNoProfile)
	}
	return os.Readlink(p.Path)
}

// Generations lists p's generations, oldest first.
func (p *Profile) Generations() ([]GenerationInfo, error) {
	cur, err := p.currentLink()
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(p.dir())
	if err != nil {
		return nil, err
	}
	var gens []GenerationInfo
	for _, de := range ents {
		n, ok := p.number(de.Name())
		if !ok {
			continue
		}
		gi, err := p.info(n)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		gi.Current = de.Name() == cur
		gens = append(gens, *gi)
	}
	sort.Slice(gens, func(i, j int) bool { return gens[i].Number < gens[j].Number })
	return gens, nil
}

// info reads generation n: its link, and its record, or for a generation
// without one (made by hand) or whose record is damaged the link's time
// and the tree's manifest: the record only describes the generation, the
// link and the tree are what it is.
func (p *Profile) info(n int) (*GenerationInfo, error) {
	link := p.linkPath(n)
	target, err := os.Readlink(link)
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(p.dir(), target)
	}
	gi := &GenerationInfo{Number: n, Dir: target}
	if b, err := os.ReadFile(p.recordPath(n)); err == nil {
		r, ok := decodeRecord(b)
		if ok || json.Unmarshal(b, &r) == nil {
			gi.Time, gi.Members, gi.Added, gi.Removed = r.Time, r.Members, r.Added, r.Removed
			return gi, nil
		}
	}
	fi, err := os.Lstat(link)
	if err != nil {
		return nil, err
	}
	gi.Time = fi.ModTime()
	if m, err := LoadManifest(target); err == nil {
		gi.Members = m.Members
	}
	return gi, nil
}

// Current returns p's current generation.
func (p *Profile) Current() (*GenerationInfo, error) {
	cur, err := p.currentLink()
	if err != nil {
		return nil, err
	}
	n, ok := p.number(cur)
	if !ok {
		return nil, fmt.Errorf("profile %s: links to %s, not to a generation", p.Path, cur)
	}
	gi, err := p.info(n)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &BrokenError{Path: p.Path, Link: p.linkPath(n)}
	}
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.Path, err)
	}
	gi.Current = true
	return gi, nil
}

// Switch makes g the current generation of p as a new numbered generation
// (reusing the current number when g is already current), atomically.
func (p *Profile) Switch(g *Generation) error {
	_, err := p.Update(func([]Member) (*Generation, error) { return g, nil })
	return err
}

// Update changes p under its lock: change gets the current members (none
// for a profile not created yet) and returns the generation to switch to.
// Concurrent updates of one profile run one after the other, each seeing
// the result of the one before. A profile not created yet is created with
// its empty generation 0 first. Update returns the generation now current.
func (p *Profile) Update(change func(current []Member) (*Generation, error)) (*GenerationInfo, error) {
	unlock, err := p.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	exists, err := p.Exists()
	if err != nil {
		return nil, err
	}
	var cur *GenerationInfo
	if exists {
		if cur, err = p.Current(); err != nil {
			return nil, err
		}
	}
	var members []Member
	if cur != nil {
		members = cur.Members
	}
	g, err := change(members)
	if err != nil {
		return nil, err
	}
	created := cur == nil
	if created {
		// A new profile's link is made once: to generation 0 when the
		// change keeps it, else to the change's generation.
		if cur, err = p.create(filepath.Dir(g.Dir), false); err != nil {
			return nil, err
		}
	}
	if cur.Dir == g.Dir && sameMembers(cur.Members, g.Members) {
		if created {
			if err := p.point(0); err != nil {
				return nil, err
			}
			cur.Current = true
		}
		return cur, nil
	}
	n, err := p.nextNumber()
	if err != nil {
		return nil, err
	}
	added, removed := diffMembers(cur.Members, g.Members)
	r := record{Time: time.Now().UTC(), Members: g.Members, Added: added, Removed: removed}
	if err := p.addGeneration(n, g.Dir, r); err != nil {
		return nil, err
	}
	if err := p.point(n); err != nil {
		return nil, err
	}
	return &GenerationInfo{Number: n, Time: r.Time, Dir: g.Dir, Current: true,
		Members: g.Members, Added: added, Removed: removed}, nil
}

// Create makes p with its empty generation 0, built under gensDir.
func (p *Profile) Create(gensDir string) error {
	unlock, err := p.lock()
	if err != nil {
		return err
	}
	defer unlock()
	exists, err := p.Exists()
	if err != nil {
		return err
	}
	if exists {
		return fmt.Errorf("profile %s already exists", p.Path)
	}
	_, err = p.create(gensDir, true)
	return err
}

// create makes generation 0, empty, and points p at it when point is
// true; p's lock is held.
func (p *Profile) create(gensDir string, point bool) (*GenerationInfo, error) {
	g := built(filepath.Join(gensDir, Key(nil))) // it links to no entry
	if g == nil {
		var err error
		if g, err = build(gensDir, nil, nil, nil); err != nil {
			return nil, err
		}
	}
	r := record{Time: time.Now().UTC(), Members: []Member{}}
	if err := p.addGeneration(0, g.Dir, r); err != nil {
		return nil, err
	}
	if point {
		if err := p.point(0); err != nil {
			return nil, err
		}
	}
	return &GenerationInfo{Number: 0, Time: r.Time, Dir: g.Dir, Current: point}, nil
}

// Rollback makes generation to current, or the one before the current
// when to is negative. It repairs a broken profile (see BrokenError): the
// one before is then the one before the link that is gone.
func (p *Profile) Rollback(to int) (*GenerationInfo, error) {
	gens, unlock, err := p.lockedGenerations()
	if err != nil {
		return nil, err
	}
	defer unlock()
	before := -1 // generations below it are before the current one
	for _, g := range gens {
		if g.Current {
			before = g.Number
		}
	}
	if cur, err := p.currentLink(); err == nil && before < 0 {
		if n, ok := p.number(cur); ok {
			before = n
		}
	}
	var target *GenerationInfo
	for i := range gens {
		if to >= 0 && gens[i].Number == to || to < 0 && gens[i].Number < before {
			target = &gens[i]
		}
	}
	switch {
	case target == nil && to >= 0:
		return nil, fmt.Errorf("profile %s has no generation %d", p.Path, to)
	case target == nil:
		return nil, fmt.Errorf("profile %s has no generation before the current one", p.Path)
	}
	// A tree removed by hand would leave the profile linked to nothing.
	if _, err := os.Stat(filepath.Join(target.Dir, ManifestFile)); err != nil {
		return nil, fmt.Errorf("profile %s: generation %d cannot be restored: its tree %s is gone or damaged (%w)", p.Path, target.Number, target.Dir, err)
	}
	if err := p.point(target.Number); err != nil {
		return nil, err
	}
	target.Current = true
	return target, nil
}

// nextNumber returns the number of p's next generation. p's lock is held:
// it also removes what changes of p killed midway left, the temporary
// records and links no one else writes meanwhile.
func (p *Profile) nextNumber() (int, error) {
	ents, err := os.ReadDir(p.dir())
	if err != nil {
		return 0, err
	}
	next := 0
	for _, de := range ents {
		if n, ok := p.number(de.Name()); ok && n >= next {
			next = n + 1
		}
		if p.isLeftover(de.Name()) {
			os.Remove(filepath.Join(p.dir(), de.Name()))
		}
	}
	return next, nil
}

// isLeftover reports whether name is a temporary file of a change of p:
// a record .tmp-.BASE-N.json-* (see store.WriteFileAtomic) or a link
// .BASE-N-link.tmp-* or .BASE.tmp-* (see symlinkAtomic), not another
// profile's.
func (p *Profile) isLeftover(name string) bool {
	if strings.HasPrefix(name, "."+p.base()+".tmp-") {
		return true
	}
	num := func(s, suffix string) bool {
		n, ok := strings.CutPrefix(s, p.base()+"-")
		i := strings.Index(n, suffix)
		return ok && i > 0 && strings.Trim(n[:i], "0123456789") == ""
	}
	if s, ok := strings.CutPrefix(name, ".tmp-."); ok {
		return num(s, ".json-")
	}
	s, ok := strings.CutPrefix(name, ".")
	return ok && num(s, "-link.tmp-")
}

// addGeneration records generation n and links it to the tree dir.
func (p *Profile) addGeneration(n int, dir string, r record) error {
	b, err := encodeRecord(takeBuf(), r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	defer giveBuf(b)
	if err := store.WriteFileAtomic(p.recordPath(n), b, 0o644); err != nil {
		return fmt.Errorf("profile %s: %w", p.Path, err)
	}
	if err := symlinkAtomic(linkTarget(p.dir(), dir), p.linkPath(n)); err != nil {
		return fmt.Errorf("profile %s: %w", p.Path, err)
	}
	return nil
}

// point switches p to its generation n.
func (p *Profile) point(n int) error {
	if err := symlinkAtomic(filepath.Base(p.linkPath(n)), p.Path); err != nil {
		return fmt.Errorf("profile %s: %w", p.Path, err)
	}
	return nil
}

// symlinkAtomic makes path a symlink to target by renaming a hidden
// temporary symlink beside it over it: readers see the old link or the new
// one.
func symlinkAtomic(target, path string) error {
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.tmp-%d-%d", filepath.Base(path), os.Getpid(), rand.Uint32()))
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// linkTarget is dir as a symlink in linkDir points to it: relative when
// linkDir and dir's parent are siblings (profiles/ and generations/ of
// one state directory, which may move as a whole), else absolute.
func linkTarget(linkDir, dir string) string {
	if filepath.Dir(linkDir) == filepath.Dir(filepath.Dir(dir)) {
		return filepath.Join("..", filepath.Base(filepath.Dir(dir)), filepath.Base(dir))
	}
	return dir
}

func sameMembers(a, b []Member) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].ID != b[i].ID || a[i].Request != b[i].Request || a[i].Priority != b[i].Priority {
			return false
		}
	}
	return true
}

// diffMembers says what going from old to new adds and removes; a member
// whose entry, request or priority changed is removed and added.
func diffMembers(old, new []Member) (added, removed []Member) {
	// Each member's index by name (the last of a name).
	byName := func(ms []Member) map[string]int {
		m := make(map[string]int, len(ms))
		for i, x := range ms {
			m[x.Name] = i
		}
		return m
	}
	// The members of ms that others lacks or holds otherwise: all of
	// them for a profile's first generation, ms itself (its capacity cut,
	// so that an append copies it).
	differ := func(ms, others []Member) []Member {
		if len(others) == 0 && len(ms) > 0 {
			return ms[:len(ms):len(ms)]
		}
		at := byName(others)
		var out []Member
		for _, m := range ms {
			if i, ok := at[m.Name]; !ok || !sameMembers(others[i:i+1], []Member{m}) {
				out = append(out, m)
			}
		}
		return out
	}
	return differ(new, old), differ(old, new)
}

// Load returns the generation tree at dir as its manifest describes it.
func Load(dir string) (*Generation, error) {
	m, err := LoadManifest(dir)
	if err != nil {
		return nil, err
	}
	return generationOf(dir, m), nil
}

// NameError is an invalid profile name.
type NameError struct {
	Name   string
	Reason string // what is wrong with it, or ""
}

func (e *NameError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("invalid profile name %q: %s", e.Name, e.Reason)
	}
	return fmt.Sprintf("invalid profile name %q", e.Name)
}

// CheckName reports whether name can name a profile of a directory (a
// *NameError when not).
func CheckName(name string) error {
	switch {
	case name == "", strings.HasPrefix(name, "."), strings.ContainsRune(name, '/'):
		return &NameError{Name: name}
	case strings.ContainsFunc(name, unicode.IsControl):
		// A name is one line of profile list and of the hints.
		return &NameError{Name: name, Reason: "it holds a control character"}
	case isLinkName(name):
		return &NameError{Name: name, Reason: "it looks like a generation link"}
	}
	return nil
}

// isLinkName reports whether name has the form of a generation link's,
// NAME-N-link (the regular expression ^.+-[0-9]+-link$, without the cost
// of compiling one at every start of noxenv).
func isLinkName(name string) bool {
	rest, ok := strings.CutSuffix(name, "-link")
	i := strings.LastIndexByte(rest, '-')
	if !ok || i < 1 || i == len(rest)-1 || strings.ContainsRune(rest[:i], '\n') {
		return false
	}
	for _, c := range rest[i+1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Names lists the profiles in dir, sorted; a missing dir has none.
func Names(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, de := range ents {
		if de.Type() == fs.ModeSymlink && CheckName(de.Name()) == nil {
			names = append(names, de.Name())
		}
	}
	return names, nil
}
