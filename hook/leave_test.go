package hook

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/shells"
)

// leaveCases change what a Leave was rendered for, in dir (see TestLeave),
// before the shell in dir/out/oddName runs its hook: each says whether the
// shell still leaves by itself, or the hook exports (the other way in the
// shell only, when given).
var leaveCases = []struct {
	name   string
	env    []string // "-NAME": NAME is not set
	change func(t *testing.T, dir string)
	leaves bool
	only   string
}{
	{"nothing changed", nil, nil, true, ""},
	{"a guarded variable changed", []string{"FOO=mine"}, nil, false, ""},
	{"a variable the project unset set again", []string{"GONE=x"}, nil, false, ""},
	{"a variable set empty set again", []string{"EMPTY=x"}, nil, false, ""},
	{"a variable set empty unset", []string{"-EMPTY"}, nil, false, ""},
	{"a project file above", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "out", ".envrc"), "", seen)
	}, false, ""},
	{"a project file in the directory", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "out", oddName, ".noxprofile"), "", seen)
	}, false, ""},
	{"the settings file changed", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "config.toml"), "load-envrc = true\n", seen.Add(time.Nanosecond))
	}, false, ""},
	{"a settings file appeared", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "other.toml"), "", seen)
	}, false, ""},
	{"bash comparing without case", []string{"BASHOPTS=nocasematch"}, nil, true, "bash"},
	{"the reload file", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "reload"), "", seen)
	}, false, ""},
}

// TestLeave runs, in each shell but tcsh, the hook of a shell that left a
// project for dir/out/oddName: it gives back the environment by itself,
// says so, and leaves the check of its new directory, unless something
// the export would decide otherwise on changed.
func TestLeave(t *testing.T) {
	const tricky = "one\n\xff'\"$x\\ !"
	const back = "back\t\xfe end"
	for _, shell := range []string{"bash", "zsh", "fish", "elvish"} {
		t.Run(shell, func(t *testing.T) {
			needShell(t, shell)
			qb, err := shells.Quote(shell, back)
			if err != nil {
				t.Fatal(err)
			}
			posix := "[ \"$PWD\" \"${_noxenv_check[@]}\" ] && echo checked\n" +
				"[[ -z ${FOO+1} && -z ${NOXENV_STATE+1} && ${BACK-} == " + qb + " ]] && echo restored; :\n"
			then := map[string]string{
				"bash": posix,
				"zsh":  posix,
				"fish": "set -q _noxenv_check; and test \"$PWD\" $_noxenv_check; and echo checked\n" +
					"if not set -q FOO; and not set -q NOXENV_STATE; and test \"$BACK\" = " + qb + "; echo restored; end\n",
				"elvish": "try { $_noxenv_check; echo checked } catch { }\n" +
					"if (and (not (has-env FOO)) (not (has-env NOXENV_STATE)) (eq $E:BACK " + qb + ")) { echo restored }\n",
			}[shell]
			for _, c := range leaveCases {
				dir := t.TempDir()
				out := filepath.Join(dir, "out", oddName)
				if err := os.MkdirAll(out, 0o700); err != nil {
					t.Fatal(err)
				}
				settings := filepath.Join(dir, "config.toml")
				touch(t, settings, "load-envrc = false\n", seen)
				foo, state, bk := tricky, "state", back
				fp := FastPath{Dir: filepath.Join(dir, "proj"), Leave: &Leave{
					Guard:   shells.Changes{"FOO": &foo, "GONE": nil, "EMPTY": new(string), "NOXENV_STATE": &state},
					Restore: shells.Changes{"FOO": nil, "NOXENV_STATE": nil, "BACK": &bk},
					Absent:  []string{filepath.Join(dir, "reload")},
					Names:   []string{".noxprofile", ".envrc"},
					Watch:   []string{".noxprofile"},
					Kept:    []File{{settings, seen.UnixNano(), true, ""}},
					Missing: []string{filepath.Join(dir, "other.toml")},
					Message: "noxenv: unloading " + dir + "/proj/.noxprofile",
				}}
				check, err := fp.Render(shell, filepath.Join(dir, "stamps"))
				if err != nil {
					t.Fatal(err)
				}
				if c.change != nil {
					c.change(t, dir)
				}
				env := []string{"FOO=" + tricky, "NOXENV_STATE=state"}
				if !slices.Contains(c.env, "-EMPTY") {
					env = append(env, "EMPTY=")
				}
				for _, e := range c.env {
					if !strings.HasPrefix(e, "-") {
						env = append(env, e)
					}
				}
				called, out := runHookThen(t, shell, out, check, env, then)
				left := strings.Contains(out, "restored") && strings.Contains(out, "checked") && strings.Contains(out, fp.Leave.Message)
				want := c.leaves != (c.only == shell)
				if called == want || left != want {
					t.Errorf("%s: export called %v, left by itself %v (output %q); want left %v", c.name, called, left, out, want)
				}
			}
		})
	}
}
