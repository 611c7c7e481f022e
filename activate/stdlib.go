package activate

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/noxenv/noxenv/activate/prompt"
)

// stdlibSource defines, as shell functions named shellPrefix+NAME, the
// functions of direnv's standard library that need no Go: lookupBuiltin
// names them, and a call runs them through callShell.
//
//go:embed stdlib.sh
var stdlibSource string

// shellPrefix starts the names of the stdlib's shell functions.
const shellPrefix = "__noxenv_"

// stdlibText is the standard library's shell source: stdlib.sh, then
// the layouts (stdlib_layout.sh).
func stdlibText() string { return stdlibSource + layoutSource }

// shellBuiltin is the builtin name that stdlib.sh implements.
func shellBuiltin(name string) builtinFunc {
	return func(e *evaluator, ctx context.Context, hc interp.HandlerContext, args []string) error {
		return e.callShell(ctx, hc, shellPrefix+name, args)
	}
}

// callShell calls the shell function fn with args, in the context the
// builtin runs in, and returns its status.
func (e *evaluator) callShell(ctx context.Context, hc interp.HandlerContext, fn string, args []string) error {
	var b strings.Builder
	if strings.HasPrefix(fn, shellPrefix) && !e.isFunction(ctx, hc, fn) {
		// The standard library's functions are defined where one is
		// first called: a script that calls none (most call only
		// builtins written in Go) does not parse them.
		b.WriteString(stdlibText())
		b.WriteByte('\n')
	}
	b.WriteString(fn)
	for _, a := range args {
		q, err := syntax.Quote(a, syntax.LangBash)
		if err != nil {
			return err
		}
		b.WriteByte(' ')
		b.WriteString(q)
	}
	return e.unlocked(ctx, func(ctx context.Context) error {
		if err := hc.Builtin(ctx, []string{"eval", b.String()}); err != nil {
			return shellStatus{err}
		}
		return nil
	})
}

// frame is where the builtin being run was called from: the script's
// own commands, those outside any builtin, are at depth 0. Errors inside
// a builtin, a stdlib shell function's included, name the call.
type frame struct {
	depth int
	file  string
	pos   syntax.Pos
}

// runBuiltin runs b, called with args at hc's position, as a shell
// function runs: its failure is a status that if, ||, && and ! see, and
// its message follows the caller's redirection of stderr.
func (e *evaluator) runBuiltin(ctx context.Context, hc interp.HandlerContext, b builtinFunc, args []string) error {
	outer := e.frame
	if e.frame.depth == 0 {
		e.frame.file, e.frame.pos = e.current(), e.filePos(e.current(), hc.Pos)
	}
	e.frame.depth++
	err := b(e, ctx, hc, args[1:])
	at := e.frame
	e.frame = outer
	var st shellStatus
	var status interp.ExitStatus
	switch {
	case err == nil:
		return nil
	case errors.As(err, &st):
		return st.err
	case errors.As(err, &status):
		// A status the builtin gave, with no message.
		return err
	case at.file == "":
		// noxenv shell's packages, after the script: nothing to go on.
		return err
	}
	pe := posError(at.file, at.pos, err)
	var blocked *prompt.BlockedError
	if errors.As(err, &blocked) || ctx.Err() != nil {
		// An untrusted file never lets the project load without it.
		return pe
	}
	if hc.Stderr == e.out {
		// Printed once: before the next command if the script goes on,
		// as the evaluation's error if this ends it.
		e.pending = pe
	} else {
		printError(hc.Stderr, pe)
	}
	return interp.ExitStatus(1)
}

// flushPending prints the failure of a builtin that the script handled.
func (e *evaluator) flushPending() {
	if e.pending != nil {
		printError(e.out, e.pending)
		e.pending = nil
	}
}

// printError prints err as noxenv prints its errors, with any hint.
func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "noxenv: %v\n", err)
	var h interface{ Hint() string }
	if errors.As(err, &h) && h.Hint() != "" {
		fmt.Fprintf(w, "hint: %s\n", h.Hint())
	}
}

// within runs f with file as the file being evaluated, its commands at
// depth 0.
func (e *evaluator) within(file string, f func() error) error {
	outer := e.frame
	e.frame = frame{}
	e.files = append(e.files, file)
	defer func() {
		e.files = e.files[:len(e.files)-1]
		e.frame = outer
	}()
	return f()
}

// scriptOutput is where the script's output goes: a type of its own, so
// that a builtin can tell its stderr redirected. Its writes, from the
// parts of the script running at the same time, are one at a time. It
// ends with the evaluation's context, once run sets it: the interpreter
// then prints the context's error for a command substitution it ends,
// which the evaluation's own error says better.
type scriptOutput struct {
	io.Writer
	ctx context.Context
	mu  sync.Mutex
	// refusal is a refusal's message, which the interpreter prints where
	// it goes on after it (in $(...)): the evaluation's error says it,
	// with noxenv's prefix.
	refusal string
	// last is the last line written, where short: the interpreter's
	// word for an expansion that ended the script.
	last string
}

func (o *scriptOutput) Write(p []byte) (int, error) {
	if o.ctx != nil && o.ctx.Err() != nil {
		return len(p), nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.refusal != "" && string(p) == o.refusal+"\n" {
		o.refusal = ""
		return len(p), nil
	}
	o.last = ""
	if len(p) <= 512 {
		o.last = string(p)
	}
	return o.Writer.Write(p)
}

// forget starts lastLine again, at a command: what the interpreter
// prints as it ends the script comes after the last command started.
func (o *scriptOutput) forget() {
	o.mu.Lock()
	o.last = ""
	o.mu.Unlock()
}

// lastLine is the last line written, if it was short.
func (o *scriptOutput) lastLine() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.TrimSuffix(o.last, "\n")
}

// refused notes the refusal err, printed as the evaluation's error.
func (o *scriptOutput) refused(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refusal = err.Error()
}

// foreignError is a standard library function that needs a tool noxenv
// does not run.
type foreignError struct{ call, needs, hint string }

func (e *foreignError) Error() string { return e.call + " needs " + e.needs }

// Hint says what to do instead.
func (e *foreignError) Hint() string { return e.hint }

const direnvHint = "evaluate this file with direnv, or put what it needs in noxenv's stores and name it with use NAME"

// foreignUses are the use NAME of direnv's standard library that need
// another tool, when the script defines no use_NAME of its own.
var foreignUses = map[string]*foreignError{
	"nix":   {"use nix", "Nix (direnv's use nix runs nix-shell), which noxenv does not run", direnvHint},
	"flake": {"use flake", "Nix with flakes (direnv's use flake runs nix print-dev-env), which noxenv does not run", direnvHint},
	"guix":  {"use guix", "Guix (direnv's use guix runs guix environment), which noxenv does not run", direnvHint},
}

// needsTool is a function of direnv's standard library that needs
// another tool.
func needsTool(name string) builtinFunc {
	err := map[string]*foreignError{
		"rvm":         {"rvm", "rvm, which noxenv does not load", direnvHint},
		"direnv_load": {"direnv_load", "direnv: it applies what a command's direnv dump prints", "evaluate this file with direnv"},
		"source_url":  {"source_url", "direnv: noxenv runs only files you allowed", "fetch the file into the project, allow it with noxenv allow FILE and load it with source_env FILE"},
	}[name]
	return func(*evaluator, context.Context, interp.HandlerContext, []string) error { return err }
}

// usage is the standard library's usage error.
func usage(_ *evaluator, _ context.Context, _ interp.HandlerContext, args []string) error {
	return errors.New("usage: " + strings.Join(args, " "))
}

// has is has NAME: a function, builtin or command.
func (e *evaluator) has(ctx context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) > 0 && e.isFunction(ctx, hc, args[0]) {
		return nil
	}
	return e.command(ctx, hc, args[:min(len(args), 1)])
}

// command succeeds when name is a command of the script other than its
// functions: a builtin, or a file in PATH, whose presence or absence the
// cache then follows. As for bash's type, a file found that is not
// executable counts too (running it fails).
func (e *evaluator) command(_ context.Context, hc interp.HandlerContext, args []string) error {
	notFound := interp.ExitStatus(1)
	if len(args) != 1 || args[0] == "" {
		return notFound
	}
	name := args[0]
	if interp.IsBuiltin(name) || lookupBuiltin(name) != nil {
		return nil
	}
	var dirs []string
	if strings.Contains(name, "/") {
		dirs = []string{""}
	} else {
		dirs = filepath.SplitList(hc.Env.Get("PATH").String())
	}
	for _, dir := range dirs {
		p := abs(hc, filepath.Join(dir, name))
		e.deps.add(p)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return nil
		}
	}
	return notFound
}

// isFunction says whether the script has defined a function name. The
// query is negated, as set -e would end the script where it fails, and
// the status it leaves, which a builtin returning no error would have,
// is made 0 again.
func (e *evaluator) isFunction(ctx context.Context, hc interp.HandlerContext, name string) bool {
	if !syntax.ValidName(name) || hc.Builtin(ctx, []string{"eval", "! declare -f " + name + " >/dev/null 2>&1"}) == nil {
		return false
	}
	hc.Builtin(ctx, []string{"eval", "true"})
	return true
}
