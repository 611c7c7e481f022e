package activate

import (
	"context"
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
	for _, p := range files {
		e.watch(p)
		content, err := e.readScriptFile(ctx, p)
		if err != nil {
			return err
		}
		if err := e.sourceContent(ctx, hc, p, content, false); err != nil {
			return err
		}
	}
	return nil
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
