package activate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/noxenv/noxenv/profile"
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

// cacheFormat changes whenever what an evaluation computes changes.
const cacheFormat = "noxenv-eval-3"

type cached struct {
	Content string // sha256 of the file evaluated
	// Read holds the variables of the starting environment the script
	// read, with their values then (nil: unset).
	Read map[string]*string
	// Set and Unset turn the starting environment into the result.
	Set     map[string]string
	Unset   []string
	Watched []string
	// Deps maps each file looked at to its fingerprint.
	Deps map[string]string
	// GenDir is the generation, Root what the project's profile resolved
	// to when it was recorded; empty without packages.
	GenDir string
	Root   string
}

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
		d.paths[p] = fingerprint(p)
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
	d.paths[p] = fingerprintAs(p, data)
}

// wrote notes that noxenv itself just wrote data to p (the lock, the
// trust record that keeps it trusted): no change for the evaluation,
// where it looked at p, unless p no longer holds data.
func (d *deps) wrote(p string, data []byte) {
	if d == nil {
		return
	}
	if _, ok := d.paths[p]; ok {
		d.paths[p] = fingerprintAs(p, data)
	}
}

// fingerprint says what a file is now: absent, a directory, or a regular
// file's content, with the target of any symbolic link on the way, its
// permission bits and a regular file's modification time (test -x,
// test -nt).
func fingerprint(p string) string { return fingerprintAs(p, nil) }

// fingerprintAs is fingerprint, a regular file's content taken to be data
// when data is not nil.
func fingerprintAs(p string, data []byte) string {
	fi, err := os.Lstat(p)
	if err != nil {
		return "absent"
	}
	fp := ""
	if fi.Mode()&os.ModeSymlink != 0 {
		t, err := filepath.EvalSymlinks(p)
		if err != nil {
			return "dangling"
		}
		if fi, err = os.Stat(t); err != nil {
			return "dangling"
		}
		fp = "link:" + t + " "
	}
	// A directory's time changes with every file made in it: not
	// followed.
	fp += fi.Mode().String() + " "
	switch {
	case fi.IsDir():
		return fp + "dir"
	case !fi.Mode().IsRegular():
		return fp + fi.Mode().Type().String()
	}
	fp += strconv.FormatInt(fi.ModTime().UnixNano(), 10) + " "
	if data != nil {
		sum := sha256.Sum256(data)
		return fp + "sha256:" + hex.EncodeToString(sum[:])
	}
	f, err := os.Open(p)
	if err != nil {
		return fp + "unreadable"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fp + "unreadable"
	}
	return fp + "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// cacheFile returns where the last result of evaluating file under cfg is
// kept.
func cacheFile(cfg Config, file string) string {
	h := sha256.New()
	field := func(h hash.Hash, s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	field(h, cacheFormat)
	field(h, file)
	field(h, cfg.StateDir)
	field(h, cfg.AllowDir)
	field(h, cfg.ProfilesDir)
	for _, d := range cfg.ReleaseProfileDirs {
		field(h, d)
	}
	for _, d := range cfg.storeDirs() {
		field(h, d)
	}
	return filepath.Join(cfg.CacheDir, "eval", hex.EncodeToString(h.Sum(nil)))
}

// loadCached returns the cached result, or nil when there is none still
// valid. seen observes a watched file (see observe); the files are
// observed before the cache is checked against them. read holds the
// content of the files the evaluation has read already (file, its lock
// and trust record, as checked for trust): they are hashed as read, not
// read again; a change since shows in their modification time.
func loadCached(cfg Config, file string, base map[string]string, seen func(string) Watch, read map[string][]byte) *Result {
	content := read[file]
	data, err := os.ReadFile(cacheFile(cfg, file))
	if err != nil {
		return nil
	}
	c, err := unmarshalCached(data)
	if err != nil || c.Content != contentSum(content) {
		return nil
	}
	for k, v := range c.Read {
		if bv, ok := base[k]; ok != (v != nil) || ok && bv != *v {
			return nil
		}
	}
	watched := make([]Watch, len(c.Watched))
	for i, p := range c.Watched {
		watched[i] = seen(p)
	}
	for p, fp := range c.Deps {
		if fingerprintAs(p, read[p]) != fp {
			return nil
		}
	}
	res := &Result{File: file, Env: cloneEnv(base), Watched: watched}
	maps.Copy(res.Env, c.Set)
	for _, k := range c.Unset {
		delete(res.Env, k)
	}
	if c.GenDir != "" {
		if root, err := resolveLinks(projectProfile(cfg.StateDir, file).Path); err != nil || root != c.Root {
			return nil
		}
		if _, err := os.Stat(c.GenDir); err != nil {
			return nil
		}
		res.Generation = &profile.Generation{Dir: c.GenDir}
	}
	return res
}

// storeCached keeps res for the next evaluation from the same start. A
// cache that cannot be written is only slower: errors are ignored.
func storeCached(cfg Config, file string, content []byte, base map[string]string, read map[string]bool, res *Result, d *deps) {
	c := cached{Content: contentSum(content), Read: map[string]*string{}, Set: map[string]string{}, Deps: map[string]string{}}
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
		root, err := resolveLinks(projectProfile(cfg.StateDir, file).Path)
		if err != nil {
			return
		}
		c.GenDir, c.Root = g.Dir, root
	}
	p := cacheFile(cfg, file)
	if os.MkdirAll(filepath.Dir(p), 0o700) == nil {
		_ = store.WriteFileAtomic(p, c.marshal(), 0o600)
	}
}

func contentSum(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
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
	return r.Environ.Get(name)
}

func (r *recordingEnv) note(name string) {
	r.mu.Lock()
	if !r.quiet && name != stateVar {
		r.read[name] = true
	}
	r.mu.Unlock()
}

// resolveLinks follows the chain of symbolic links at p (a profile link
// and its generation link) to what the last one names, without resolving
// every directory on the way as filepath.EvalSymlinks does.
func resolveLinks(p string) (string, error) {
	for range 8 {
		t, err := os.Readlink(p)
		if err != nil {
			if errors.Is(err, syscall.EINVAL) {
				return p, nil // not a link
			}
			return "", err
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		p = t
	}
	return "", fmt.Errorf("%s: too many links", p)
}
