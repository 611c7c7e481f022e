package front

import (
	"bytes"
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

// FrontProgram is the name the front (cmd/noxenv/front.go) is installed under, in
// PREFIX/libexec/noxenv: the program the hook runs at the prompt.
const FrontProgram = "noxenv-prompt"

// App is what every command shares: the process environment and the
// locations derived from it, read once here and passed down, so that no
// package below reads the environment on its own.
type App struct {
	// Argv is the command line after the program's name, for a hand-over
	// to noxenv-oci.
	Argv   []string
	Env    map[string]string
	Loc    Locations
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// StderrTTY says whether stderr is a terminal (progress output).
	StderrTTY bool
	// Quiet is NOXENV_LOG=quiet: only errors are printed.
	Quiet bool
	// DecodeSettings reads a settings file (see settings.Decoder).
	DecodeSettings settings.Decoder
	// NeedsFull says Answer met what only the rest of noxenv does: what
	// it computed is not used (see Answer).
	NeedsFull bool
	// held keeps what Answer writes on stderr until it knows it answers
	// (see release); nil elsewhere.
	held *bytes.Buffer
	// Settings reads config.toml and the NOXENV_* settings variables on
	// first call, once per process: commands that need no setting read
	// no file.
	Settings func() (*settings.Settings, error)
}

func NewApp(decodeSettings settings.Decoder) *App {
	env := environMap(os.Environ())
	a := &App{
		Env:       env,
		Loc:       NewLocations(env),
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		StderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		Quiet:     env["NOXENV_LOG"] == "quiet",

		DecodeSettings: decodeSettings,
	}
	a.Settings = sync.OnceValues(func() (*settings.Settings, error) {
		s, err := settings.Load(a.Env, a.Loc.SettingsFiles, a.DecodeSettings)
		if err == nil {
			for _, w := range s.Warnings {
				a.Logf("warning: %s", w)
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

// release writes what Answer held back on the process's stderr, which
// takes every later message: the answer is Answer's.
func (a *App) release() {
	if a.held != nil {
		if a.held.Len() > 0 {
			os.Stderr.Write(a.held.Bytes())
		}
		a.held, a.Stderr = nil, os.Stderr
	}
}

// Logf prints an informational message on stderr unless NOXENV_LOG=quiet.
func (a *App) Logf(format string, args ...any) {
	if a.Quiet {
		return
	}
	fmt.Fprintf(a.Stderr, "noxenv: "+format+"\n", args...)
}

// UsageError marks an error as a usage error: exit status 2.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// ExitStatus carries a command's own exit status (exec, shell, verify)
// through cobra without printing anything more.
type ExitStatus int

func (e ExitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Hinter is implemented by errors that know the command that fixes them.
type Hinter interface{ Hint() string }

// Report prints err once, with the noxenv: prefix and any hint, and
// returns the exit status for it.
func (a *App) Report(err error) int {
	if err == nil {
		return 0
	}
	var st ExitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	msg := withoutSyscall(err)
	fmt.Fprintf(a.Stderr, "noxenv: %s\n", msg)
	var h Hinter
	if errors.As(err, &h) && h.Hint() != "" {
		fmt.Fprintf(a.Stderr, "hint: %s\n", h.Hint())
	}
	var ue UsageError
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
