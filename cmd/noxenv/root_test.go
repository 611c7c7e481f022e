//go:build !front

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
)

// Each command is registered under the name users type.
func TestCommandNames(t *testing.T) {
	a := &app{&front.App{}}
	for _, c := range commands {
		if got := c.build(a).Name(); got != c.name {
			t.Errorf("command %q is registered as %q", got, c.name)
		}
	}
}

// The tree of the one command named on the command line answers as the
// whole tree does: help, usage errors and their exit status.
func TestOneCommandTree(t *testing.T) {
	run := func(argv []string, whole bool) string {
		var out, errs bytes.Buffer
		a := &app{&front.App{Env: map[string]string{}, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs}}
		tree := argv
		if whole {
			tree = nil
		}
		code := a.execute(newRootCmd(a, tree), argv)
		return strings.Join([]string{out.String(), errs.String(), string(rune('0' + code))}, "\n--\n")
	}
	for _, c := range commands {
		cases := [][]string{{c.name, "--help"}, {c.name, "-h"}, {c.name, "--no-such-flag"}}
		if c.build(&app{&front.App{}}).HasSubCommands() {
			cases = append(cases, []string{c.name, "no-such-command"}, []string{c.name})
		}
		for _, argv := range cases {
			one, whole := run(argv, false), run(argv, true)
			if one != whole {
				t.Errorf("noxenv %s:\nwith the one command:\n%s\nwith all:\n%s", strings.Join(argv, " "), one, whole)
			}
		}
	}
}

// The calls run without cobra (export SHELL, exec DIR ...) answer as
// they do through it.
func TestDirectCalls(t *testing.T) {
	home := t.TempDir()
	file := filepath.Join(home, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home, "PATH": os.Getenv("PATH"), "NOXENV_LOG": "quiet"}
	run := func(argv []string, direct bool) string {
		var out, errs bytes.Buffer
		a := &app{&front.App{Env: env, Loc: front.NewLocations(env), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs}}
		var code int
		if direct {
			call := a.Direct(argv, a.evaluation)
			if call == nil {
				t.Fatalf("noxenv %s is not called directly", strings.Join(argv, " "))
			}
			code = a.call(call)
		} else {
			code = a.execute(newRootCmd(a, argv), argv)
		}
		return fmt.Sprintf("%s\n--\n%s\n--\n%d", out.String(), errs.String(), code)
	}
	for _, argv := range [][]string{
		{"export", "json"},
		{"export", "tcsh"},
		{"exec", filepath.Join(home, "missing"), "true"},
		{"exec", filepath.Join(home, "missing"), "--", "true"},
		{"exec", file, "--", "true"},
		{"exec", home, "--", "no-such-command-anywhere"},
		{"exec", "no-such-command-anywhere"},
		{"exec", home, "--help"},
	} {
		through, direct := run(argv, false), run(argv, true)
		if through != direct {
			t.Errorf("noxenv %s:\nthrough cobra:\n%s\ndirect:\n%s", strings.Join(argv, " "), through, direct)
		}
	}
	for _, argv := range [][]string{{"export"}, {"export", "--help"}, {"export", "bash", "x"}, {"exec", "--", "true"}, {"exec", "-h"}, {"version", "x"}} {
		var a app
		if a.Direct(argv, a.evaluation) != nil {
			t.Errorf("noxenv %s is called directly", strings.Join(argv, " "))
		}
	}
}

// The reload file is in the state directory's hook directory, made when
// missing, or, where the state directory cannot be made (a home missing
// or read-only; under /proc nothing can be made, even by root), in the
// spare directory, where noxenv reload writes it too.
func TestReloadFile(t *testing.T) {
	rt := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(rt, 0o700); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "state")
	a := &app{&front.App{Env: map[string]string{"XDG_RUNTIME_DIR": rt}, Loc: front.Locations{StateDir: state}}}
	if got, want := a.ReloadFile(), filepath.Join(state, "hook", "reload"); got != want {
		t.Errorf("ReloadFile() = %s, want %s", got, want)
	}
	if err := front.OwnDir(filepath.Join(state, "hook")); err != nil {
		t.Errorf("hook directory not made: %v", err)
	}
	a.Loc.StateDir = "/proc/noxenv-no-home/state"
	if got, want := a.ReloadFile(), filepath.Join(rt, "noxenv", "reload"); got != want {
		t.Errorf("ReloadFile() of a state directory that cannot be made = %s, want %s", got, want)
	}
}

// The hook's spare directory is under $XDG_RUNTIME_DIR only when that is
// the user's own, as the XDG specification has it: one that others may
// write, or another user's kept by sudo, is passed over for a directory
// of the user's own in the temporary directory.
func TestSpareHookDir(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for _, c := range []struct {
		mode os.FileMode
		ok   bool
	}{{0o700, true}, {0o755, false}, {0o777, false}} {
		rt := filepath.Join(t.TempDir(), "run")
		if err := os.Mkdir(rt, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(rt, c.mode); err != nil {
			t.Fatal(err)
		}
		a := &app{&front.App{Env: map[string]string{"XDG_RUNTIME_DIR": rt}}}
		dir, err := a.SpareHookDir()
		if err != nil {
			t.Fatal(err)
		}
		if under := strings.HasPrefix(dir, rt+"/"); under != c.ok {
			t.Errorf("XDG_RUNTIME_DIR of mode %v: spare directory %s", c.mode, dir)
		}
		if err := front.OwnDir(dir); err != nil {
			t.Error(err)
		}
	}
}
