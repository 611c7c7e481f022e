//go:build !front

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
)

// scriptCmds are the extra testscript commands; test files add to it in
// their own init functions (one file per area).
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){}

func TestMain(m *testing.M) {
	testscript.Main(withOCI{m}, map[string]func(){
		"noxenv": func() { os.Exit(run(os.Args[1:])) },
	})
}

// withOCI runs the tests with the front (this package built with the tag
// front, see front.go) as noxenv-prompt and noxenv-oci (built with the tag
// oci, see oci.go) on PATH, where noxenv finds them as it would find them
// installed: scripts run noxenv, and the hook, as users run them.
type withOCI struct{ m *testing.M }

func (w withOCI) Run() int {
	dir, err := os.MkdirTemp("", "noxenv-oci-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	for prog, tag := range map[string]string{ociProgram: "oci", front.FrontProgram: "front"} {
		build := exec.Command("go", "build", "-tags", tag, "-o", filepath.Join(dir, prog), ".")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", prog, err, out)
			return 1
		}
	}
	os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return w.m.Run()
}

func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, scriptParams("../../testdata/scripts"))
}

func scriptParams(dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		Setup:               setupScript,
		Condition:           scriptCondition,
		Cmds:                scriptCmds,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
	}
}

// setupScript makes every test hermetic: HOME and every XDG directory live
// under $WORK, and no variable of the developer's own leaks in.
func setupScript(e *testscript.Env) error {
	home := filepath.Join(e.WorkDir, "home")
	dirs := map[string]string{
		"HOME":            home,
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME":  filepath.Join(home, ".local", "state"),
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
		"XDG_RUNTIME_DIR": filepath.Join(e.WorkDir, "run"),
		"XDG_DATA_DIRS":   filepath.Join(e.WorkDir, "sys", "share"),
		"XDG_CONFIG_DIRS": filepath.Join(e.WorkDir, "sys", "etc"),
	}
	for k, v := range dirs {
		if err := os.MkdirAll(v, 0o700); err != nil {
			return err
		}
		e.Setenv(k, v)
	}
	// NOXENV_REPO is the checkout, for the scripts that run its install.sh
	// and demo; the Go caches let them build without downloading again.
	repo, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	e.Setenv("NOXENV_REPO", repo)
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPROXY", "GOFLAGS"} {
		if v, err := exec.Command("go", "env", k).Output(); err == nil {
			e.Setenv(k, strings.TrimSpace(string(v)))
		}
	}
	e.Setenv("NOXENV_LOG", "")
	e.Setenv("TERM", "dumb")
	e.Setenv("LANG", "C.UTF-8")
	// Real shells must not read the developer's rc files.
	e.Setenv("ENV", "")
	e.Setenv("BASH_ENV", "")
	e.Setenv("ZDOTDIR", home)
	return nil
}

// requiredTools are the programs a condition may ask for. A missing one
// skips the test, or fails it under NOXENV_REQUIRE_SHELLS=1 (as in CI).
var requiredTools = map[string]string{
	"bash":   "GNU bash",
	"zsh":    "the Z shell",
	"fish":   "the friendly interactive shell",
	"tcsh":   "the TENEX C shell",
	"elvish": "the Elvish shell",
	"tmux":   "tmux, to drive interactive shells",
	"strace": "strace, to count the processes a prompt starts",
	"direnv": "direnv, to compare with",
	"stow":   "GNU stow, to compare with",
	"git":    "git, for on_git_branch",
}

// scriptCondition implements [have:NAME]: true when NAME is on PATH.
// [tmpfs] is true when the tests may mount a tmpfs (as root); under
// NOXENV_REQUIRE_SHELLS=1 a test that needs one fails where it cannot.
func scriptCondition(cond string) (bool, error) {
	if cond == "tmpfs" {
		ok := canMountTmpfs()
		if !ok && os.Getenv("NOXENV_REQUIRE_SHELLS") == "1" {
			return false, errors.New("mounting a tmpfs is required (NOXENV_REQUIRE_SHELLS=1): run the tests as root")
		}
		return ok, nil
	}
	name, ok := strings.CutPrefix(cond, "have:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if _, known := requiredTools[name]; !known {
		return false, fmt.Errorf("unknown tool %q in condition", name)
	}
	if _, err := exec.LookPath(name); err == nil {
		return true, nil
	}
	if os.Getenv("NOXENV_REQUIRE_SHELLS") == "1" {
		return false, fmt.Errorf("%s (%s) is required (NOXENV_REQUIRE_SHELLS=1) but not on PATH", name, requiredTools[name])
	}
	return false, nil
}
