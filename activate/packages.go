package activate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

// use NAME [CONSTRAINT] / use NAME@CONSTRAINT
func (e *evaluator) use(ctx context.Context, hc interp.HandlerContext, args []string) error {
	return e.addUse(ctx, hc, args, false)
}

// useBatched is a use that another directly follows (see batchUses): its
// package is realized with theirs, at the last of them.
func (e *evaluator) useBatched(ctx context.Context, hc interp.HandlerContext, args []string) error {
	return e.addUse(ctx, hc, args, true)
}

func (e *evaluator) addUse(ctx context.Context, hc interp.HandlerContext, args []string, batched bool) error {
	if len(args) > 0 {
		if fn := "use_" + args[0]; e.isFunction(ctx, hc, fn) {
			// It may run what the batch's packages provide.
			if err := e.realizeBatch(ctx, hc); err != nil {
				return err
			}
			return e.callShell(ctx, hc, fn, args[1:])
		}
		if err := foreignUses[args[0]]; err != nil {
			return err
		}
	}
	if len(args) == 0 || len(args) > 2 {
		return errors.New("usage: use NAME [CONSTRAINT]")
	}
	s := args[0]
	if len(args) == 2 {
		if strings.Contains(s, "@") {
			return errors.New("usage: use NAME [CONSTRAINT] or use NAME@CONSTRAINT, not both")
		}
		s += "@" + args[1]
	}
	req, err := store.ParseRequest(s)
	if err != nil {
		return err
	}
	ent, err := e.pin(ctx, req)
	if err != nil {
		return err
	}
	from := e.packages(hc)
	members := withMember(from.members, profile.Member{Name: ent.Name, Version: ent.Version, Request: req.String(), ID: ent.ID, Priority: profile.DefaultPriority, Entry: ent})
	if batched {
		return e.enter(ctx, hc, &pkgState{members: members, applied: from.applied})
	}
	return e.applyPackages(ctx, hc, from, members)
}

// batchedUse names, in the parsed file, the top-level use statements that
// another one follows directly: nothing can observe the environment in
// between, so their packages are realized once, at the last of them.
// Code the script evals or sources is parsed by the interpreter and never
// has it.
const batchedUse = "__noxenv_use_batched"

// batchUses renames the batched use statements of f to batchedUse. Their
// arguments must be plain words: an expansion in the next statement could
// observe the environment.
func batchUses(f *syntax.File) {
	for i := 0; i+1 < len(f.Stmts); i++ {
		if plainUse(f.Stmts[i]) && plainUse(f.Stmts[i+1]) {
			f.Stmts[i].Cmd.(*syntax.CallExpr).Args[0].Parts[0].(*syntax.Lit).Value = batchedUse
		}
	}
}

// plainUse says whether st is "use WORD..." with plain words, run in the
// foreground with no redirection.
func plainUse(st *syntax.Stmt) bool {
	c, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || st.Coprocess || st.Disown || len(st.Redirs) > 0 ||
		len(c.Assigns) > 0 || len(c.Args) == 0 || c.Args[0].Lit() != "use" {
		return false
	}
	for _, w := range c.Args[1:] {
		if w.Lit() == "" {
			return false
		}
	}
	return true
}

// realizeBatch realizes the packages of use statements batched so far.
func (e *evaluator) realizeBatch(ctx context.Context, hc interp.HandlerContext) error {
	if from := e.packages(hc); from.gen == nil && len(from.members) > 0 {
		return e.applyPackages(ctx, hc, from, from.members)
	}
	return nil
}

// useProfile adds every member of a user or release profile's current
// generation, as they are pinned there.
func (e *evaluator) useProfile(ctx context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: use_profile NAME")
	}
	link, err := e.findProfile(args[0])
	if err != nil {
		return err
	}
	e.deps.add(link)
	if err := e.guard(); err != nil {
		return err
	}
	dir, err := filepath.EvalSymlinks(link)
	if err != nil {
		return fmt.Errorf("profile %s: %w", args[0], err)
	}
	m, err := profile.LoadManifest(dir)
	if err != nil {
		return fmt.Errorf("profile %s: %w", args[0], err)
	}
	from := e.packages(hc)
	members := from.members
	ids := make([]string, len(m.Members))
	for i, mem := range m.Members {
		ids[i] = mem.ID
	}
	// Members that no store holds any more are fetched, all at once.
	ents, err := e.cfg.Stores.Need(ctx, ids)
	if err != nil {
		return fmt.Errorf("profile %s: %w", args[0], err)
	}
	for i, mem := range m.Members {
		mem.Entry = ents[i]
		members = withMember(members, mem)
	}
	return e.applyPackages(ctx, hc, from, members)
}

// findProfile returns the link of the user profile name, else of the
// first release profile of that name.
func (e *evaluator) findProfile(name string) (string, error) {
	if name == "" || strings.ContainsRune(name, '/') || name == "." || name == ".." {
		return "", fmt.Errorf("invalid profile name %q", name)
	}
	for _, d := range append([]string{e.cfg.ProfilesDir}, e.cfg.ReleaseProfileDirs...) {
		if d == "" {
			continue
		}
		p := filepath.Join(d, name)
		if _, err := os.Lstat(p); err == nil {
			return p, nil
		}
	}
	return "", noProfileError(name)
}

// noProfileError is a use_profile NAME that no profile has.
type noProfileError string

func (e noProfileError) Error() string { return "no profile named " + string(e) }

// Hint names the command that lists them.
func (noProfileError) Hint() string {
	return "'noxenv profile list' shows the user and release profiles"
}

// useExtra adds the packages noxenv shell names, unlocked.
func (e *evaluator) useExtra(ctx context.Context, hc interp.HandlerContext, _ []string) error {
	if err := e.guard(); err != nil {
		return err
	}
	from := e.packages(hc)
	members := from.members
	for _, pkg := range e.opts.extra {
		ent, err := e.cfg.Stores.Find(pkg)
		if err != nil {
			return err
		}
		members = withMember(members, profile.Member{Name: ent.Name, Version: ent.Version, Request: pkg, ID: ent.ID, Priority: profile.DefaultPriority, Entry: ent})
	}
	return e.applyPackages(ctx, hc, from, members)
}

// guard holds the stores' gc lock from the first lookup until the
// evaluation's generation is recorded as a root.
func (e *evaluator) guard() error {
	if e.release != nil {
		return nil
	}
	if e.cfg.Stores == nil {
		return errors.New("no package stores are configured")
	}
	release, err := e.cfg.Stores.Guard(false)
	if err != nil {
		return err
	}
	e.release = release
	return nil
}

func (e *evaluator) releaseGuard() {
	if e.release != nil {
		e.release()
		e.release = nil
	}
}

// pin returns the entry req is locked to, resolving and locking it when
// it is not locked yet or is to be updated.
func (e *evaluator) pin(ctx context.Context, req store.Request) (*store.Entry, error) {
	if err := e.guard(); err != nil {
		return nil, err
	}
	key := req.String()
	e.met[key] = true
	if e.lock == nil {
		e.lock = prompt.NewLock()
	}
	old, locked := e.lock.Packages[key]
	if locked && !e.reresolve(req.Name) {
		ent, err := e.pinned(ctx, old.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, &MissingPinError{Request: key, ID: old.ID}
		}
		if err != nil {
			return nil, err
		}
		if ent.Info != nil && old.Hash != "" && ent.Info.Hash != old.Hash {
			return nil, &PinMismatchError{Request: key, Path: ent.Path, Has: ent.Info.Hash, Pinned: old.Hash}
		}
		// A pin is trusted with its lock, but it serves its own request
		// only: another package or version is a lock that disagrees
		// with the file (an edit, a merge), never run in its place.
		if !req.Matches(ent.Name, ent.Version) {
			return nil, &PinRequestError{Request: key, ID: ent.ID, Name: ent.Name, Version: ent.Version}
		}
		return ent, nil
	}
	// What no store holds may come, signed, from the substituters.
	if _, _, err := e.cfg.Stores.LocateAll(ctx, []string{key}); err != nil {
		return nil, err
	}
	ent, err := e.cfg.Stores.Resolve(req)
	if err != nil {
		return nil, err
	}
	p := prompt.Pin{ID: ent.ID}
	if ent.Info != nil {
		p.Hash = ent.Info.Hash
	}
	if !locked || old != p {
		e.lock.Packages[key] = p
		e.lockDirty = true
	}
	return ent, nil
}

// reresolve says whether a locked request for name is resolved again.
func (e *evaluator) reresolve(name string) bool {
	if !e.opts.update {
		return false
	}
	if len(e.opts.names) == 0 {
		return true
	}
	for _, n := range e.opts.names {
		if n == name {
			return true
		}
	}
	return false
}

// requestName is the NAME of a request NAME[@CONSTRAINT].
func requestName(req string) string {
	name, _, _ := strings.Cut(req, "@")
	return name
}

// withMember returns a copy of members with m added, in place of a member
// of the same name.
func withMember(members []profile.Member, m profile.Member) []profile.Member {
	out := slices.Clone(members)
	for i := range out {
		if out[i].Name == m.Name {
			out[i] = m
			return out
		}
	}
	return append(out, m)
}

// pkgState is the set of packages one shell context has: which state a
// context is in is an unexported shell variable (stateVar), so that, as
// every variable, it goes into subshells and command substitutions and
// does not come back out of them.
type pkgState struct {
	members []profile.Member
	// gen is the realized generation of members; nil for none, and while
	// a batch of use statements is not over.
	gen *profile.Generation
	// applied is what the packages put into the context's environment.
	applied *applied
}

// stateVar holds the index in evaluator.states of the context's packages.
const stateVar = "__noxenv_packages"

// packages returns the package state of the context hc runs in.
func (e *evaluator) packages(hc interp.HandlerContext) *pkgState {
	return e.stateOf(hc.Env.Get(stateVar).String())
}

func (e *evaluator) stateOf(v string) *pkgState {
	if i, err := strconv.Atoi(v); err == nil && i >= 0 && i < len(e.states) {
		return e.states[i]
	}
	return &pkgState{}
}

// generation is the generation the evaluation ended with, at the top
// level of the script.
func (e *evaluator) generation() *profile.Generation {
	return e.stateOf(e.runner.Vars[stateVar].String()).gen
}

// enter makes s the package state of the context hc runs in.
func (e *evaluator) enter(ctx context.Context, hc interp.HandlerContext, s *pkgState) error {
	e.states = append(e.states, s)
	return hc.Builtin(ctx, []string{"eval", stateVar + "=" + strconv.Itoa(len(e.states)-1)})
}

// writeLock writes the lock of the project file when the evaluation
// changed it, keeping the trust in it. A directory the user cannot write
// gets no lock and a warning, except for noxenv lock, which exists to
// write it.
func (e *evaluator) writeLock(file string) error {
	if e.opts.prune {
		for k := range e.lock.Packages {
			if !e.met[k] {
				delete(e.lock.Packages, k)
				e.lockDirty = true
			}
		}
	}
	if !e.lockDirty {
		return nil
	}
	data := marshalLock(e.lock)
	err := store.WriteFileAtomic(e.lockFile, data, 0o644)
	if err == nil {
		// noxenv's own writes, of the lock and of the trust record that
		// keeps it trusted, are no change.
		prompt.Rewatch(e.watched, e.lockFile, data)
		e.deps.wrote(e.lockFile, data)
		rec, err := keepTrust(e.cfg.AllowDir, file, e.lockRead, data)
		if rec != nil {
			prompt.Rewatch(e.watched, prompt.RecordOf(e.cfg.AllowDir, file), rec)
			e.deps.wrote(prompt.RecordOf(e.cfg.AllowDir, file), rec)
		}
		return err
	}
	if e.opts.prune || !(errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)) {
		return err
	}
	// Unlocked requests are resolved again next time: not cacheable.
	e.deps.taint()
	if !e.cfg.Quiet {
		fmt.Fprintf(e.stderr, "noxenv: %s is not writable: packages stay unlocked (%v)\n", filepath.Dir(e.lockFile), err)
	}
	return nil
}

// applied records what putting a generation into the environment
// changed, so that the next generation replaces it rather than adding to
// it.
type applied struct {
	// prefixes are the generation's and its entries' directories.
	prefixes []string
	vars     map[string]change
}

type change struct {
	before, after       string
	hadBefore, hasAfter bool
}

// listVars are the :-separated variables of SPEC §4.4.
var listVars = map[string]bool{
	"PATH": true, "MANPATH": true, "INFOPATH": true, "PKG_CONFIG_PATH": true,
	"CMAKE_PREFIX_PATH": true, "XDG_DATA_DIRS": true, "LD_LIBRARY_PATH": true,
}

// applyPackages realizes members as one generation and puts it into the
// environment of the context hc runs in, in place of the one there (from),
// so that the commands after use find the packages.
func (e *evaluator) applyPackages(ctx context.Context, hc interp.HandlerContext, from *pkgState, members []profile.Member) error {
	gen, err := e.realize(members)
	if err != nil {
		return err
	}
	env := e.envOf(hc.Env)
	base := from.applied.unapply(env)
	out := profile.Environ(gen, base)
	a := &applied{prefixes: []string{gen.Dir}, vars: map[string]change{}}
	for _, ent := range gen.Entries {
		a.prefixes = append(a.prefixes, ent.Path)
		// An entry removed from its store must not be used from the cache.
		e.deps.add(ent.Path)
	}
	changes := map[string]*string{}
	for _, m := range []map[string]string{base, env, out} {
		for k := range m {
			b, bok := base[k]
			o, ook := out[k]
			if bok != ook || b != o {
				a.vars[k] = change{before: b, after: o, hadBefore: bok, hasAfter: ook}
			}
			if c, cok := env[k]; cok != ook || c != o {
				if ook {
					changes[k] = &o
				} else {
					changes[k] = nil
				}
			}
		}
	}
	// The packages' variables depend on their starting values.
	for k := range a.vars {
		e.env.note(k)
	}
	if err := e.setVars(ctx, hc, changes); err != nil {
		return err
	}
	return e.enter(ctx, hc, &pkgState{members: members, gen: gen, applied: a})
}

// unapply returns env without what the previous generation put there: a
// variable the script left as it was gets its value from before; in a
// :-separated one the script changed, only the generation's entries go.
func (a *applied) unapply(env map[string]string) map[string]string {
	out := cloneEnv(env)
	if a == nil {
		return out
	}
	for k, c := range a.vars {
		cur, ok := env[k]
		switch {
		case ok == c.hasAfter && cur == c.after:
			if c.hadBefore {
				out[k] = c.before
			} else {
				delete(out, k)
			}
		case ok && (listVars[k] || strings.Contains(c.after, ":")):
			out[k] = a.removeFrom(cur)
		}
	}
	return out
}

// removeFrom drops from a :-separated list the elements that lie in the
// generation or its entries.
func (a *applied) removeFrom(list string) string {
	parts := strings.Split(list, ":")
	kept := parts[:0]
	for _, p := range parts {
		if !a.owns(p) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ":")
}

func (a *applied) owns(p string) bool {
	for _, pre := range a.prefixes {
		if p == pre || strings.HasPrefix(p, pre+"/") {
			return true
		}
	}
	return false
}
