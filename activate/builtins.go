package activate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/noxenv/noxenv/activate/prompt"
)

// builtinFunc is a noxenv builtin: it runs in-process, and changes the
// interpreter's variables through setVars.
type builtinFunc func(e *evaluator, ctx context.Context, hc interp.HandlerContext, args []string) error

// extraBuiltin adds the packages of noxenv shell after the script; no
// script can name it usefully, as it does nothing without them.
const extraBuiltin = "__noxenv_shell_packages"

// lookupBuiltin returns the builtin called name, or nil. Its names are
// not functions of the script: a function the script defines of the same
// name is called instead, as in direnv, where the standard library is
// functions the .envrc may redefine.
func lookupBuiltin(name string) builtinFunc {
	switch name {
	case "use":
		return (*evaluator).use
	case batchedUse:
		return (*evaluator).useBatched
	case "use_profile":
		return (*evaluator).useProfile
	case "MANPATH_add", "load_prefix", "strict_env", "unstrict_env", "on_git_branch":
		return shellBuiltin(name)
	case "PATH_add":
		return (*evaluator).pathAddPATH
	case "PATH_rm":
		return (*evaluator).pathRmPATH
	case "has":
		return (*evaluator).has
	case "source_env_if_exists":
		return (*evaluator).sourceEnvIfExists
	case "path_rm":
		return (*evaluator).pathRm
	case "expand_path":
		return expandPath
	case "user_rel_path":
		return userRelPath
	case "find_up":
		return (*evaluator).findUp
	case "semver_search":
		return (*evaluator).semverSearch
	case "join_args":
		return joinArgs
	case "env_vars_required":
		return envVarsRequired
	case "require_allowed":
		return (*evaluator).requireAllowed
	case "watch_dir":
		return (*evaluator).watchDir
	case "path_add":
		return (*evaluator).pathAdd
	case "dotenv":
		return (*evaluator).dotenv
	case "dotenv_if_exists":
		return (*evaluator).dotenvIfExists
	case "watch_file":
		return (*evaluator).watchFile
	case "source_env":
		return (*evaluator).sourceEnv
	case "source_up":
		return (*evaluator).sourceUp
	case "source_up_if_exists":
		return (*evaluator).sourceUpIfExists
	case "log_status":
		return (*evaluator).logStatus
	case "fetchurl":
		return (*evaluator).fetchurl
	case "direnv_layout_dir", "layout", "layout_go", "layout_julia", "layout_node", "layout_perl", "layout_php",
		"layout_pipenv", "layout_python", "layout_python3", "layout_ruby":
		return shellBuiltin(name)
	case shellPrefix + "needs":
		return needsProgram
	case shellPrefix + "fail":
		return fail
	case "log_error":
		return (*evaluator).logError
	case "rvm", "direnv_load", "source_url":
		return needsTool(name)
	case dotBuiltin:
		return (*evaluator).dot
	case catBuiltin:
		return copyInput
	case catFailBuiltin:
		return (*evaluator).catFailed
	case callBuiltin:
		return (*evaluator).callIn
	case shellPrefix + "command":
		return (*evaluator).command
	case shellPrefix + "usage":
		return usage
	case extraBuiltin:
		return (*evaluator).useExtra
	case direnvrcBuiltin:
		return (*evaluator).loadDirenvrc
	}
	return nil
}

// fileDir is the directory of the file being evaluated (the
// interpreter's directory for the packages of noxenv shell).
func (e *evaluator) fileDir(hc interp.HandlerContext) string {
	if cur := e.current(); cur != "" {
		return filepath.Dir(cur)
	}
	return hc.Dir
}

// abs makes p absolute against the interpreter's directory.
func abs(hc interp.HandlerContext, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(hc.Dir, p)
}

// pathAdd is path_add VAR DIR...: direnv's, which exports VAR even with
// no DIR.
func (e *evaluator) pathAdd(ctx context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) == 0 {
		return errors.New("path_add needs a variable name (path_add VAR DIR...)")
	}
	return e.prepend(ctx, hc, args[0], args[1:])
}

// pathAddPATH is PATH_add DIR....
func (e *evaluator) pathAddPATH(ctx context.Context, hc interp.HandlerContext, args []string) error {
	return e.prepend(ctx, hc, "PATH", args)
}

// prepend puts dirs, in their order, before the entries of the
// :-separated variable name. A relative DIR is taken from the directory
// of the file being evaluated, whatever directory the script is in. As
// direnv reads the entries (read -a with IFS=:), a trailing ':' is no
// entry: one trailing empty entry (the working directory, for PATH) is
// dropped.
func (e *evaluator) prepend(ctx context.Context, hc interp.HandlerContext, name string, dirs []string) error {
	from := e.fileDir(hc)
	parts := make([]string, 0, len(dirs)+1)
	for _, d := range dirs {
		if !filepath.IsAbs(d) {
			d = filepath.Join(from, d)
		}
		parts = append(parts, filepath.Clean(d))
	}
	if cur := hc.Env.Get(name); cur.IsSet() && cur.String() != "" {
		parts = append(parts, strings.TrimSuffix(cur.String(), ":"))
	}
	v := strings.Join(parts, ":")
	return e.setVars(ctx, hc, map[string]*string{name: &v})
}

func (e *evaluator) dotenv(ctx context.Context, hc interp.HandlerContext, args []string) error {
	return e.loadDotenv(ctx, hc, args, false)
}

func (e *evaluator) dotenvIfExists(ctx context.Context, hc interp.HandlerContext, args []string) error {
	return e.loadDotenv(ctx, hc, args, true)
}

// loadDotenv exports the KEY=VALUE lines of a dotenv file (.env by
// default), which is watched whether or not it exists.
func (e *evaluator) loadDotenv(ctx context.Context, hc interp.HandlerContext, args []string, ifExists bool) error {
	if len(args) > 1 {
		return errors.New("usage: dotenv [FILE]")
	}
	name := ".env"
	if len(args) == 1 {
		name = args[0]
	}
	p := abs(hc, name)
	// Not a process substitution's FIFO, gone once read.
	if fi, err := os.Stat(p); err != nil || fi.Mode().IsRegular() {
		e.watch(p)
	}
	// Read outside the lock, which a process substitution's writer
	// (dotenv <(cmd)) takes.
	var data []byte
	var err error
	e.unlocked(ctx, func(ctx context.Context) error {
		data, err = e.readScriptFile(ctx, p)
		return nil
	})
	switch {
	case errors.Is(err, fs.ErrNotExist) && ifExists:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return missingDotenvError{p}
	case err != nil:
		return err
	}
	vars, err := parseDotenv(data, func(name string) (string, bool) {
		v := hc.Env.Get(name)
		return v.String(), v.IsSet() && v.Exported
	})
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	changes := make(map[string]*string, len(vars))
	for k, v := range vars {
		changes[k] = &v
	}
	return e.setVars(ctx, hc, changes)
}

// missingDotenvError is a dotenv FILE that does not exist.
type missingDotenvError struct{ path string }

func (e missingDotenvError) Error() string { return "dotenv: " + e.path + " does not exist" }

// Hint names the builtin for an optional file.
func (missingDotenvError) Hint() string { return "dotenv_if_exists skips a missing file" }

func (e *evaluator) watchFile(_ context.Context, hc interp.HandlerContext, args []string) error {
	for _, f := range args {
		e.watch(abs(hc, f))
	}
	return nil
}

// logStatus prints to the builtin's stderr, which the script may have
// redirected.
func (e *evaluator) logStatus(_ context.Context, hc interp.HandlerContext, args []string) error {
	if !e.cfg.Quiet {
		fmt.Fprintf(hc.Stderr, "noxenv: %s\n", strings.Join(args, " "))
	}
	return nil
}

// logError is log_status for errors, which NOXENV_LOG=quiet keeps.
func (e *evaluator) logError(_ context.Context, hc interp.HandlerContext, args []string) error {
	fmt.Fprintf(hc.Stderr, "noxenv: %s\n", strings.Join(args, " "))
	return nil
}

// sourceEnv evaluates another file (FILE/.noxprofile for a directory).
func (e *evaluator) sourceEnv(ctx context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: source_env FILE")
	}
	p := abs(hc, args[0])
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		p = e.projectFile(p)
	}
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		// Its appearing mends the project.
		e.watch(p)
		return fmt.Errorf("source_env: %s does not exist", p)
	}
	return e.source(ctx, hc, p, args[0])
}

// sourceEnvIfExists is source_env_if_exists FILE: source_env of FILE
// when it is a file, nothing otherwise; FILE is watched, so that its
// appearing counts.
func (e *evaluator) sourceEnvIfExists(ctx context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) != 1 {
		return errors.New("source_env_if_exists takes one FILE")
	}
	p := abs(hc, args[0])
	e.watch(p)
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	return e.sourceEnv(ctx, hc, args)
}

// projectFile is the project file of dir, which source_env of a
// directory and source_up load.
func (e *evaluator) projectFile(dir string) string {
	if len(e.files) > 0 && filepath.Base(e.files[0]) == prompt.EnvrcName {
		return filepath.Join(dir, prompt.EnvrcName)
	}
	return filepath.Join(dir, prompt.FileName)
}

// sourceUp evaluates the nearest .noxprofile (or FILE) above the
// directory of the file being evaluated.
func (e *evaluator) sourceUp(ctx context.Context, hc interp.HandlerContext, args []string) error {
	return e.loadUp(ctx, hc, "source_up", args, false)
}

// sourceUpIfExists is source_up that finding nothing is no failure.
func (e *evaluator) sourceUpIfExists(ctx context.Context, hc interp.HandlerContext, args []string) error {
	return e.loadUp(ctx, hc, "source_up_if_exists", args, true)
}

func (e *evaluator) loadUp(ctx context.Context, hc interp.HandlerContext, name string, args []string, ifExists bool) error {
	if len(args) > 1 {
		return fmt.Errorf("usage: %s [FILE]", name)
	}
	from := e.fileDir(hc)
	for dir := filepath.Dir(from); ; dir = filepath.Dir(dir) {
		p := e.projectFile(dir)
		if len(args) == 1 {
			p = filepath.Join(dir, args[0])
		}
		e.deps.add(p)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return e.source(ctx, hc, p, p)
		}
		if filepath.Dir(dir) == dir {
			if ifExists {
				return nil
			}
			if len(args) == 1 {
				return fmt.Errorf("no %s above %s", args[0], from)
			}
			return fmt.Errorf("no %s above %s", filepath.Base(e.projectFile(from)), from)
		}
	}
}

// source evaluates the trusted file p in the current interpreter, from
// its own directory, with arg as its $1: as direnv's source_env sources
// a file, its own argument (the path source_up found) is the file's.
func (e *evaluator) source(ctx context.Context, hc interp.HandlerContext, p, arg string) error {
	p, err := prompt.TrustPath(p)
	if err != nil {
		return err
	}
	// Its trust record too: allowing or denying it is a change.
	e.watch(p, prompt.RecordOf(e.cfg.AllowDir, p))
	content, err := prompt.ReadTrusted(e.cfg.AllowDir, p)
	var blocked *prompt.BlockedError
	if errors.As(err, &blocked) {
		blocked.Sourced = true
	}
	if err != nil {
		return err
	}
	return e.sourceContent(ctx, hc, p, content, true, arg)
}

// sourceContent evaluates content, read from the file p, in the current
// interpreter: from p's own directory with inDir, from the caller's
// otherwise; with args, they are its positional parameters.
func (e *evaluator) sourceContent(ctx context.Context, hc interp.HandlerContext, p string, content []byte, inDir bool, args ...string) error {
	f, err := syntax.NewParser().Parse(bytes.NewReader(content), p)
	if err != nil {
		var pe syntax.ParseError
		if errors.As(err, &pe) {
			return shellStatus{posError(pe.Filename, pe.Pos, errors.New(pe.Text))}
		}
		return err
	}
	e.defines(p, f)
	// The interpreter runs the check's text, with its rewrites.
	content, cols, err := checkConstructs(p, content, f, e.exportedAtStart)
	if err != nil {
		return shellStatus{err}
	}
	e.columns(p, cols)
	if volatile(f) {
		e.deps.taint()
	}
	if len(e.files) > 32 {
		return fmt.Errorf("source_env %s: nested too deeply", p)
	}
	return e.within(p, func() error {
		return e.unlocked(ctx, func(ctx context.Context) error {
			ctx = context.WithValue(ctx, verifiedKey{}, verifiedFile{p, content, new(atomic.Bool)})
			if inDir {
				if err := hc.Builtin(ctx, []string{"cd", filepath.Dir(p)}); err != nil {
					return err
				}
			}
			serr := hc.Builtin(ctx, append([]string{"source", p}, args...))
			if inDir {
				if err := hc.Builtin(ctx, []string{"cd", hc.Dir}); err != nil && serr == nil {
					return err
				}
			}
			if serr != nil {
				return shellStatus{serr}
			}
			return nil
		})
	})
}

// verifiedKey marks the context of source reading a file whose content
// was checked for trust and constructs: the interpreter reads that
// content, rewritten by the check, not the file again. It is served
// once: what the file's code reads of itself is the file.
type verifiedKey struct{}

type verifiedFile struct {
	path    string
	content []byte
	served  *atomic.Bool
}

// catBuiltin is what $(<f) runs, with its redirection: bash's cat
// shortcut, which fails when f cannot be opened.
const catBuiltin = shellPrefix + "cat"

// copyInput copies the builtin's input to its output.
func copyInput(_ *evaluator, _ context.Context, hc interp.HandlerContext, _ []string) error {
	if hc.Stdin == nil {
		return nil
	}
	if _, err := io.Copy(hc.Stdout, hc.Stdin); err != nil {
		return interp.ExitStatus(1)
	}
	return nil
}

// catFailBuiltin runs where catBuiltin's redirection failed, with the
// shell's options ($-).
const catFailBuiltin = shellPrefix + "cat_failed"

// catFailed fails as bash's $(<f) does when f cannot be opened: with
// errexit on, the whole evaluation ends, even where the failure is
// handled; else with status 1.
func (e *evaluator) catFailed(ctx context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) == 0 || !strings.Contains(args[0], "e") {
		return interp.ExitStatus(1)
	}
	e.serial(ctx, func(context.Context) error {
		if e.refused == nil {
			e.refused = posError(e.current(), e.filePos(e.current(), hc.Pos), fmt.Errorf("$(<FILE) failed: %s cannot be opened (under errexit, bash ends the script there)", e.openFailed))
		}
		return nil
	})
	return interp.ExitStatus(1)
}

// stdinPaths name the standard input of whoever opens them.
var stdinPaths = map[string]bool{"/dev/stdin": true, "/dev/fd/0": true, "/proc/self/fd/0": true}

// readInput reads the builtin's input to its end; none is empty.
func readInput(hc interp.HandlerContext) ([]byte, error) {
	if hc.Stdin == nil {
		return []byte{}, nil
	}
	return io.ReadAll(hc.Stdin)
}

// dotBuiltin is what the script's source and . run: the interpreter's
// source, with the file known to name positions in it.
const dotBuiltin = "__noxenv_dot"

func (e *evaluator) dot(ctx context.Context, hc interp.HandlerContext, args []string) error {
	file := e.current()
	var verified *verifiedFile
	regular := true
	if len(args) > 0 {
		file = scriptPath(hc, args[0])
		// A sourced file: its change is a change, as source_env's; not
		// a process substitution's FIFO, gone once read.
		fi, err := os.Stat(file)
		regular = err == nil && fi.Mode().IsRegular()
		if err != nil || regular {
			e.watch(file)
		}
		// Read outside the lock, which a process substitution's writer
		// (source <(cmd)) takes, and once: the interpreter is served
		// what was read. A file that cannot be read is the interpreter's
		// error, one it cannot parse too.
		var data []byte
		var rerr error
		e.unlocked(ctx, func(ctx context.Context) error {
			if stdinPaths[file] {
				// The builtin's input (source /dev/stdin <<< "$code"),
				// not noxenv's.
				data, rerr = readInput(hc)
				return nil
			}
			data, rerr = e.readScriptFile(ctx, file)
			return nil
		})
		if rerr == nil {
			verified = &verifiedFile{file, data, new(atomic.Bool)}
			if f, err := syntax.NewParser().Parse(bytes.NewReader(data), file); err == nil {
				e.defines(file, f)
				data, cols, err := checkConstructs(file, data, f, e.exportedAtStart)
				if err != nil {
					return shellStatus{err}
				}
				e.columns(file, cols)
				verified.content = data
			}
		}
	}
	if verified != nil && !regular {
		// The interpreter opens the FIFOs of its process substitutions
		// itself, past the open handler that serves what was read: the
		// same file, by a path it does not take for one of them.
		args = append([]string{filepath.Dir(file) + "/./" + filepath.Base(file)}, args[1:]...)
	}
	return e.within(file, func() error {
		return e.unlocked(ctx, func(ctx context.Context) error {
			if verified != nil {
				ctx = context.WithValue(ctx, verifiedKey{}, *verified)
			}
			if err := hc.Builtin(ctx, append([]string{"source"}, args...)); err != nil {
				return shellStatus{err}
			}
			return nil
		})
	})
}

// scriptPath is the file that source NAME reads: as bash, a NAME without
// a slash is looked for in PATH first.
func scriptPath(hc interp.HandlerContext, name string) string {
	if !strings.Contains(name, "/") {
		for _, dir := range filepath.SplitList(hc.Env.Get("PATH").String()) {
			p := abs(hc, filepath.Join(dir, name))
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p
			}
		}
	}
	return abs(hc, name)
}

// open serves sourced files from their verified content and records what
// the script reads; a script that writes files is not cached.
func (e *evaluator) open(ctx context.Context, path string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	p := abs(interp.HandlerCtx(ctx), path)
	if v, ok := ctx.Value(verifiedKey{}).(verifiedFile); ok && v.path == p && flag == os.O_RDONLY && v.served.CompareAndSwap(false, true) {
		return readOnly{bytes.NewReader(v.content)}, nil
	}
	err := e.serial(ctx, func(context.Context) error {
		// Where the script is, if the limit comes in this read ($(<f)
		// calls no command): the file; the command, if any, says more.
		if e.frame.depth == 0 {
			e.lastOpen = e.current()
		}
		switch {
		case p == os.DevNull:
		case flag&(os.O_WRONLY|os.O_RDWR) != 0:
			if e.opts.sandbox && !strings.HasPrefix(p, filepath.Dir(e.files[0])+"/") {
				return fmt.Errorf("%s: writing outside the project", p)
			}
			e.deps.taint()
		default:
			e.deps.add(p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if path == "" {
		p = "" // no file, not the directory
	}
	f, err := openFile(ctx, p, flag, perm)
	if err != nil {
		e.serial(ctx, func(context.Context) error {
			if e.frame.depth == 0 {
				e.openFailed = p
			}
			return nil
		})
		return nil, err
	}
	if !e.opened.add(f) {
		return nil, context.Canceled
	}
	return f, nil
}

func (e *evaluator) stat(ctx context.Context, name string, followSymlinks bool) (fs.FileInfo, error) {
	p := abs(interp.HandlerCtx(ctx), name)
	e.serial(ctx, func(context.Context) error { e.deps.add(p); return nil })
	return interp.DefaultStatHandler()(ctx, name, followSymlinks)
}

// access serves test -r, -w, -x.
func (e *evaluator) access(ctx context.Context, path string, mode interp.AccessMode) error {
	e.serial(ctx, func(context.Context) error { e.deps.add(path); return nil })
	return interp.DefaultAccessHandler()(ctx, path, mode)
}

// readDir serves globbing, whose result depends on a whole directory:
// such a script is not cached.
func (e *evaluator) readDir(ctx context.Context, path string) ([]fs.DirEntry, error) {
	e.serial(ctx, func(context.Context) error { e.deps.taint(); return nil })
	return interp.DefaultReadDirHandler2()(ctx, path)
}

type readOnly struct{ *bytes.Reader }

func (readOnly) Write([]byte) (int, error) { return 0, errors.New("read-only") }
func (readOnly) Close() error              { return nil }

// columns records where the text the interpreter runs of file moved
// columns, for the positions of errors.
func (e *evaluator) columns(file string, cols columns) {
	if e.moved == nil {
		e.moved = map[string]columns{}
	}
	e.moved[file] = cols
}

// filePos is the position in file of p, the interpreter's.
func (e *evaluator) filePos(file string, p syntax.Pos) syntax.Pos {
	return e.moved[file].pos(p)
}
