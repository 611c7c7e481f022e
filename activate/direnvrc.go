package activate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"mvdan.cc/sh/v3/interp"

	"github.com/noxenv/noxenv/activate/prompt"
)

// direnvrcBuiltin loads the user's own direnv functions before an .envrc
// runs, as direnv does: an .envrc written for direnv may call what they
// define (use_NAME, layout_NAME, a direnv_layout_dir of their own), and
// running it without them would give another environment without a word.
// A .noxprofile is noxenv's own and runs without them.
const direnvrcBuiltin = "__noxenv_direnvrc"

// loadDirenvrc sources, from the project's directory, every lib/*.sh of
// direnv's configuration directory ($DIRENV_CONFIG, else
// $XDG_CONFIG_HOME/direnv), in name order, then its direnvrc or, without
// one, ~/.direnvrc. They are the user's own configuration, which direnv
// runs unasked, so they need no noxenv allow; they are watched, the lib
// directory too, so that changing, adding or removing one is a change.
func (e *evaluator) loadDirenvrc(ctx context.Context, hc interp.HandlerContext, _ []string) error {
	home := hc.Env.Get("HOME").String()
	dir := hc.Env.Get("DIRENV_CONFIG").String()
	if dir == "" {
		config := hc.Env.Get("XDG_CONFIG_HOME").String()
		if config == "" {
			config = filepath.Join(home, ".config")
		}
		dir = filepath.Join(config, "direnv")
	}
	lib := filepath.Join(dir, "lib")
	e.watch(lib)
	var files []string
	entries, _ := os.ReadDir(lib)
	for _, ent := range entries {
		// bash's "$lib/"*.sh: no hidden names.
		if name := ent.Name(); strings.HasSuffix(name, ".sh") && !strings.HasPrefix(name, ".") {
			files = append(files, filepath.Join(lib, name))
		}
	}
	rc, homeRC := filepath.Join(dir, "direnvrc"), filepath.Join(home, ".direnvrc")
	e.watch(rc)
	if regular(rc) {
		files = append(files, rc)
	} else if e.watch(homeRC); regular(homeRC) {
		files = append(files, homeRC)
	}
	// direnv sources them without errexit, and goes on to the .envrc
	// whatever fails in them: they are the user's one configuration of
	// every project, where a line that fails (a function of a tool not
	// installed, a source_url offline) breaks none. So do these here; a
	// construct noxenv refuses ends that file only, with a warning. An
	// exit ends the evaluation, as in direnv.
	if err := hc.Builtin(ctx, []string{"set", "+e"}); err != nil {
		return err
	}
	for _, p := range files {
		e.watch(p)
		content, err := e.readScriptFile(ctx, p)
		if err == nil {
			err = e.sourceContent(ctx, hc, p, content, false)
		}
		// An exit ends the evaluation; a subshell's, or the status of the
		// file's last command, does not.
		if ctx.Err() != nil || e.runner.Exited() {
			return err
		}
		if refusal := e.refusal(err); refusal != nil {
			e.skipConfig(p, refusal)
		}
	}
	return hc.Builtin(ctx, []string{"set", "-e"})
}

// refusal is the construct refused, or the file that could not be
// parsed, that err (from sourceContent) or the run met, if any.
func (e *evaluator) refusal(err error) error {
	var ss shellStatus
	var pe *PosError
	if errors.As(err, &ss) {
		err = ss.err
	}
	switch {
	case e.refused != nil:
		return e.refused
	case errors.As(err, &pe):
		return pe
	}
	return nil
}

// skipConfig warns that the rest of p, a file of the user's direnv
// configuration, was not run because of refusal, and lets the evaluation
// go on as if nothing had failed.
func (e *evaluator) skipConfig(p string, refusal error) {
	e.refused, e.pending = nil, nil
	if !e.cfg.Quiet {
		fmt.Fprintf(e.stderr, "noxenv: warning: %v\n", refusal)
		fmt.Fprintf(e.stderr, "noxenv: the .envrc runs without the rest of %s, as direnv runs it after a failure there\n", p)
	}
}

// regular says whether p is, or leads to, a regular file (bash's -f).
func regular(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// loadsDirenvrc says whether file, a project file, is run after the
// user's direnv functions.
func loadsDirenvrc(file string) bool {
	return filepath.Base(file) == prompt.EnvrcName
}
