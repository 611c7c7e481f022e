package hook

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/noxenv/noxenv/shells"
)

// Shells are the shells Snippet knows.
var Shells = []string{"bash", "zsh", "fish", "tcsh", "elvish"}

func unknownShell(shell string) error {
	return fmt.Errorf("unknown shell %q (want %s)", shell, strings.Join(Shells, ", "))
}

// Snippet returns the code `noxenv hook SHELL` prints: it registers a
// prompt hook that calls exe, the absolute path of noxenv, as
// `exe export SHELL` only when the fast path says something may have
// changed. dir is noxenv's hook state directory, where tcsh's and bash's
// hooks keep their files (see tcshSnippet and bashSnippet).
func Snippet(shell, exe, dir string) (string, error) {
	switch shell {
	case "tcsh":
		return tcshSnippet(exe, dir)
	case "bash":
		return bashSnippet(exe, dir)
	}
	tmpl, ok := snippets[shell]
	if !ok {
		return "", unknownShell(shell)
	}
	q, err := shells.Quote(shell, exe)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(tmpl, "@NOXENV@", q), nil
}

var snippets = map[string]string{
	"zsh":    zshSnippet,
	"fish":   fishSnippet,
	"elvish": elvishSnippet,
}

// FastPath is what a shell needs to decide, with its own builtins, that
// nothing changed since the last export: the same working directory, each
// watched file with the modification time the evaluation read, each absent
// one still absent.
type FastPath struct {
	// Dir is the working directory the export saw.
	Dir string
	// Exist must still exist with the same modification time.
	Exist []File
	// Absent must still not exist.
	Absent []string
	// Stale says a watched file has changed already: the next prompt
	// exports again.
	Stale bool
	// Leave, in a project, is how the shell leaves it without noxenv;
	// nil outside any project.
	Leave *Leave
}

// Leave is what noxenv's export does when the shell leaves a project for
// a directory outside any, done by the shell's own builtins instead of a
// process: applying Restore, the environment the project's state reverts
// to, and saying Message. The shell does it only where the export would
// do exactly that: every variable of Guard still has its value (nil:
// still unset), so that reverting gives Restore; no file of Absent (the
// reload file) exists; and no file named one of Names (the project files,
// whatever the settings say of them) is in the new directory or any above
// it. Anything else runs the export. The check it leaves for the next
// prompt is the export's outside a project: the same directory, Absent
// still absent, and no file named one of Watch (the project files the
// settings count) in it or above. tcsh's hook always runs the export.
type Leave struct {
	Guard   shells.Changes
	Restore shells.Changes
	Absent  []string
	Names   []string
	Watch   []string
	// Kept and Missing are files that must be as they were for the
	// export to give that check (the settings files): Kept with the same
	// time, Missing still absent.
	Kept    []File
	Missing []string
	// Message goes to standard error; "" says nothing.
	Message string
}

// File is a watched file as the evaluation read it.
type File struct {
	Path string
	// ModTime is its modification time, in Unix nanoseconds.
	ModTime int64
	// Seconds says any change to the file from now on shows in the whole
	// seconds of its time, all that tcsh can compare.
	Seconds bool
	// Target, when Path is a symbolic link, is the file it must still
	// lead to (an absolute path).
	Target string
}

// Render returns the code that leaves the fast path's checks in the
// shell, for the hook to test at the next prompt (see the shell's file),
// to be run within shells.Frame (as shells.Render runs its more).
// stampDir holds the stamps bash, zsh and fish compare times with.
func (f FastPath) Render(shell, stampDir string) (string, error) {
	var check string
	var err error
	switch shell {
	case "bash", "zsh", "fish":
		check, err = f.renderTest(shell, stampDir)
	case "tcsh":
		return f.renderTcsh()
	case "elvish":
		check, err = f.renderElvish()
	default:
		return "", unknownShell(shell)
	}
	if err != nil {
		return "", err
	}
	leave, err := f.Leave.render(shell, stampDir)
	return check + leave, err
}

// renderTest returns the code that sets the shell's own (not exported)
// global variable _noxenv_check: the arguments that make `test "$PWD"
// $_noxenv_check` true when nothing changed. Each watched file is
// compared, by -nt and -ot, with a stamp in stampDir carrying its exact
// time (see Stamp). Every path is absolute, so none can be taken for an
// operator of test.
func (f FastPath) renderTest(shell, stampDir string) (string, error) {
	words, err := f.testWords(shell, stampDir)
	if err != nil {
		return "", err
	}
	if words == nil {
		if shell == "fish" {
			return "set -e -g _noxenv_check;\n", nil
		}
		return "unset _noxenv_check;\n", nil
	}
	for i, w := range words {
		q, err := shells.Quote(shell, w)
		if err != nil {
			return "", err
		}
		words[i] = q
	}
	if shell == "fish" {
		return "set -g _noxenv_check " + strings.Join(words, " ") + ";\n", nil
	}
	// Declared global: the code runs in the hook function, where zsh's
	// warn_create_global and warn_nested_var would warn of a plain
	// assignment at each export.
	return "typeset -ga _noxenv_check=(" + strings.Join(words, " ") + ");\n", nil
}

// testWords returns the arguments of test after "$PWD", or nil when the
// check cannot pass (Stale, or a stamp cannot carry a file's time).
func (f FastPath) testWords(shell, stampDir string) ([]string, error) {
	if f.Stale {
		return nil, nil
	}
	words, err := fileWords(shell, stampDir, f.Exist, f.Absent)
	if words == nil {
		return nil, err
	}
	return append([]string{"=", f.Dir}, words...), nil
}

// fileWords returns the arguments of test, each test after an "-a", that
// are true while each file of exist has its time and each of absent is
// absent, or nil when a stamp cannot carry a file's time.
func fileWords(shell, stampDir string, exist []File, absent []string) ([]string, error) {
	words := []string{}
	days := map[string]bool{}
	for _, file := range exist {
		stamp, ok, err := Stamp(stampDir, time.Unix(0, file.ModTime))
		if err != nil || !ok {
			return nil, err
		}
		// Neither the file nor its stamp is newer than the other. bash's
		// and fish's -nt and -ot are true when one of the two is missing,
		// zsh's false: zsh checks the file exists. Stamps go only with
		// their day's directory: one of them per day tells they are there.
		if day := filepath.Dir(stamp); !days[day] {
			days[day] = true
			words = append(words, "-a", "-e", stamp)
		}
		if shell == "zsh" {
			words = append(words, "-a", "-e", file.Path)
		}
		words = append(words, "-a", "!", file.Path, "-nt", stamp, "-a", "!", file.Path, "-ot", stamp)
		if file.Target != "" {
			words = append(words, "-a", file.Path, "-ef", file.Target)
		}
	}
	for _, p := range absent {
		words = append(words, "-a", "!", "-e", p)
	}
	return words, nil
}
