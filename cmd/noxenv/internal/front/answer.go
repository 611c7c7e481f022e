package front

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/settings"
)

func init() {
	if status, ok := Answer(os.Args[1:]); ok {
		os.Exit(status)
	}
}

// Answer answers argv, the command line after the program's name, when
// it is a direct call (see App.Direct) that needs nothing but the
// evaluation cache and settings of the plain form, and returns the exit
// status; ok is false, with nothing written (warnings held back, no
// stamp; at most the hook's directory made, see ReloadFile), when the
// rest of noxenv must answer.
func Answer(argv []string) (status int, ok bool) {
	if !isDirect(argv) {
		return 0, false
	}
	a := NewApp(nil)
	a.held = new(bytes.Buffer)
	a.Stderr = a.held
	a.DecodeSettings = func(file string, data []byte) (map[string]any, error) {
		raw, err := settings.DecodePlain(file, data)
		if err != nil {
			a.NeedsFull = true
			return nil, ErrNeedsFull
		}
		return raw, nil
	}
	cached := func(context.Context) prompt.Evaluation { return a.cached }
	err := a.Direct(argv, cached)(context.Background())
	if errors.Is(err, ErrNeedsFull) {
		return 0, false
	}
	a.release()
	return a.Report(err), true
}

// cached is Answer's evaluation: the evaluation cache's result, when it
// holds one still valid; anything else needs the rest of noxenv.
func (a *App) cached(file string, base map[string]string) (map[string]string, []prompt.Watch, error) {
	if p, err := prompt.ReadProject(a.Loc.AllowDir, file); err == nil {
		if c := p.Cached(a.ActivatePlaces(), base); c != nil {
			return c.Env, c.Watched, nil
		}
	}
	a.NeedsFull = true
	return nil, nil, ErrNeedsFull
}

// HandOver replaces this program with noxenv, installed beside it,
// running argv, and returns the exit status when it cannot.
func HandOver(argv []string) int {
	a := NewApp(nil)
	full := InstalledProgram("noxenv", a.Env)
	if full == "" {
		return a.Report(fmt.Errorf("noxenv is not installed beside %s", FrontProgram))
	}
	err := syscall.Exec(full, append([]string{full}, argv...), os.Environ())
	return a.Report(fmt.Errorf("exec %s: %w", full, err))
}
