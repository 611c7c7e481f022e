package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
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
	pairs := make([]string, len(members))
	for i, m := range members {
		pairs[i] = m.ID + "\x00" + strconv.Itoa(m.Priority)
	}
	sort.Strings(pairs)
	h := sha256.New()
	for _, p := range pairs {
		h.Write([]byte(p))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Realize returns the generation of members (their closure included) under
// gensDir, building it only when that member set has not been built yet.
// The tree is built in a temporary directory beside and renamed into
// place, so a generation directory is always complete. Members are kept
// sorted by name. What it keeps alive in each store is recorded there.
func Realize(sp *store.SearchPath, gensDir string, members []Member) (*Generation, error) {
	g, err := realize(sp, gensDir, members)
	if err != nil {
		return nil, err
	}
	return g, recordRoots(sp, gensDir, g)
}

func realize(sp *store.SearchPath, gensDir string, members []Member) (*Generation, error) {
	members = sortedMembers(members)
	dir := filepath.Join(gensDir, Key(members))
	if g := reuse(sp, dir); g != nil {
		g.Members = members
		return g, nil
	}
	// Members found by name come without their entries (their metadata is
	// read only now, when it is needed), several at a time.
	roots := make([]*store.Entry, len(members))
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
	return build(gensDir, members, closure)
}

func sortedMembers(members []Member) []Member {
	ms := append([]Member(nil), members...)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	return ms
}

// reuse returns the generation already built at dir, or nil when there is
// none or an entry it links to has gone from sp.
func reuse(sp *store.SearchPath, dir string) *Generation {
	g := built(dir)
	if g == nil {
		return nil
	}
	for _, e := range g.Entries {
		if !sp.Holds(e.Path) {
			return nil
		}
	}
	return g
}

// built returns the generation built at dir, or nil when there is none.
func built(dir string) *Generation {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil
	}
	// The members are the caller's: only the entries are decoded.
	entries, ok := decodeEntries(b)
	if !ok {
		var m struct{ Entries []ManifestEntry }
		if err := json.Unmarshal(b, &m); err != nil {
			return nil
		}
		entries = m.Entries
	}
	return generationOf(dir, &Manifest{Entries: entries})
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
func build(gensDir string, members []Member, closure []*store.Entry) (*Generation, error) {
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
	// Planning (mostly reading) and making the links (mostly the kernel's
	// work) overlap. A conflict found late leaves links in tmp, which goes.
	batches := make(chan []link, 64)
	planned := make(chan error, 1)
	go func() {
		planned <- plan(provs, func(b []link) { batches <- b })
		close(batches)
	}()
	made := makeLinks(tmp, batches)
	if err := <-planned; err != nil {
		return nil, err
	}
	if made != nil {
		return nil, fmt.Errorf("generation %s: %w", dir, made)
	}
	if err := writeManifest(tmp, manifestOf(g)); err != nil {
		return nil, fmt.Errorf("generation %s: %w", dir, err)
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

// linkWorkers is how many symlinks are made at once: the kernel's work of
// making them spreads over the processors (and on a disk, overlaps).
const linkWorkers = 4

// makeLinks creates the links of batches under root. The plan's order
// puts a directory right before what it holds: directories are made here,
// in order, and the symlinks each handed to one of linkWorkers only once
// its directory exists. Each is made relative to root, held open, so the
// kernel does not walk root's own path every time. After an error it takes
// the remaining batches without making them, and returns the first error.
func makeLinks(root string, batches <-chan []link) error {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		for range batches {
		}
		return &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(fd)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	jobs := make(chan []link, linkWorkers)
	for range linkWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ls := range jobs {
				if failed() {
					continue
				}
				for _, l := range ls {
					if err := unix.Symlinkat(l.target, fd, l.path); err != nil {
						fail(&os.LinkError{Op: "symlink", Old: l.target, New: filepath.Join(root, l.path), Err: err})
						break
					}
				}
			}
		}()
	}
	for batch := range batches {
		if failed() {
			continue
		}
		// Symlinks go out in runs; a directory is made before anything
		// after it in the plan, which is all it may hold.
		start := 0
		for i, l := range batch {
			if l.target != "" {
				continue
			}
			if i > start {
				jobs <- batch[start:i]
			}
			start = i + 1
			if err := unix.Mkdirat(fd, l.path, 0o755); err != nil {
				fail(&os.PathError{Op: "mkdir", Path: filepath.Join(root, l.path), Err: err})
				break
			}
		}
		if start < len(batch) && !failed() {
			jobs <- batch[start:]
		}
	}
	close(jobs)
	wg.Wait()
	return firstErr
}
