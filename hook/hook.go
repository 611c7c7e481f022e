package hook

import (
	"fmt"
	"strings"

	"github.com/noxenv/noxenv/shells"
)

// Shells are the shells Snippet knows.
var Shells = []string{"bash", "zsh", "fish"}

// Snippet returns the code `noxenv hook SHELL` prints: it registers a
// prompt hook that calls exe, the absolute path of noxenv, as
// `exe export SHELL` only when the fast path says something may have
// changed.
func Snippet(shell, exe string) (string, error) {
	tmpl, ok := snippets[shell]
	if !ok {
		return "", fmt.Errorf("unknown shell %q (want bash, zsh or fish)", shell)
	}
	q, err := shells.Quote(shell, exe)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(tmpl, "@NOXENV@", q), nil
}

var snippets = map[string]string{
	"bash": bashSnippet,
	"zsh":  zshSnippet,
	"fish": fishSnippet,
}

// FastPath is what a shell needs to decide, with one test builtin, that
// nothing changed since the last export: the same working directory, no
// watched file changed, appeared or vanished.
type FastPath struct {
	// Dir is the working directory the export saw.
	Dir string
	// Stamp is a file whose modification time is no later than the moment
	// the export started reading files.
	Stamp string
	// Exist must still exist and be no newer than Stamp.
	Exist []string
	// Absent must still not exist.
	Absent []string
}

// Render returns the code that sets the shell's own (not exported)
// variable _noxenv_check: the arguments that make `test "$PWD"
// $_noxenv_check` true when nothing changed. Every path is absolute, so
// none can be taken for an operator of test.
func (f FastPath) Render(shell string) (string, error) {
	if shell != "bash" && shell != "zsh" && shell != "fish" {
		return "", fmt.Errorf("unknown shell %q (want bash, zsh or fish)", shell)
	}
	// zsh's -nt is false, not true, against a missing file: check the
	// stamp is there.
	words := []string{"=", f.Dir, "-a", "-e", f.Stamp}
	for _, p := range f.Exist {
		words = append(words, "-a", "-e", p, "-a", "!", p, "-nt", f.Stamp)
	}
	for _, p := range f.Absent {
		words = append(words, "-a", "!", "-e", p)
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
	return "_noxenv_check=(" + strings.Join(words, " ") + ");\n", nil
}
