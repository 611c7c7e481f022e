package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/noxenv/noxenv/settings"
	"github.com/noxenv/noxenv/store"
)

// version is set at build time by install.sh (-ldflags "-X main.version=...").
var version = "dev"

// app is what every command shares: the process environment and the
// locations derived from it, read once here and passed down, so that no
// package below reads the environment on its own.
type app struct {
	// argv is the command line after the program's name, for a hand-over
	// to noxenv-oci.
	argv   []string
	env    map[string]string
	loc    locations
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// stderrTTY says whether stderr is a terminal (progress output).
	stderrTTY bool
	// quiet is NOXENV_LOG=quiet: only errors are printed.
	quiet bool
	// settings reads config.toml and the NOXENV_* settings variables on
	// first call, once per process: commands that need no setting read
	// no file.
	settings func() (*settings.Settings, error)
}

func newApp() *app {
	env := environMap(os.Environ())
	a := &app{
		env:       env,
		loc:       newLocations(env),
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		quiet:     env["NOXENV_LOG"] == "quiet",
	}
	a.settings = sync.OnceValues(func() (*settings.Settings, error) {
		s, err := settings.Load(a.env, a.loc.settingsFiles)
		if err == nil {
			for _, w := range s.Warnings {
				a.logf("warning: %s", w)
			}
		}
		return s, err
	})
	return a
}

// environMap turns KEY=VALUE pairs into a map; later duplicates win, as in
// os.Getenv.
func environMap(kv []string) map[string]string {
	m := make(map[string]string, len(kv))
	for _, s := range kv {
		if k, v, ok := strings.Cut(s, "="); ok && k != "" {
			m[k] = v
		}
	}
	return m
}

// logf prints an informational message on stderr unless NOXENV_LOG=quiet.
func (a *app) logf(format string, args ...any) {
	if a.quiet {
		return
	}
	fmt.Fprintf(a.stderr, "noxenv: "+format+"\n", args...)
}

// usageError marks an error as a usage error: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// checkPkgs returns a usage error for the first PKG argument whose form is
// wrong (a malformed name or constraint), before any store is read.
func checkPkgs(pkgs []string) error {
	for _, pkg := range pkgs {
		if err := store.CheckPkg(pkg); err != nil {
			return usageError{err}
		}
	}
	return nil
}

// exitStatus carries a command's own exit status (exec, shell, verify)
// through cobra without printing anything more.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// hinter is implemented by errors that know the command that fixes them.
type hinter interface{ Hint() string }

// args returns a cobra.PositionalArgs that reports a usage error.
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func run(argv []string) int {
	a := newApp()
	a.argv = argv
	if call := a.direct(argv); call != nil {
		return a.call(call)
	}
	return a.execute(newRootCmd(a, argv), argv)
}

// direct returns the call that argv makes when it is one of those made at
// every cd and every job start, export SHELL and exec DIR ..., without a
// flag (their commands have none but help): cobra would make the same call
// after building the command and parsing argv, which these calls need not
// pay for. TestDirectCalls checks that both answer alike.
func (a *app) direct(argv []string) func(context.Context) error {
	if len(argv) < 2 || strings.HasPrefix(argv[1], "-") {
		return nil
	}
	switch {
	case argv[0] == "export" && len(argv) == 2:
		return func(ctx context.Context) error { return a.export(ctx, argv[1]) }
	case argv[0] == "exec":
		// Flags end at DIR (the command's flags are not interspersed).
		return func(ctx context.Context) error { return a.exec(ctx, argv[1:], -1) }
	}
	return nil
}

// execute runs argv with the command tree root and returns the exit
// status.
func (a *app) execute(root *cobra.Command, argv []string) int {
	root.SetArgs(argv)
	return a.call(root.ExecuteContext)
}

// call runs f with a context that an interrupt cancels, and returns the
// exit status.
func (a *app) call(f func(context.Context) error) int {
	ctx := &interruptible{Context: context.Background()}
	defer ctx.stop()
	return a.report(f(ctx))
}

// interruptible is a context that an interrupt (Ctrl-C) cancels. It
// starts catching the signal only when something first waits on it: the
// catching costs a thread, which a command that waits on nothing (the
// prompt's export of a cached project, exec) does not pay; an interrupt
// before that ends noxenv at once, as it should when nothing is to be
// cleaned up.
type interruptible struct {
	context.Context
	once   sync.Once
	caught context.Context
	cancel context.CancelFunc
}

func (c *interruptible) start() {
	c.caught, c.cancel = signal.NotifyContext(c.Context, os.Interrupt)
}

func (c *interruptible) Done() <-chan struct{} {
	c.once.Do(c.start)
	return c.caught.Done()
}

func (c *interruptible) Err() error {
	c.once.Do(c.start)
	return c.caught.Err()
}

// stop stops catching the interrupt.
func (c *interruptible) stop() {
	c.once.Do(func() {})
	if c.cancel != nil {
		c.cancel()
	}
}

// report prints err once, with the noxenv: prefix and any hint, and
// returns the exit status for it.
func (a *app) report(err error) int {
	if err == nil {
		return 0
	}
	var st exitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	msg := withoutSyscall(err)
	fmt.Fprintf(a.stderr, "noxenv: %s\n", msg)
	var h hinter
	if errors.As(err, &h) && h.Hint() != "" {
		fmt.Fprintf(a.stderr, "hint: %s\n", h.Hint())
	}
	var ue usageError
	// cobra reports unknown subcommands with an untyped error.
	if errors.As(err, &ue) || strings.HasPrefix(msg, "unknown command ") {
		return 2
	}
	return 1
}

// withoutSyscall returns err's message with the system call of a file
// error left out ("open F: ..." becomes "F: ..."), and the file not named
// twice when the message already names it just before.
func withoutSyscall(err error) string {
	msg := err.Error()
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op == "" {
		return msg
	}
	call := pe.Op + " " + pe.Path + ": "
	before, after, ok := strings.Cut(msg, call)
	if !ok {
		return msg
	}
	if strings.HasSuffix(before, pe.Path+": ") {
		return before + after
	}
	return before + pe.Path + ": " + after
}
