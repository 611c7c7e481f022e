package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/noxenv/noxenv/store"
)

// DefaultPriority is the priority of a member added without --priority.
const DefaultPriority = 5

// Member is one package of a profile, identified by its name.
type Member struct {
	Name     string       `json:"name"`
	Version  string       `json:"version"`
	Request  string       `json:"request"` // NAME or NAME@CONSTRAINT, re-resolved by upgrade
	ID       string       `json:"id"`      // the resolved entry
	Priority int          `json:"priority"`
	Entry    *store.Entry `json:"-"`
}

// Generation is a realized member set: a symlink forest under Dir.
type Generation struct {
	Dir     string
	Members []Member
	// Entries is the closure of the members, members first. Entries of a
	// reused generation come from its manifest: their Info holds the
	// name, version, references and env settings only.
	Entries []*store.Entry
	// ranks[i] is the rank of Entries[i] in the union.
	ranks []rank
}

func (g *Generation) rankOf(i int) rank {
	if i < len(g.ranks) {
		return g.ranks[i]
	}
	return rank{priority: DefaultPriority}
}

// Key names the generation of a member set: a hash of its sorted (entry
// id, priority) pairs. Names and requests do not count: members resolving
// to the same entries give the same tree.
func Key(members []Member) string {
	// The pairs are the strings ID "\x00" PRIORITY, hashed in their
	// order each with a newline after it; an id holds no NUL, so they
	// sort by id, then by priority as a string. They are written into
	// one buffer in turn, not made each a string.
	prio := func(i int) string { return strconv.Itoa(members[i].Priority) }
	order := make([]int, len(members))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		if c := strings.Compare(members[i].ID, members[j].ID); c != 0 {
			return c
		}
		return strings.Compare(prio(i), prio(j))
	})
	h := sha256.New()
	pair := make([]byte, 0, 128)
	for _, i := range order {
		pair = append(append(pair[:0], members[i].ID...), 0)
		pair = append(strconv.AppendInt(pair, int64(members[i].Priority), 10), '\n')
		h.Write(pair)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Realize returns the generation of members (their closure included) under
// gensDir, building it only when that member set has not been built yet.
// The tree is built in a temporary directory beside and renamed into
// place, so a generation directory is always complete. Members are kept
// sorted by name. What it keeps alive in each store is recorded there.
func Realize(sp *store.SearchPath, gensDir string, members []Member) (*Generation, error) {
	return realize(sp, gensDir, members, reuse)
}

// realize is Realize, reusing a generation built before by reused (reuse,
// or reuseDir).
func realize(sp *store.SearchPath, gensDir string, members []Member, reused func(*store.SearchPath, string) (*Generation, []string)) (*Generation, error) {
	// A reused generation's members are members themselves when they are
	// in order (AddMembers keeps the order of the names given); a built
	// one's get their entries, in a copy.
	if !slices.IsSortedFunc(members, byName) {
		members = sortedMembers(members)
	}
	dir := filepath.Join(gensDir, Key(members))
	if g, paths := reused(sp, dir); g != nil {
		g.Members = members
		return g, recordRoots(sp, gensDir, dir, paths)
	}
	members = slices.Clone(members)
	// Members found by name come without their entries (their metadata is
	// read only now, when it is needed), several at a time, each with its
	// listing, which the plan reads next.
	roots := make([]*store.Entry, len(members))
	listings := make([]*store.Listing, len(members))
	errs := make([]error, len(members))
	parallel(len(members), func(i int) error {
		e := members[i].Entry
		if e == nil {
			if e, errs[i] = sp.Get(members[i].ID); errs[i] != nil {
				errs[i] = fmt.Errorf("member %s: %w", members[i].Name, errs[i])
				return nil
			}
			members[i].Entry = e
		}
		roots[i] = e
		listings[i] = readListing(e)
		return nil
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	var closure []*store.Entry
	if len(roots) > 0 {
		var err error
		if closure, err = sp.Closure(roots); err != nil {
			return nil, err
		}
	}
	listed := make(map[*store.Entry]*store.Listing, len(closure))
	for i, e := range roots {
		listed[e] = listings[i]
	}
	// What the generation keeps alive is recorded while it is built. A
	// record of a generation a failure or a kill leaves unbuilt keeps its
	// entries only until the next gc of this state directory, which drops
	// the records of generations it does not find.
	recorded := make(chan error, 1)
	go func() { recorded <- recordRoots(sp, gensDir, dir, entryPaths(closure)) }()
	g, err := build(gensDir, members, closure, listed)
	if rerr := <-recorded; err == nil && rerr != nil {
		return nil, rerr
	}
	return g, err
}

// sortedMembers returns a copy of members sorted by name.
func sortedMembers(members []Member) []Member {
	ms := slices.Clone(members)
	slices.SortStableFunc(ms, byName)
	return ms
}

func byName(a, b Member) int { return strings.Compare(a.Name, b.Name) }

// reuse returns the generation already built at dir, and the paths of the
// entries it links to, or nil when there is none or one of those entries
// has gone from sp.
func reuse(sp *store.SearchPath, dir string) (*Generation, []string) {
	g := built(dir)
	if g == nil {
		return nil, nil
	}
	paths := entryPaths(g.Entries)
	if !holdsAll(sp, paths) {
		return nil, nil
	}
	return g, paths
}

// reuseDir is reuse for a caller that needs only the generation's
// directory (a profile's change): its manifest is read for the paths of
// its entries alone, without making the entries.
func reuseDir(sp *store.SearchPath, dir string) (*Generation, []string) {
	b, err := appendFile(takeBuf(), filepath.Join(dir, ManifestFile))
	defer giveBuf(b)
	if err != nil {
		return nil, nil
	}
	paths, ok := decodeEntryPaths(b)
	if !ok {
		return reuse(sp, dir)
	}
	if !holdsAll(sp, paths) {
		return nil, nil
	}
	return &Generation{Dir: dir}, paths
}

// holdsAll tells whether sp holds the entries at each of paths.
func holdsAll(sp *store.SearchPath, paths []string) bool {
	for _, p := range paths {
		if !sp.Holds(p) {
			return false
		}
	}
	return true
}

// built returns the generation built at dir, or nil when there is none.
func built(dir string) *Generation {
	b, err := appendFile(takeBuf(), filepath.Join(dir, ManifestFile))
	defer giveBuf(b)
	if err != nil {
		return nil
	}
	// The members are the caller's: only the entries are decoded, into
	// strings of their own (the buffer is given back).
	if g, ok := decodeGeneration(dir, b); ok {
		return g
	}
	var m struct{ Entries []ManifestEntry }
	if err := json.Unmarshal(b, &m); err != nil {
		return nil
	}
	return generationOf(dir, &Manifest{Entries: m.Entries})
}

// ranksOf gives each entry of closure its rank: a member its own
// priority, an entry only in the closure the best priority of the members
// that reach it, ranked after members of that priority.
func ranksOf(members []Member, closure []*store.Entry) []rank {
	index := make(map[string]int, len(closure))
	for i, e := range closure {
		index[e.ID] = i
	}
	ranks := make([]rank, len(closure))
	set := make([]bool, len(closure))
	for _, m := range members {
		if i, ok := index[m.ID]; ok {
			ranks[i], set[i] = rank{priority: m.Priority}, true
		}
	}
	byPriority := sortedMembers(members)
	sort.SliceStable(byPriority, func(i, j int) bool { return byPriority[i].Priority < byPriority[j].Priority })
	for _, m := range byPriority {
		queue := []int{index[m.ID]}
		for len(queue) > 0 {
			e := closure[queue[0]]
			queue = queue[1:]
			if e.Info == nil {
				continue
			}
			for _, ref := range e.Info.References {
				if i, ok := index[ref]; ok && !set[i] {
					ranks[i], set[i] = rank{priority: m.Priority, dep: true}, true
					queue = append(queue, i)
				}
			}
		}
	}
	return ranks
}

// build realizes the union of closure as the generation of members.
// listed holds the listings (store.ReadListing) of entries already read,
// nil for an entry that has none; the others are read here.
func build(gensDir string, members []Member, closure []*store.Entry, listed map[*store.Entry]*store.Listing) (*Generation, error) {
	dir := filepath.Join(gensDir, Key(members))
	g := &Generation{Dir: dir, Members: members, Entries: closure, ranks: ranksOf(members, closure)}
	provs := make([]provider, len(closure))
	for i, e := range closure {
		provs[i] = provider{e, g.ranks[i]}
	}
	if err := os.MkdirAll(gensDir, 0o755); err != nil {
		return nil, err
	}
	spreadTrees(gensDir)
	// The random name places the tree anew each time (see spreadTrees).
	tmp, err := os.MkdirTemp(gensDir, ".tmp-"+filepath.Base(dir)+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	// The manifest, which depends on the members and their closure only,
	// is written while the links are made.
	manifested := make(chan error, 1)
	go func() { manifested <- writeManifest(tmp, manifestOf(g)) }()
	// Planning and making the links (mostly the kernel's work) overlap. A
	// conflict found late leaves links in tmp, which goes.
	batches := make(chan []link, 64)
	planned := make(chan error, 1)
	go func() {
		planned <- plan(provs, listed, func(b []link) { batches <- b })
		close(batches)
	}()
	made := makeLinks(tmp, batches)
	// tmp goes on an error: nothing may still be writing in it.
	written := <-manifested
	if err := <-planned; err != nil {
		return nil, err
	}
	if made != nil {
		return nil, fmt.Errorf("generation %s: %w", dir, made)
	}
	if written != nil {
		return nil, fmt.Errorf("generation %s: %w", dir, written)
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Someone else built the same member set meanwhile, of the
		// same entries.
		if other := built(dir); other != nil {
			other.Members = members
			return other, nil
		}
		return nil, fmt.Errorf("generation %s: %w", dir, err)
	}
	return g, nil
}

// linkWorkers is how many goroutines make symlinks: the kernel's work of
// making them spreads over the processors (and on a disk, overlaps).
const linkWorkers = 4

// makeLinks creates the links of batches under root. The plan's order
// puts a directory right before what it holds: directories are made here,
// in order, and the symlinks queued by directory, each made once its
// directory exists by one of linkWorkers. A directory is filled by one
// worker at a time: the kernel makes the names of one directory one after
// the other (under the directory's lock), so two workers in the same one
// wait for each other, the second spinning on the processor the first
// could use; workers in different directories run side by side. Each link
// is made relative to its directory, held open while the plan is in it, so
// the kernel does not walk the path to it every time. After an error it
// takes the remaining batches without making them, and returns the first
// error.
func makeLinks(root string, batches <-chan []link) error {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		for range batches {
		}
		return &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(fd)
	q := linkQueue{root: &linkDir{fd: fd}, dirs: map[string]*linkDir{}}
	q.dirs[""] = q.root
	q.cond.L = &q.mu
	var wg sync.WaitGroup
	for range linkWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work(func(d *linkDir, l link) error {
				dirfd, name := d.fd, l.path[len(d.path):]
				if dirfd < 0 {
					dirfd, name = fd, l.path
				}
				if err := unix.Symlinkat(l.target, dirfd, name); err != nil {
					return &os.LinkError{Op: "symlink", Old: l.target, New: filepath.Join(root, l.path), Err: err}
				}
				return nil
			})
		}()
	}
	// The directories the plan is in, the root first.
	path := []*linkDir{q.root}
	for batch := range batches {
		if q.failed() {
			continue
		}
		// Symlinks are queued a run at a time; a directory is made
		// before anything after it in the plan, which is all it may
		// hold.
		start := 0
		for i, l := range batch {
			if l.target != "" {
				continue
			}
			q.add(batch[start:i])
			start = i + 1
			for len(path) > 1 && parentOf(l.path) != path[len(path)-1].rel {
				q.leave(path[len(path)-1])
				path = path[:len(path)-1]
			}
			d, err := q.mkdir(fd, path[len(path)-1], l.path)
			if err != nil {
				q.fail(&os.PathError{Op: "mkdir", Path: filepath.Join(root, l.path), Err: err})
				break
			}
			path = append(path, d)
		}
		if !q.failed() {
			q.add(batch[start:])
		}
	}
	q.close()
	wg.Wait()
	for _, d := range q.dirs {
		if d != q.root && d.fd >= 0 {
			unix.Close(d.fd)
		}
	}
	return q.err
}

// linkQueue holds the symlinks waiting to be made, by directory, for
// workers that each take all those of a directory no other worker is in.
type linkQueue struct {
	mu     sync.Mutex
	cond   sync.Cond
	root   *linkDir
	dirs   map[string]*linkDir // by path relative to the root
	ready  []*linkDir          // those with links waiting, first queued first
	closed bool
	err    error // the first error
}

// linkDir is a directory of the tree being made.
type linkDir struct {
	rel   string // relative to the root, "" for the root
	path  string // rel and a slash, what its names follow in a link's path
	fd    int    // open while the plan or a worker is in it, else -1
	links []link
	busy  bool // a worker is making links in it
	ready bool // in the queue's ready list
	left  bool // the plan is past it: no more links come
}

// mkdir makes the directory rel in parent and opens it. A directory that
// cannot be opened (too many open files) has its links made relative to
// the root.
func (q *linkQueue) mkdir(rootfd int, parent *linkDir, rel string) (*linkDir, error) {
	if parentOf(rel) != parent.rel {
		return nil, errors.New("not right after its directory in the plan")
	}
	pfd, name := parent.fd, rel[len(parent.path):]
	if pfd < 0 {
		pfd, name = rootfd, rel
	}
	if err := unix.Mkdirat(pfd, name, 0o755); err != nil {
		return nil, err
	}
	fd, err := unix.Openat(pfd, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		fd = -1
	}
	d := &linkDir{rel: rel, path: rel + "/", fd: fd}
	q.mu.Lock()
	q.dirs[rel] = d
	q.mu.Unlock()
	return d, nil
}

// leave notes that the plan is past d: its descriptor is closed once its
// links are made.
func (q *linkQueue) leave(d *linkDir) {
	q.mu.Lock()
	defer q.mu.Unlock()
	d.left = true
	q.release(d)
}

// release closes d's descriptor when nothing more is to be made in it; q.mu
// is held.
func (q *linkQueue) release(d *linkDir) {
	if d.left && !d.busy && len(d.links) == 0 && d.fd >= 0 {
		unix.Close(d.fd)
		d.fd = -1
	}
}

// add queues ls, symlinks in the order of the plan, each in a directory
// made before.
func (q *linkQueue) add(ls []link) {
	if len(ls) == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(ls) > 0 {
		dir := parentOf(ls[0].path)
		n := 1
		for n < len(ls) && parentOf(ls[n].path) == dir {
			n++
		}
		d := q.dirs[dir]
		if d == nil || d.left {
			if q.err == nil {
				q.err = fmt.Errorf("%s: not in a directory of the plan", ls[0].path)
			}
			break
		}
		d.links = append(d.links, ls[:n]...)
		if !d.ready {
			d.ready = true
			q.ready = append(q.ready, d)
		}
		ls = ls[n:]
	}
	q.cond.Broadcast()
}

// parentOf is the directory of path relative to the root, "" for the root.
func parentOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	return ""
}

// work makes links with mk until the queue is closed and empty, or an
// error is recorded.
func (q *linkQueue) work(mk func(*linkDir, link) error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.err == nil {
		d := q.take()
		if d == nil {
			if q.closed {
				return
			}
			q.cond.Wait()
			continue
		}
		ls := d.links
		d.links, d.busy = nil, true
		q.mu.Unlock()
		var err error
		for _, l := range ls {
			if err = mk(d, l); err != nil {
				break
			}
		}
		q.mu.Lock()
		d.busy = false
		q.release(d)
		if err != nil && q.err == nil {
			q.err = err
		}
		// Another worker may be waiting for this directory.
		q.cond.Broadcast()
	}
}

// take removes from the ready list the first directory no worker is in.
func (q *linkQueue) take() *linkDir {
	for i, d := range q.ready {
		if !d.busy {
			q.ready = append(q.ready[:i], q.ready[i+1:]...)
			d.ready = false
			return d
		}
	}
	return nil
}

func (q *linkQueue) fail(err error) {
	q.mu.Lock()
	if q.err == nil {
		q.err = err
	}
	q.mu.Unlock()
	q.cond.Broadcast()
}

func (q *linkQueue) failed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err != nil
}

// close says no more links come; the workers finish what is queued.
func (q *linkQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}
