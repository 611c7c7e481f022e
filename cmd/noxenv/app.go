package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/noxenv/noxenv/settings"
)

// frontProgram is the name the front (front.go) is installed under, in
// PREFIX/libexec/noxenv: the program the hook runs at the prompt.
const frontProgram = "noxenv-prompt"

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
	// decodeSettings reads a settings file (see settings.Decoder).
	decodeSettings settings.Decoder
	// needsFull says the front met what only the full noxenv does: what
	// it computed is not used (see front.go).
	needsFull bool
	// settings reads config.toml and the NOXENV_* settings variables on
	// first call, once per process: commands that need no setting read
	// no file.
	settings func() (*settings.Settings, error)
}

func newApp(decodeSettings settings.Decoder) *app {
	env := environMap(os.Environ())
	a := &app{
		env:       env,
		loc:       newLocations(env),
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		quiet:     env["NOXENV_LOG"] == "quiet",

		decodeSettings: decodeSettings,
	}
	a.settings = sync.OnceValues(func() (*settings.Settings, error) {
		s, err := settings.Load(a.env, a.loc.settingsFiles, a.decodeSettings)
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

// exitStatus carries a command's own exit status (exec, shell, verify)
// through cobra without printing anything more.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// hinter is implemented by errors that know the command that fixes them.
type hinter interface{ Hint() string }

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
