package activate

import (
	"maps"
	"os"
	"path/filepath"
	"sync"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/store"
)

// The cache keeps, for each project file and configuration, the result of
// its last evaluation with what that result depends on: the file's
// content, the value of every variable the script read from its starting
// environment, and a fingerprint of every file it looked at. A result is
// reused only when all of them still match, its generation is still the
// project's current one, and the evaluation ran nothing whose effect
// cannot be known: no external command, no file written, no globbing, no
// unlocked package. Variables the script did not read pass through, so a
// batch job's own variables do not defeat the cache.

// deps are the files an evaluation looked at, each with its fingerprint
// taken when it was first looked at, before it was read: a change after
// that, even during the evaluation, makes the result stale. ok turns false
// when its result depends on more than files.
type deps struct {
	ok    bool
	paths map[string]string
}

func newDeps() *deps { return &deps{ok: true, paths: map[string]string{}} }

func (d *deps) taint() {
	if d != nil {
		d.ok = false
	}
}

// add notes p, which the evaluation is about to look at.
func (d *deps) add(p string) {
	if d == nil {
		return
	}
	if _, ok := d.paths[p]; !ok {
		d.paths[p] = prompt.Fingerprint(p)
	}
}

// read notes p, which the evaluation read as data (nil: p did not
// exist) and uses as read: its fingerprint is of that content, taken
// without reading p again. A change since the read shows in p's
// modification time or existence, taken now.
func (d *deps) read(p string, data []byte) {
	if d == nil {
		return
	}
	if data == nil {
		d.paths[p] = "absent"
		return
	}
	d.paths[p] = prompt.FingerprintAs(p, data)
}

// wrote notes that noxenv itself just wrote data to p (the lock, the
// trust record that keeps it trusted): no change for the evaluation,
// where it looked at p, unless p no longer holds data.
func (d *deps) wrote(p string, data []byte) {
	if d == nil {
		return
	}
	if _, ok := d.paths[p]; ok {
		d.paths[p] = prompt.FingerprintAs(p, data)
	}
}

// storeCached keeps res for the next evaluation from the same start. A
// cache that cannot be written is only slower: errors are ignored.
func storeCached(cfg Config, file string, content []byte, base map[string]string, read map[string]bool, res *Result, d *deps) {
	c := prompt.CacheRecord{Content: prompt.ContentSum(content), Read: map[string]*string{}, Set: map[string]string{}, Deps: map[string]string{}}
	for _, w := range res.Watched {
		c.Watched = append(c.Watched, w.Path)
	}
	for k := range read {
		if v, ok := base[k]; ok {
			c.Read[k] = &v
		} else {
			c.Read[k] = nil
		}
	}
	for k, v := range res.Env {
		if bv, ok := base[k]; !ok || bv != v {
			c.Set[k] = v
		}
	}
	for k := range base {
		if _, ok := res.Env[k]; !ok {
			c.Unset = append(c.Unset, k)
		}
	}
	maps.Copy(c.Deps, d.paths)
	if g := res.Generation; g != nil {
		root, err := prompt.ResolveLinks(prompt.ProfileLink(cfg.StateDir, file))
		if err != nil {
			return
		}
		c.GenDir, c.Root = g.Dir, root
	}
	p := prompt.CacheFile(cfg.places(), file)
	if os.MkdirAll(filepath.Dir(p), 0o700) != nil {
		return
	}
	// The last result, of the same content from another start, stays
	// as the one before.
	if data, err := os.ReadFile(p); err == nil {
		if last, err := prompt.UnmarshalCacheRecord(data); err == nil && last.Content == c.Content && !sameStart(last.Read, c.Read) {
			_ = os.Rename(p, prompt.Alternate(p))
		}
	}
	_ = store.WriteFileAtomic(p, c.Marshal(), 0o600)
}

// sameStart says whether two records read the same variables with the
// same values.
func sameStart(a, b map[string]*string) bool {
	return maps.EqualFunc(a, b, func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) })
}

// recordingEnv is the starting environment of an evaluation, noting which
// variables the script reads. Listing every variable (Each) cannot be
// followed name by name: it is counted instead. The interpreter lists
// once at the end of a run; any other listing (${!prefix*}, declare -p,
// set, a background job, an external command) makes the evaluation
// uncacheable, except the evaluator's own, which it counts in ownLists.
type recordingEnv struct {
	expand.Environ
	mu    sync.Mutex
	read  map[string]bool
	lists int
	// unset are the names read that were not set, since forget: one of
	// them ended the script when set -u or ${X:?} did.
	unset map[string]bool
	// quiet suspends the noting while the interpreter sets itself up.
	quiet bool
}

func (r *recordingEnv) Each(f func(name string, vr expand.Variable) bool) {
	r.mu.Lock()
	if !r.quiet {
		r.lists++
	}
	r.mu.Unlock()
	r.Environ.Each(f)
}

// listed returns how many times the variables were listed.
func (r *recordingEnv) listed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lists
}

// volatileNames are the parameters the interpreter computes afresh on each
// expansion rather than reading them from the environment.
var volatileNames = map[string]bool{"$": true, "PPID": true, "RANDOM": true, "SRANDOM": true}

// volatile reports whether node may expand a parameter whose value
// changes from one evaluation to the next: one of volatileNames (also as
// a bare word, as arithmetic names it), or an indirection (${!name}),
// which may name one.
func volatile(node syntax.Node) bool {
	found := false
	syntax.Walk(node, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.ParamExp:
			found = found || n.Excl || n.Param != nil && volatileNames[n.Param.Value]
		case *syntax.Lit:
			found = found || volatileNames[n.Value]
		}
		return !found
	})
	return found
}

func (r *recordingEnv) Get(name string) expand.Variable {
	r.note(name)
	vr := r.Environ.Get(name)
	if !vr.IsSet() {
		r.mu.Lock()
		if r.unset == nil {
			r.unset = map[string]bool{}
		}
		r.unset[name] = true
		r.mu.Unlock()
	}
	return vr
}

// readUnset are the names read that were not set since forget.
func (r *recordingEnv) readUnset() map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unset
}

// forget starts readUnset again, at a command.
func (r *recordingEnv) forget() {
	r.mu.Lock()
	r.unset = nil
	r.mu.Unlock()
}

func (r *recordingEnv) note(name string) {
	r.mu.Lock()
	if !r.quiet && name != stateVar {
		r.read[name] = true
	}
	r.mu.Unlock()
}
