package activate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"mvdan.cc/sh/v3/interp"

	"github.com/noxenv/noxenv/activate/prompt"
)

// envVarsRequired is env_vars_required VAR...: an error line for each VAR
// not exported or empty, and status 1 if there was one.
func envVarsRequired(_ *evaluator, _ context.Context, hc interp.HandlerContext, args []string) error {
	var st error
	for _, name := range args {
		if v := hc.Env.Get(name); !v.IsSet() || !v.Exported || v.String() == "" {
			fmt.Fprintf(hc.Stderr, "noxenv: env var %s is required but missing/empty\n", name)
			st = interp.ExitStatus(1)
		}
	}
	return st
}

// requireAllowed is require_allowed FILE: it fails unless FILE is allowed
// as it is now (noxenv allow FILE); the file and its trust record are
// watched.
func (e *evaluator) requireAllowed(_ context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) != 1 {
		return errors.New("require_allowed takes one FILE")
	}
	p, err := prompt.TrustPath(abs(hc, args[0]))
	if err != nil {
		return err
	}
	e.watch(p, prompt.RecordOf(e.cfg.AllowDir, p))
	_, err = prompt.ReadTrusted(e.cfg.AllowDir, p)
	var blocked *prompt.BlockedError
	if errors.As(err, &blocked) {
		return notAllowedError(p)
	}
	return err
}

// notAllowedError is a file that require_allowed finds not allowed.
type notAllowedError string

func (e notAllowedError) Error() string { return string(e) + " is not allowed" }

// Hint names the command that allows it.
func (e notAllowedError) Hint() string {
	return fmt.Sprintf("run 'noxenv allow %s' to approve its content", string(e))
}

// watchDir is watch_dir DIR...: DIR and everything under it is watched,
// so that a file made, removed or changed anywhere there reloads.
func (e *evaluator) watchDir(_ context.Context, hc interp.HandlerContext, args []string) error {
	for _, d := range args {
		root := abs(hc, d)
		if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
			return fmt.Errorf("watch_dir: %s is not a directory", root)
		}
		err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
			if err != nil && p != root {
				// An unreadable part is watched as it is.
				e.watch(p)
				return nil
			}
			e.watch(p)
			return err
		})
		if err != nil {
			return fmt.Errorf("watch_dir: %s", withoutOp(err))
		}
	}
	return nil
}

// joinArgs is join_args ARG...: the ARGs quoted as bash's printf %q does,
// each followed by a space.
func joinArgs(_ *evaluator, _ context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) == 0 {
		// printf reuses its format once with no arguments.
		args = []string{""}
	}
	var b strings.Builder
	for _, a := range args {
		b.WriteString(bashQuote(a))
		b.WriteByte(' ')
	}
	_, err := fmt.Fprint(hc.Stdout, b.String())
	return err
}
