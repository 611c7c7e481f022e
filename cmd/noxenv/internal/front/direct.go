package front

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/hook"
	"github.com/noxenv/noxenv/internal/shellroot"
	"github.com/noxenv/noxenv/settings"
	"github.com/noxenv/noxenv/shells"
	"golang.org/x/sys/unix"
)

// SameFile says whether paths a and b name the same file.
func SameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// profileVar names the generation a project loads (see profile.Environ).
const profileVar = "NOXENV_PROFILE"

// HookDir holds the stamps and the reload file.
func (a *App) HookDir() string { return filepath.Join(a.Loc.StateDir, "hook") }

// ReloadFile is the file `noxenv reload` writes and the hook watches:
// in HookDir, or, where the state directory cannot have it (a home
// missing or read-only), in SpareHookDir, where the hook's stamps go
// then too. Checking costs the common case one system call: HookDir is
// there and writable.
func (a *App) ReloadFile() string {
	dir := a.HookDir()
	err := unix.Access(dir, unix.W_OK)
	if errors.Is(err, unix.ENOENT) {
		err = os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		if spare, serr := a.SpareHookDir(); serr == nil {
			dir = spare
		}
	}
	return hook.ReloadFile(dir)
}

// SpareHookDir is where the hook keeps the files it must write when
// HookDir cannot have them (a home missing or read-only, an account whose
// HOME another user owns): noxenv under $XDG_RUNTIME_DIR when that is the
// user's own (it may be another user's, kept by sudo), or else a
// directory of the user's own in the temporary directory, made here.
func (a *App) SpareHookDir() (string, error) {
	if rt := a.Env["XDG_RUNTIME_DIR"]; filepath.IsAbs(rt) && OwnDir(rt) == nil {
		dir := filepath.Join(rt, "noxenv")
		if err := os.MkdirAll(dir, 0o700); err == nil {
			return dir, nil
		}
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("noxenv-%d", os.Getuid()))
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	// Anyone may have made it first.
	return dir, OwnDir(dir)
}

// OwnDir says why dir is not a directory that the user owns and no one
// else may write or read.
func OwnDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || !fi.IsDir() || int(st.Uid) != os.Getuid() || fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is not a directory of the user's own", dir)
	}
	return nil
}

// WorkDir returns the directory the shell is in: $PWD when it names the
// working directory (it keeps the symbolic links the user went through),
// the working directory otherwise. A working directory removed under the
// shell has no path: the shell is where its $PWD says, where no project
// file of the removed directory is any more (and one made again there is
// found), rather than failing at each prompt.
func (a *App) WorkDir() (string, error) {
	pwd := a.Env["PWD"]
	if filepath.IsAbs(pwd) && SameFile(pwd, ".") {
		return pwd, nil
	}
	wd, err := os.Getwd()
	if err != nil && filepath.IsAbs(pwd) {
		return filepath.Clean(pwd), nil
	}
	return wd, err
}

// Export is noxenv export SHELL; evaluate evaluates the project file when
// it must be. In Answer, what only the rest of noxenv does ends it with
// ErrNeedsFull as soon as it is met, before anything is written.
func (a *App) Export(shell string, evaluate prompt.Evaluation) error {
	if err := shells.Check(shell); err != nil {
		return UsageError{err}
	}
	dir, err := a.WorkDir()
	if err != nil {
		return err
	}
	old, _ := prompt.LoadState(a.Env)
	reload := a.ReloadFile()
	sw := prompt.Next(evaluate, a.LoadEnvrc, a.Env, dir, []string{reload})
	if a.NeedsFull {
		return ErrNeedsFull
	}
	changes := prompt.Diff(a.Env, sw.Env)
	var check string
	if shell != "json" {
		fp, settingsErr := a.fastPath(sw.State)
		fp.Leave = a.leave(sw, reload)
		if a.NeedsFull {
			return ErrNeedsFull
		}
		if check, err = fp.Render(shell, filepath.Join(a.HookDir(), "stamps")); err != nil {
			// No stamp can be made in the state directory (a home
			// missing or read-only): the user's own directory for the
			// session's files keeps them, or else each prompt exports
			// and says why.
			var spare string
			if spare, err = a.SpareHookDir(); err == nil {
				check, err = fp.Render(shell, filepath.Join(spare, "stamps"))
			}
			if err != nil {
				a.Logf("warning: %v", err)
				fp.Stale = true
				if check, err = fp.Render(shell, ""); err != nil {
					return err
				}
			}
		}
		// A setting written wrong is said at each export, as a failing
		// Find says it, until it is mended: the cd still works. A file
		// the user cannot open (a HOME kept under sudo) is not: the
		// commands that need settings say it.
		var wrong *settings.Error
		if errors.As(settingsErr, &wrong) && sw.Err == nil {
			a.Logf("warning: %v", settingsErr)
		}
	}
	code, err := shells.Render(shell, changes, check)
	if err != nil {
		return err
	}
	// The shell, the export's parent, keeps the generation it loads from
	// gc while it runs. Where the record cannot be written (a state
	// directory that cannot be written has no generations either), the
	// shell still changes.
	if gen := sw.Env[profileVar]; gen != a.Env[profileVar] {
		shellroot.Record(a.Loc.StateDir, os.Getppid(), gen)
	}
	if _, err := fmt.Fprint(a.Stdout, code); err != nil {
		return err
	}
	a.logSwitch(old, sw, changes)
	return sw.Err
}

// fastPath is what the shell checks at each prompt: the same directory,
// the watched files as the evaluation read them, and no project file
// appeared between the working directory and the project's (or the root,
// outside any project): a .noxprofile, and an .envrc where the setting
// load-envrc is on (read only when there is such a directory; a setting
// that cannot be read watches them too), or a .noxprofile beside the
// loaded .envrc. The error is the setting's, when it cannot be read.
func (a *App) fastPath(s prompt.State) (hook.FastPath, error) {
	fp := hook.FastPath{Dir: a.Env["PWD"]}
	now := time.Now()
	for _, w := range s.Watches {
		switch {
		case w.Changed():
			fp.Stale = true
		case w.Exists:
			fp.Exist = append(fp.Exist, hook.File{Path: w.Path, ModTime: w.ModTime, Seconds: w.SecondsTell(now), Target: w.Target})
		default:
			fp.Absent = append(fp.Absent, w.Path)
		}
	}
	top := filepath.Dir(s.File)
	if filepath.Base(s.File) == prompt.EnvrcName {
		fp.Absent = append(fp.Absent, filepath.Join(top, prompt.FileName))
	}
	// The directories are compared clean: bash keeps a leading // in
	// $PWD, which the project's directory never has.
	dir := filepath.Clean(fp.Dir)
	envrc := false
	var settingsErr error
	if filepath.IsAbs(dir) && dir != top {
		var on bool
		on, settingsErr = a.LoadEnvrc()
		envrc = on || settingsErr != nil
	}
	for d := dir; filepath.IsAbs(d) && d != top; d = filepath.Dir(d) {
		fp.Absent = append(fp.Absent, filepath.Join(d, prompt.FileName))
		if envrc {
			fp.Absent = append(fp.Absent, filepath.Join(d, prompt.EnvrcName))
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	return fp, settingsErr
}

// leave is how the shell leaves the project of sw, in its own builtins
// (see hook.Leave), or nil outside any project: the environment Revert
// gives, as long as nothing it reads changed, nor what decides where the
// reload file is and whether noxenv speaks; the unloading message that
// logSwitch would print. Any project file met sends the shell to the
// export, which knows whether the setting load-envrc counts it then.
func (a *App) leave(sw prompt.Switch, reload string) *hook.Leave {
	if sw.State.File == "" {
		return nil
	}
	restore, read := prompt.Leaving(sw.Env)
	l := &hook.Leave{
		Guard:   shells.Changes{},
		Restore: restore,
		Absent:  []string{reload},
		Names:   []string{prompt.FileName, prompt.EnvrcName},
		Watch:   []string{prompt.FileName},
	}
	for _, name := range append(read, "NOXENV_LOG", "HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "TMPDIR") {
		if v, ok := sw.Env[name]; ok {
			l.Guard[name] = &v
		} else {
			l.Guard[name] = nil
		}
	}
	// As fastPath watches them outside a project, while the settings
	// files stay as they are.
	for _, p := range a.Loc.SettingsFiles {
		switch w := prompt.Observe(p); {
		case w.Unsure:
			return nil
		case w.Exists:
			l.Kept = append(l.Kept, hook.File{Path: p, ModTime: w.ModTime})
		default:
			l.Missing = append(l.Missing, p)
		}
	}
	// noxenv-prompt reads settings files of the plain form only. Where
	// its export needs a setting for the leave alone, it does not hand
	// itself to noxenv for it (a process more): the shell leaves through
	// the export instead. noxenv's own Answer leaves it to main, which
	// reads any settings file, at no such cost.
	needed := a.NeedsFull
	on, err := a.LoadEnvrc()
	if errors.Is(err, ErrNeedsFull) && !needed && handsOver {
		a.NeedsFull = false
		return nil
	}
	if on || err != nil {
		l.Watch = append(l.Watch, prompt.EnvrcName)
	}
	if sw.State.Status == prompt.Loaded && !a.Quiet {
		l.Message = "noxenv: unloading " + sw.State.File
	}
	return l
}

// logSwitch says what changed: the project loaded or unloaded, and the
// variables set (+), changed (~) and unset (-).
func (a *App) logSwitch(old prompt.State, sw prompt.Switch, changes shells.Changes) {
	if old.Status == prompt.Loaded && (sw.State.File != old.File || sw.State.Status != prompt.Loaded) {
		a.Logf("unloading %s", old.File)
	}
	if !sw.Evaluated || sw.State.Status != prompt.Loaded {
		return
	}
	var names []string
	for name, v := range changes {
		if name == prompt.StateVar || name == prompt.DirVar {
			continue
		}
		_, had := a.Env[name]
		switch {
		case v == nil:
			names = append(names, "-"+name)
		case had:
			names = append(names, "~"+name)
		default:
			names = append(names, "+"+name)
		}
	}
	// An evaluation again that changes nothing (a touched file) is quiet.
	if len(names) == 0 && old.File == sw.State.File && old.Status == prompt.Loaded {
		return
	}
	a.Logf("loading %s", sw.State.File)
	if len(names) > 0 {
		sort.Slice(names, func(i, j int) bool { return names[i][1:] < names[j][1:] })
		a.Logf("export %s", strings.Join(names, " "))
	}
}

// LoadEnvrc is the load-envrc setting, read on first need.
func (a *App) LoadEnvrc() (bool, error) {
	s, err := a.Settings()
	if err != nil {
		return false, err
	}
	return s.LoadEnvrc, nil
}

// ActivatePlaces are the directories activation finds and keeps things in.
func (a *App) ActivatePlaces() prompt.Places {
	return prompt.Places{
		StoreDirs:          a.Loc.StorePath,
		StateDir:           a.Loc.StateDir,
		AllowDir:           a.Loc.AllowDir,
		ProfilesDir:        a.Loc.ProfilesDir,
		ReleaseProfileDirs: a.Loc.ReleaseProfileDirs,
		CacheDir:           a.Loc.CacheDir,
	}
}

// ErrNeedsFull ends what Answer started when only the rest of noxenv can
// finish it.
var ErrNeedsFull = errors.New("needs the full noxenv")

// Direct returns the call that argv makes when it is one of those made at
// every cd and every job start, export SHELL and exec DIR ..., without a
// flag (their commands have none but help): cobra would make the same call
// after building the command and parsing argv, which these calls need not
// pay for. TestDirectCalls checks that both answer alike, and
// export_early.txtar that Answer does. evaluation
// gives the evaluation a call runs when a project file is to be evaluated.
func (a *App) Direct(argv []string, evaluation func(context.Context) prompt.Evaluation) func(context.Context) error {
	switch {
	case !isDirect(argv):
		return nil
	case prompt.StateNeedsInflate(a.Env):
		// A shell started before the state's format 2 carries one that
		// only noxenv reads.
		return func(context.Context) error {
			a.NeedsFull = true
			return ErrNeedsFull
		}
	case argv[0] == "export":
		return func(ctx context.Context) error { return a.Export(argv[1], evaluation(ctx)) }
	default:
		// Flags end at DIR (the command's flags are not interspersed).
		return func(ctx context.Context) error { return a.Exec(argv[1:], -1, evaluation(ctx)) }
	}
}

// isDirect says whether argv is a call that Direct makes.
func isDirect(argv []string) bool {
	if len(argv) < 2 || strings.HasPrefix(argv[1], "-") {
		return false
	}
	return argv[0] == "export" && len(argv) == 2 || argv[0] == "exec"
}

// Exec is noxenv exec with the arguments argv, of which dashAt came after
// a leading "--" (-1: none did).
func (a *App) Exec(argv []string, dashAt int, evaluate prompt.Evaluation) error {
	// Flags end at the first argument, so a "--" after DIR is an argument;
	// a leading one is taken by the flag parser.
	dir, command, dashed := ".", argv, true
	switch {
	case dashAt == 0:
	case len(argv) > 1 && argv[1] == "--":
		dir, command = argv[0], argv[2:]
	case len(argv) > 1:
		dir, command, dashed = argv[0], argv[1:], false
	}
	if len(command) == 0 {
		return UsageError{errors.New("exec needs a command")}
	}
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) && !dashed {
		return UsageError{execUsage(dir)}
	}
	if err != nil {
		return err
	} else if !fi.IsDir() {
		return UsageError{fmt.Errorf("%s is not a directory", dir)}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	// The environment the hook would give a shell in DIR, its state
	// included (NOXENV_DIR, NOXENV_STATE), as direnv exec does: a noxenv
	// command CMD runs reverts the project, and a shell with the hook finds
	// it loaded and follows the hook's rule from its working directory
	// (leaving the project unloads it). Starting from the reverted
	// environment, the project is evaluated afresh and every error is said.
	sw := prompt.Next(evaluate, a.LoadEnvrc, prompt.Revert(a.Env), abs,
		[]string{a.ReloadFile()})
	if a.NeedsFull {
		return ErrNeedsFull
	}
	if sw.Err != nil {
		return sw.Err
	}
	a.release()
	return ExecIn(sw.Env, command)
}

// execUsage is a DIR that does not exist, given without "--": maybe a
// command in DIR's place.
type execUsage string

func (e execUsage) Error() string { return string(e) + ": no such directory" }

// Hint shows the form.
func (execUsage) Hint() string { return "noxenv exec [DIR] -- CMD [ARG]..." }

// ExecIn replaces noxenv with command, looked up in env's PATH. As in a
// shell, a command with a slash is run as it is named, and what stops it
// is said (a file that is not executable, or not there).
func ExecIn(env map[string]string, command []string) error {
	pairs := make([]string, 0, len(env))
	for k, v := range env {
		pairs = append(pairs, k+"="+v)
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	path, ok := LookPath(cwd, env["PATH"], command[0])
	if !ok && !strings.Contains(command[0], "/") {
		return fmt.Errorf("%s: command not found", command[0])
	}
	err = syscall.Exec(path, command, pairs)
	return &fs.PathError{Op: "exec", Path: command[0], Err: err}
}
