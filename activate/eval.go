package activate

import (
	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/profile"

	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// options are what distinguishes evaluate's callers.
type options struct {
	// update re-resolves locked requests: those named in names, or all
	// when names is empty.
	update bool
	names  []string
	// prune writes the lock with exactly the requests met.
	prune bool
	// extra are packages added after the script (noxenv shell); they are
	// not locked and not part of the project's generation.
	extra []string
	// keepGuard returns with the store guard still held, for a caller
	// that records the result as a root itself.
	keepGuard bool
	// sandbox (fuzzing) runs no external command and writes no file
	// outside the project's directory.
	sandbox bool
}

// Evaluate evaluates the trusted file starting from base, the user's own
// environment, and returns the project's environment. An untrusted file
// gives a *prompt.BlockedError and is not evaluated. When the script fails, the
// Result returned with the error holds only File and Watched: the files
// met so far, whose change (a missing .env appearing) may mend it.
func Evaluate(ctx context.Context, cfg Config, file string, base map[string]string) (*Result, error) {
	res, _, err := evaluate(ctx, cfg, file, base, options{})
	return res, err
}

// Evaluator returns the evaluation prompt.Next runs: Evaluate, under the
// configuration config returns, called only when a project file is to be
// evaluated (opening the stores costs), its error a failed evaluation.
func Evaluator(ctx context.Context, config func() (Config, error)) prompt.Evaluation {
	return func(file string, base map[string]string) (map[string]string, []prompt.Watch, error) {
		cfg, err := config()
		if err != nil {
			return nil, nil, err
		}
		res, err := Evaluate(ctx, cfg, file, base)
		if res == nil {
			return nil, nil, err
		}
		return res.Env, res.Watched, err
	}
}

// Relock evaluates file as Evaluate does and rewrites its lock with
// exactly the requests the evaluation met. With update, the requests whose
// names are in names (all when names is empty) are resolved again. It
// returns what changed in the lock, by request, and an error when a name
// is not one the file uses.
func Relock(ctx context.Context, cfg Config, file string, base map[string]string, update bool, names []string) ([]prompt.PinChange, error) {
	before, err := prompt.ReadLock(prompt.LockPath(file))
	if err != nil {
		return nil, err
	}
	if _, _, err := evaluate(ctx, cfg, file, base, options{update: update, names: names, prune: true}); err != nil {
		return nil, err
	}
	after, err := prompt.ReadLock(prompt.LockPath(file))
	if err != nil {
		return nil, err
	}
	return prompt.PinChanges(before, after), checkNames(file, after, names)
}

// checkNames returns an error for the first of names that no request of
// the lock lk of file uses.
func checkNames(file string, lk *prompt.Lock, names []string) error {
	used := map[string]bool{}
	for req := range lk.Packages {
		used[requestName(req)] = true
	}
	for _, n := range names {
		if !used[n] {
			return &unusedNameError{file: file, name: n, used: slices.Sorted(maps.Keys(used))}
		}
	}
	return nil
}

// unusedNameError is a name given to lock --update that the project does
// not use.
type unusedNameError struct {
	file, name string
	used       []string
}

func (e *unusedNameError) Error() string {
	return fmt.Sprintf("%s uses no package named %s", e.file, e.name)
}

// Hint lists the names it uses.
func (e *unusedNameError) Hint() string {
	if len(e.used) == 0 {
		return "it uses no packages"
	}
	return "it uses: " + strings.Join(e.used, ", ")
}

// evaluator is one evaluation: the interpreter, what the builtins
// gathered, and the lock.
type evaluator struct {
	cfg    Config
	opts   options
	stderr io.Writer
	// out is stderr as the script's commands have it.
	out    *scriptOutput
	runner *interp.Runner
	// funcOrigins are the definitions of the project file's functions,
	// by body, for declare -f.
	funcOrigins map[*syntax.Stmt]funcOrigin
	// held is the lock guarding what handlers change, a channel so that
	// waiting for it ends with the evaluation; see serial.
	held chan struct{}

	// files is the stack of files being evaluated (source_env pushes).
	files []string

	// timeout is the eval-timeout setting.
	timeout time.Duration
	// commands are the external commands running.
	commands commands
	// opened are the files the script's redirections opened.
	opened openFiles

	lockFile  string
	lock      *prompt.Lock
	lockDirty bool
	met       map[string]bool

	// lockRead is the lock's content as trusted (nil: none); a lock
	// written in its place keeps the trust.
	lockRead []byte

	// states are the package states contexts have been in; see pkgState.
	states  []*pkgState
	release func()

	watched []prompt.Watch
	deps    *deps
	env     *recordingEnv
	// ownLists counts the evaluator's own listings of the variables.
	ownLists int

	// last is the last simple command, for errors of set -e.
	lastPos  syntax.Pos
	lastFile string
	lastArgs []string
	// lastOpen is the file whose redirection opened a file since the
	// last simple command: where a read that never ends ($(<f)) is;
	// openFailed the file it could not open, if so.
	lastOpen, openFailed string

	// refused is the first construct refused where the interpreter
	// does not stop for it (in $(...)); see refuse.
	refused error
	// frame is the builtin running; pending its failure not yet printed.
	frame   frame
	pending *PosError
	// funcFile is the file that defines each function, by name.
	funcFile map[string]string
	// parsed is each file's program as read, for the positions of errors.
	parsed map[string]*syntax.File
	// moved are the columns the check's edits moved in sourced files.
	moved map[string]columns
}

func evaluate(ctx context.Context, cfg Config, file string, base map[string]string, opts options) (res *Result, release func(), err error) {
	e := &evaluator{cfg: cfg, opts: opts, stderr: io.Discard, met: map[string]bool{}, held: make(chan struct{}, 1)}
	if cfg.Stderr != nil {
		e.stderr = cfg.Stderr
	}
	e.out = &scriptOutput{Writer: e.stderr}
	defer func() {
		if err != nil || !opts.keepGuard {
			e.releaseGuard()
		}
	}()
	var content []byte
	cacheable := cfg.CacheDir != "" && file != "" && !opts.update && !opts.prune && len(opts.extra) == 0
	if file != "" {
		if file, err = prompt.TrustPath(file); err != nil {
			return nil, nil, err
		}
		proj, err := prompt.ReadProject(cfg.AllowDir, file)
		if proj == nil {
			return nil, nil, err
		}
		file = proj.File
		e.deps = newDeps()
		e.lockFile = prompt.LockPath(file)
		e.watched = slices.Clone(proj.Watched)
		if err != nil {
			return &Result{File: file, Watched: e.watched}, nil, err
		}
		content, e.lockRead = proj.Content, proj.Lock
		if cacheable {
			if c := proj.Cached(cfg.places(), base); c != nil {
				res := &Result{File: file, Env: c.Env, Watched: c.Watched}
				if c.GenDir != "" {
					res.Generation = &profile.Generation{Dir: c.GenDir}
				}
				return res, nil, nil
			}
		}
		for p, data := range proj.Read(cfg.AllowDir) {
			e.deps.read(p, data)
		}
		if e.lock, err = prompt.ParseLock(e.lockFile, e.lockRead); err != nil {
			return &Result{File: file, Watched: e.watched}, nil, err
		}
	}
	if e.cfg.Stores == nil && cfg.OpenStores != nil {
		if e.cfg.Stores, err = cfg.OpenStores(); err != nil {
			return nil, nil, err
		}
	}
	set, err := cfg.settings()
	if err != nil {
		// Mending a settings file is a change, as the project's are.
		for _, f := range cfg.SettingsFiles {
			e.watched = append(e.watched, prompt.Observe(f))
		}
		return &Result{File: file, Watched: e.watched}, nil, err
	}
	e.timeout = set.EvalTimeout
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	// An evaluation cut short (the limit, an interruption) ends every
	// process it started, also those no command has as a descendant any
	// more, and every read of a file it opened; one that ends by itself
	// leaves its daemons running.
	e.commands.mark = newMark()
	ended := make(chan struct{})
	stopEnding := context.AfterFunc(ctx, func() {
		e.opened.closeAll()
		e.commands.endMarked()
		close(ended)
	})
	defer func() {
		if !stopEnding() {
			<-ended
		}
		cancel()
		e.commands.wait()
	}()

	env, err := e.run(ctx, file, content, base)
	if err != nil {
		return &Result{File: file, Watched: e.watched}, nil, err
	}
	res = &Result{File: file, Env: env, Watched: e.watched, Generation: e.generation()}
	if file != "" {
		if err := e.writeLock(file); err != nil {
			return nil, nil, err
		}
		if err := e.recordProject(file); err != nil {
			return nil, nil, err
		}
	}
	if len(opts.extra) > 0 {
		if res.Env, err = e.runExtra(ctx, res.Env); err != nil {
			return nil, nil, err
		}
		res.Generation = e.generation()
	}
	if cacheable && e.deps.ok {
		storeCached(cfg, file, content, base, e.env.read, res, e.deps)
	}
	return res, e.releaseGuard, nil
}

// run evaluates content (none when file is "") and returns the exported
// environment it leaves: base with the script's changes.
func (e *evaluator) run(ctx context.Context, file string, content []byte, base map[string]string) (map[string]string, error) {
	var prog *syntax.File
	if file != "" {
		var err error
		if prog, err = syntax.NewParser().Parse(bytes.NewReader(content), file); err != nil {
			return nil, err
		}
		if err := e.checkProgram(file, content, prog, func(name string) bool { _, ok := base[name]; return ok }); err != nil {
			return nil, err
		}
		e.files = []string{file}
		e.defines(file, prog)
		batchUses(prog)
	}
	dir, err := os.Getwd()
	if file != "" {
		dir, err = filepath.Dir(file), nil
	}
	if err != nil {
		return nil, err
	}
	pairs := make([]string, 0, len(base)+1)
	for k, v := range base {
		pairs = append(pairs, k+"="+v)
	}
	if loadsDirenvrc(file) {
		// As direnv's evaluation has it, for the user's files that ask
		// whether they run in one. Set from the start, it is no change.
		pairs = append(pairs, "DIRENV_IN_ENVRC=1")
	}
	e.env = &recordingEnv{Environ: expand.ListEnviron(pairs...), read: map[string]bool{}}
	e.out.ctx = ctx
	r, err := interp.New(
		interp.Env(e.env),
		interp.Dir(dir),
		interp.StdIO(nil, e.out, e.out),
		interp.Params("-e"),
		interp.CallHandler(e.call),
		interp.ExecHandlers(e.builtins),
		interp.OpenHandler(e.open),
		interp.StatHandler(e.stat),
		interp.AccessHandler(e.access),
		interp.ReadDirHandler2(e.readDir),
	)
	if err != nil {
		return nil, err
	}
	e.runner = r
	// A first, empty run sets the interpreter's own variables, so that
	// only the script's changes are compared afterwards.
	e.env.quiet = true
	err = r.Run(ctx, &syntax.File{})
	e.env.quiet = false
	if err != nil {
		return nil, err
	}
	start := exported(r.Vars)
	if prog != nil {
		if volatile(prog) {
			e.deps.taint()
		}
		if loadsDirenvrc(file) {
			call := &syntax.CallExpr{Args: []*syntax.Word{lit(direnvrcBuiltin)}}
			if err := r.Run(ctx, call); err != nil || e.refused != nil || ctx.Err() != nil {
				return nil, e.runError(ctx, file, err)
			}
		}
		if err := e.runProgram(ctx, r, file, prog); err != nil || e.refused != nil || ctx.Err() != nil {
			return nil, e.runError(ctx, file, err)
		}
		e.flushPending()
		// The run lists the variables once as it ends; any other listing
		// read variables the cache does not follow.
		e.serial(ctx, func(context.Context) error {
			if e.env.listed() != e.ownLists+1 {
				e.deps.taint()
			}
			return nil
		})
	}
	return applyChanges(base, start, exported(r.Vars)), nil
}

// envrcFunc is the function an .envrc runs in, as direnv sources it
// within one.
const envrcFunc = "__noxenv_envrc"

// runProgram runs the project file's program. An .envrc runs as direnv
// runs it, within a function: return ends it, local and declare make
// variables of its own. Either ends well unless it exited or a failure
// ended it (set -e, a fatal expansion): the status of its last command
// is no failure, as in direnv, where `[[ -f F ]] && dotenv F` often
// ends an .envrc.
func (e *evaluator) runProgram(ctx context.Context, r *interp.Runner, file string, prog *syntax.File) error {
	var err error
	if loadsDirenvrc(file) {
		// The body ends with a no-op: its status, that of the file's
		// last command, is then no failure for errexit, as it is not in
		// direnv (a negated body would turn exit 0 into 1); what runs
		// within it still is subject to errexit.
		done := &syntax.Stmt{Cmd: &syntax.CallExpr{Args: []*syntax.Word{lit(":")}}}
		body := &syntax.Stmt{Cmd: &syntax.Block{Stmts: append(slices.Clip(prog.Stmts), done)}}
		if err := r.Run(ctx, &syntax.FuncDecl{Name: &syntax.Lit{Value: envrcFunc}, Body: body}); err != nil {
			return err
		}
		// A command, not a statement, for the same reason; the file's
		// path is its $1, as direnv's source_env gives it.
		err = r.Run(ctx, &syntax.CallExpr{Args: []*syntax.Word{lit(envrcFunc), quoted(file)}})
		delete(r.Funcs, envrcFunc)
		if !r.Exited() {
			// The end of the file, for its EXIT trap.
			if terr := r.Run(ctx, &syntax.File{Name: file}); terr != nil && err == nil {
				err = terr
			}
		}
	} else {
		err = r.Run(ctx, prog)
	}
	var st interp.ExitStatus
	if errors.As(err, &st) && !r.Exited() {
		return nil
	}
	return err
}

// runExtra adds the packages of options.extra after the script, through
// the same code as use, and returns the environment then.
func (e *evaluator) runExtra(ctx context.Context, env map[string]string) (map[string]string, error) {
	e.files = nil
	start := exported(e.runner.Vars)
	call := &syntax.CallExpr{Args: []*syntax.Word{lit(extraBuiltin)}}
	if err := e.runner.Run(ctx, call); err != nil || ctx.Err() != nil {
		return nil, e.runError(ctx, "", err)
	}
	e.flushPending()
	return applyChanges(env, start, exported(e.runner.Vars)), nil
}

func lit(s string) *syntax.Word {
	return &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: s}}}
}

// runError turns what the interpreter returned into an error naming the
// file and, where known, the position.
func (e *evaluator) runError(ctx context.Context, file string, err error) error {
	if ctx.Err() != nil {
		return e.stopped(ctx, file)
	}
	var pe *PosError
	switch {
	case e.refused != nil:
		return e.refused
	case errors.As(err, &pe):
		return err
	}
	var st interp.ExitStatus
	if errors.As(err, &st) && e.pending != nil {
		// A builtin's failure ended the script.
		return e.pending
	}
	if errors.As(err, &st) && e.openFailed != "" {
		return posError(e.lastOpen, syntax.Pos{}, fmt.Errorf("opening %s failed with exit status %d", e.openFailed, st))
	}
	if errors.As(err, &st) && e.lastArgs != nil && e.lastArgs[0] == "exit" {
		return posError(e.lastFile, e.lastPos, fmt.Errorf("the script exited with status %d", st))
	}
	if name, ok := e.unsetEnded(); errors.As(err, &st) && ok {
		return e.unsetError(file, name)
	}
	if fails, ok := e.declEnded(); errors.As(err, &st) && ok {
		return e.endedAt(file, errors.New(e.out.lastLine()), fails)
	}
	if errors.As(err, &st) && e.lastArgs != nil {
		return posError(e.lastFile, e.lastPos, fmt.Errorf("%s failed with exit status %d", e.lastArgs[0], st))
	}
	if file == "" {
		return err
	}
	return fmt.Errorf("%s: %w", file, err)
}

// unsetEnded reports whether the script ended at the expansion of a
// parameter that was not set (set -u, ${X:?}), and names it: the
// interpreter then exits, having printed "NAME: unbound variable" (or
// ${X:?}'s "X: message"), and NAME was read unset since the last
// command.
func (e *evaluator) unsetEnded() (string, bool) {
	if !e.runner.Exited() {
		return "", false
	}
	name, _, ok := strings.Cut(e.out.lastLine(), ": ")
	return name, ok && e.env.readUnset()[name]
}

// unsetError is the error of the expansion of name, which was not set,
// that ended the script.
func (e *evaluator) unsetError(file, name string) error {
	return e.endedAt(file, fmt.Errorf("$%s is not set", name), func(n syntax.Node) bool {
		pe, ok := n.(*syntax.ParamExp)
		return ok && failsUnset(pe, name)
	})
}

// declEnded reports whether the script ended at a declaration that the
// interpreter failed itself, outside any command, as bash does: local
// outside a function, or a name that is none ("declare: invalid name"
// for export, readonly and the rest too). It then printed that, and no
// command started since. fails tells the clauses that can fail so.
func (e *evaluator) declEnded() (fails func(syntax.Node) bool, ok bool) {
	if !e.runner.Exited() {
		return nil, false
	}
	switch what, msg, _ := strings.Cut(e.out.lastLine(), ": "); {
	case what == "local" && msg == "can only be used in a function":
		var funcs []syntax.Node
		return func(n syntax.Node) bool {
			if fd, ok := n.(*syntax.FuncDecl); ok {
				funcs = append(funcs, fd)
			}
			d, ok := n.(*syntax.DeclClause)
			return ok && d.Variant.Value == "local" && !slices.ContainsFunc(funcs, func(f syntax.Node) bool { return within(d, f) })
		}, true
	case what == "declare" && msg != "":
		return func(n syntax.Node) bool { _, ok := n.(*syntax.DeclClause); return ok }, true
	}
	return nil, false
}

// within reports whether node n lies in node outer.
func within(n, outer syntax.Node) bool {
	return n.Pos().Offset() >= outer.Pos().Offset() && n.End().Offset() <= outer.End().Offset()
}

// endedAt places err, the interpreter's own failure that ended the
// script, outside any command. The interpreter says no more, so it is
// placed at the first node that fails tells after the last command, in
// that command's file (or file's, from its start, before any command).
// A function or another file that the last command ran may hold it
// instead: the error then names that command.
func (e *evaluator) endedAt(file string, err error, fails func(syntax.Node) bool) error {
	at, after := file, syntax.Pos{}
	if e.lastArgs != nil {
		at, after = e.lastFile, e.lastPos
		cmd := e.lastArgs[0]
		switch _, isFunc := e.runner.Funcs[cmd]; {
		case isFunc, cmd == "source", cmd == ".", cmd == dotBuiltin, cmd == callBuiltin, strings.HasPrefix(cmd, "source_"):
			return posError(at, after, fmt.Errorf("%w in what %s ran", err, cmd))
		}
	}
	var found syntax.Pos
	if f := e.parsed[at]; f != nil {
		syntax.Walk(f, func(n syntax.Node) bool {
			if !found.IsValid() && fails(n) && (!after.IsValid() || n.Pos().Offset() > after.Offset()) {
				found = n.Pos()
			}
			return !found.IsValid()
		})
	}
	switch {
	case found.IsValid():
		return posError(at, found, err)
	case e.lastArgs != nil:
		return posError(at, after, fmt.Errorf("%w, after %s", err, e.lastArgs[0]))
	case at == "":
		return err
	}
	return posError(at, syntax.Pos{}, err)
}

// failsUnset reports whether pe expands name and fails where it is not
// set: one without a default, an alternative or an error of its own (a
// failure with set -u), or with the latter (${X?}, ${X:?}).
func failsUnset(pe *syntax.ParamExp, name string) bool {
	if pe.Param == nil || pe.Param.Value != name {
		return false
	}
	return pe.Exp == nil || pe.Exp.Op == syntax.ErrorUnset || pe.Exp.Op == syntax.ErrorUnsetOrNull
}

// stopped is the error of an evaluation that its time limit or an
// interruption ended, whatever the run returned then (a command killed,
// a read cut short): it names the file and position of the last command
// started, or file. Parts of the script may still be ending: the lock
// is waited for a moment only.
func (e *evaluator) stopped(ctx context.Context, file string) error {
	var err error = &limitError{e.timeout}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = errors.New("evaluation interrupted")
	}
	pos := syntax.Pos{}
	lctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	e.serial(lctx, func(context.Context) error {
		switch {
		case e.lastOpen != "":
			file = e.lastOpen
		case e.lastFile != "":
			file, pos = e.lastFile, e.lastPos
		}
		return nil
	})
	if file == "" {
		return err
	}
	return posError(file, pos, err)
}

// limitError is an evaluation that ran longer than the setting
// eval-timeout.
type limitError struct{ limit time.Duration }

func (e *limitError) Error() string {
	return fmt.Sprintf("evaluation took longer than %s", e.limit)
}

// Hint names the setting.
func (e *limitError) Hint() string {
	return "the limit is the setting eval-timeout (NOXENV_EVAL_TIMEOUT)"
}

// call records each simple command of the script, to name the one that
// failed, and prints the failure of a builtin the script went on after.
// A function that another file defines runs through callBuiltin, which
// knows the file.
// Code the script evals or sources itself is not known in advance, and
// type and command -v look in PATH's directories: the cache cannot follow
// them (the standard library's own code records what it reads). source
// and . become dotBuiltin, which knows the file.
func (e *evaluator) call(ctx context.Context, args []string) ([]string, error) {
	hc := interp.HandlerCtx(ctx)
	elsewhere := ""
	e.serial(ctx, func(context.Context) error {
		e.flushPending()
		if f, ok := e.funcFile[args[0]]; ok && f != e.current() {
			elsewhere = f
		}
		// catFailBuiltin reports the open that failed before it.
		if e.frame.depth > 0 || args[0] == catFailBuiltin {
			return nil
		}
		// A command without a position is noxenv's own (the set +e of
		// a command substitution, the function an .envrc runs in), no
		// command of the script's to blame.
		if hc.Pos.IsValid() {
			e.lastPos, e.lastFile, e.lastArgs = e.filePos(e.current(), hc.Pos), e.current(), args
			e.env.forget()
			e.out.forget()
		}
		e.lastOpen, e.openFailed = "", ""
		switch args[0] {
		case "eval":
			if f, err := syntax.NewParser().Parse(strings.NewReader(strings.Join(args[1:], " ")), ""); err != nil || volatile(f) {
				e.deps.taint()
			}
		case "source", ".", "type", "command":
			e.deps.taint()
		}
		return nil
	})
	args, err := e.checkCall(ctx, hc, args)
	switch {
	case err != nil:
	case args[0] == "source" || args[0] == ".":
		args = append([]string{dotBuiltin}, args[1:]...)
	case elsewhere != "":
		args = append([]string{callBuiltin, elsewhere}, args...)
	}
	return args, err
}

// callBuiltin FILE NAME ARG... calls the function NAME, which FILE
// defines, with FILE the file being evaluated.
const callBuiltin = "__noxenv_call"

func (e *evaluator) callIn(ctx context.Context, hc interp.HandlerContext, args []string) error {
	return e.within(args[0], func() error { return e.callShell(ctx, hc, args[1], args[2:]) })
}

// defines records the functions that the parsed file f declares.
func (e *evaluator) defines(file string, f *syntax.File) {
	if e.funcFile == nil {
		e.funcFile = map[string]string{}
		e.parsed = map[string]*syntax.File{}
	}
	e.parsed[file] = f
	syntax.Walk(f, func(n syntax.Node) bool {
		if fd, ok := n.(*syntax.FuncDecl); ok {
			e.funcFile[fd.Name.Value] = file
		}
		return true
	})
}

// current is the file being evaluated.
func (e *evaluator) current() string {
	if len(e.files) == 0 {
		return ""
	}
	return e.files[len(e.files)-1]
}

// builtins runs noxenv's builtins in-process and passes every other
// command to the interpreter's default handler.
func (e *evaluator) builtins(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		b := lookupBuiltin(args[0])
		if b == nil && e.opts.sandbox {
			return interp.ExitStatus(127)
		}
		if b == nil {
			// An external command may depend on anything: its result
			// cannot be cached.
			e.serial(ctx, func(context.Context) error { e.deps.taint(); return nil })
			return e.external(ctx, args, next)
		}
		hc := interp.HandlerCtx(ctx)
		return e.serial(ctx, func(ctx context.Context) error {
			return e.runBuiltin(ctx, hc, b, args)
		})
	}
}

// heldKey marks a context whose handler holds the evaluator's lock.
type heldKey struct{}

// serial runs f holding the evaluator's lock, which the parts of a script
// that run at the same time (cmd &, pipelines, process substitutions)
// make necessary, unless the caller holds it already: a builtin's own
// eval, whose handlers run within it. A builtin that runs the script's
// code (a sourced file) does so through unlocked. Waiting for the lock
// ends with the evaluation.
func (e *evaluator) serial(ctx context.Context, f func(context.Context) error) error {
	if ctx.Value(heldKey{}) != nil {
		return f(ctx)
	}
	select {
	case e.held <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-e.held }()
	return f(context.WithValue(ctx, heldKey{}, true))
}

// unlocked runs f, a builtin running the script's code, without the lock
// the builtin holds: that code's handlers take it themselves, in the
// interpreter's other goroutines (pipelines, process substitutions,
// background jobs) and in command substitutions and globs, whose context
// is the run's and does not say the lock is held.
func (e *evaluator) unlocked(ctx context.Context, f func(context.Context) error) error {
	if ctx.Value(heldKey{}) == nil {
		return f(ctx)
	}
	<-e.held
	defer func() { e.held <- struct{}{} }()
	return f(context.WithValue(ctx, heldKey{}, nil))
}

// shellStatus carries an interpreter status (of a sourced file) through a
// builtin unchanged.
type shellStatus struct{ err error }

func (s shellStatus) Error() string { return s.err.Error() }

// setVars applies changes (nil: unset) to the interpreter's variables,
// exporting what it sets.
func (e *evaluator) setVars(ctx context.Context, hc interp.HandlerContext, changes map[string]*string) error {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(changes)) {
		if !syntax.ValidName(k) {
			return fmt.Errorf("invalid variable name %q", k)
		}
		v := changes[k]
		if v == nil {
			fmt.Fprintf(&b, "unset %s\n", k)
			continue
		}
		q, err := syntax.Quote(*v, syntax.LangBash)
		if err != nil {
			return fmt.Errorf("variable %s: %w", k, err)
		}
		fmt.Fprintf(&b, "export %s=%s\n", k, q)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := hc.Builtin(ctx, []string{"eval", b.String()}); err != nil {
		return fmt.Errorf("setting %s: %w", strings.Join(slices.Sorted(maps.Keys(changes)), " "), err)
	}
	return nil
}

// exported returns the exported string variables of vars, but for the
// evaluator's own stateVar.
func exported(vars map[string]expand.Variable) map[string]string {
	m := make(map[string]string, len(vars))
	for k, v := range vars {
		if v.IsSet() && v.Exported && v.Kind == expand.String && k != stateVar {
			m[k] = v.Str
		}
	}
	return m
}

// envOf returns the exported variables of a handler's environment,
// counting the listing as the evaluator's own.
func (e *evaluator) envOf(env expand.Environ) map[string]string {
	e.ownLists++
	return exportedOf(env)
}

// exportedOf returns the exported string variables of env.
func exportedOf(env expand.Environ) map[string]string {
	m := map[string]string{}
	for k, v := range env.Each {
		if v.IsSet() && v.Exported && v.Kind == expand.String {
			m[k] = v.Str
		} else {
			delete(m, k)
		}
	}
	return m
}

// applyChanges returns base with what changed from start to end applied.
func applyChanges(base, start, end map[string]string) map[string]string {
	out := cloneEnv(base)
	for k, v := range end {
		if sv, ok := start[k]; (!ok || sv != v) && !prompt.ShellOwned(k) {
			out[k] = v
		}
	}
	for k := range start {
		if _, ok := end[k]; !ok && !prompt.ShellOwned(k) {
			delete(out, k)
		}
	}
	return out
}

// watch adds files to those whose change means evaluating again, as
// they are now: call it before reading them.
func (e *evaluator) watch(files ...string) {
	for _, f := range files {
		if !slices.ContainsFunc(e.watched, func(w prompt.Watch) bool { return w.Path == f }) {
			e.watched = append(e.watched, prompt.Observe(f))
		}
		e.deps.add(f)
	}
}

// cloneEnv copies env; the copy of nil is an empty map.
func cloneEnv(env map[string]string) map[string]string {
	out := make(map[string]string, len(env))
	maps.Copy(out, env)
	return out
}
