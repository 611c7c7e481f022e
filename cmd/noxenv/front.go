//go:build front

package main

// The front is what users run as noxenv: this package built with the tag
// front, installed as PREFIX/bin/noxenv, with the full noxenv (built
// without it) as PREFIX/libexec/noxenv/noxenv-full. The prompt's export,
// and exec, of a project whose evaluation is cached, or of a directory
// outside any project, are all of the work of most runs of noxenv, and
// the front does them with package prompt alone; a program linking the interpreter, the
// stores, cobra and the settings parser spends about 1 ms more starting
// than an empty Go program, which every cd would pay. Anything else, and
// anything the front meets that only the full noxenv does (an evaluation,
// a settings file to parse), it hands to noxenv-full before printing
// anything: the same command line and environment, and the front's own
// path (NOXENV_FRONT), which noxenv hook writes into the hook.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/noxenv/noxenv/activate/prompt"
)

func run(argv []string) int {
	a := newApp(nil)
	a.argv = argv
	a.decodeSettings = func(string, []byte) (map[string]any, error) {
		a.needsFull = true
		return nil, errNeedsFull
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

// handOverFull replaces the front with noxenv-full running its command
// line.
func (a *app) handOverFull() error {
	full := installedProgram(fullProgram, a.env)
	if full == "" {
		return fmt.Errorf("%s is not installed beside noxenv", fullProgram)
	}
	env := os.Environ()
	if self, err := a.executable(); err == nil {
		env = append(env, frontVar+"="+self)
	}
	err := syscall.Exec(full, append([]string{full}, a.argv...), env)
	return fmt.Errorf("exec %s: %w", full, err)
}
