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

// FastPath is what a shell needs to decide, with builtins only, that
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
// fast-path variables.
func (f FastPath) Render(shell string) (string, error) {
	var b strings.Builder
	q := func(s string) string {
		v, err := shells.Quote(shell, s)
		if err != nil {
			panic(err) // paths never hold NUL
		}
		return v
	}
	list := func(l []string) string {
		words := make([]string, len(l))
		for i, s := range l {
			words[i] = q(s)
		}
		return strings.Join(words, " ")
	}
	switch shell {
	case "bash", "zsh":
		fmt.Fprintf(&b, "_noxenv_pwd=%s;\n_noxenv_stamp=%s;\n_noxenv_exist=(%s);\n_noxenv_absent=(%s);\n",
			q(f.Dir), q(f.Stamp), list(f.Exist), list(f.Absent))
	case "fish":
		fmt.Fprintf(&b, "set -g _noxenv_pwd %s;\nset -g _noxenv_stamp %s;\nset -g _noxenv_exist %s;\nset -g _noxenv_absent %s;\n",
			q(f.Dir), q(f.Stamp), list(f.Exist), list(f.Absent))
	default:
		return "", fmt.Errorf("unknown shell %q (want bash, zsh or fish)", shell)
	}
	return b.String(), nil
}
