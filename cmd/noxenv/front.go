//go:build front

package main

// The front is what the hook runs at the prompt: this package built with
// the tag front, installed as PREFIX/libexec/noxenv/noxenv-prompt beside
// noxenv (built without it), whose hook command writes the front's path
// into the hook. The prompt's export of a project whose evaluation is
// cached, or of a directory outside any project, is all of the work of
// most prompts that run anything, and the front does it (and exec) with
// package prompt alone: a program linking the interpreter, the stores,
// cobra and the settings parser spends about 1 ms more starting than an
// empty Go program, which every cd would pay. Anything else, and anything
// the front meets that only the full noxenv does (an evaluation, a
// settings file beyond the plain form settings.DecodePlain reads), it
// hands to noxenv before printing anything,
// with the same command line and environment. Users run noxenv itself:
// a hand-over from a Go program costs more than starting one (about
// 2 ms), which every other command would pay.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/settings"
)

func run(argv []string) int {
	a := newApp(nil)
	a.argv = argv
	a.decodeSettings = func(file string, data []byte) (map[string]any, error) {
		raw, err := settings.DecodePlain(file, data)
		if err != nil {
			a.needsFull = true
			return nil, errNeedsFull
		}
		return raw, nil
	}
	cached := func(context.Context) prompt.Evaluation { return a.cached }
	if call := a.direct(argv, cached); call != nil {
		if err := call(context.Background()); !errors.Is(err, errNeedsFull) {
			return a.report(err)
		}
	}
	return a.report(a.handOverFull())
}

// cached is the front's evaluation: the evaluation cache's result, when it
// holds one still valid; anything else needs the full noxenv.
func (a *app) cached(file string, base map[string]string) (map[string]string, []prompt.Watch, error) {
	if p, err := prompt.ReadProject(a.loc.allowDir, file); err == nil {
		if c := p.Cached(a.activatePlaces(), base); c != nil {
			return c.Env, c.Watched, nil
		}
	}
	a.needsFull = true
	return nil, nil, errNeedsFull
}

// handOverFull replaces the front with noxenv running its command line.
func (a *app) handOverFull() error {
	full := installedProgram("noxenv", a.env)
	if full == "" {
		return fmt.Errorf("noxenv is not installed beside %s", frontProgram)
	}
	err := syscall.Exec(full, append([]string{full}, a.argv...), os.Environ())
	return fmt.Errorf("exec %s: %w", full, err)
}
