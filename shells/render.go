package shells

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Changes maps a variable's name to its new value; nil unsets it.
type Changes map[string]*string

// Names are the shells Render knows, in the order of SPEC §4.5.
var Names = []string{"bash", "zsh", "fish", "tcsh", "elvish", "json"}

// Check returns the error for a shell Render does not know, or nil.
func Check(shell string) error {
	if slices.Contains(Names, shell) {
		return nil
	}
	return fmt.Errorf("unknown shell %q (want bash, zsh, fish, tcsh, elvish or json)", shell)
}

// dialect writes changes in one shell's language: a variable set, or the
// variables unset (tcsh: in one command).
type dialect interface {
	set(b *strings.Builder, name, value string)
	unset(b *strings.Builder, names []string)
}

// framer is a dialect whose code needs set-up around it (tcsh).
type framer interface {
	frame(body string) string
}

// A localer is a dialect whose shell encodes its whole environment again,
// in the locale of the moment, at each change (tcsh): the variables that
// choose the locale are changed after the others, and relocale returns
// what must follow them.
type localer interface {
	locale(name string) bool
	relocale(changes Changes) string
}

var dialects = map[string]dialect{
	"bash":   bash{},
	"zsh":    zsh{},
	"fish":   fish{},
	"tcsh":   tcsh{},
	"elvish": elvish{},
}

// Render returns the code that applies changes in shell (one of Names),
// in a stable order: the variables set, sorted by name, then those unset
// (tcsh: those that choose the locale after the others, see tcsh), then
// runs more, code for shell made with Quote (json takes none), within
// the same set-up (see Frame).
func Render(shell string, changes Changes, more ...string) (string, error) {
	names := make([]string, 0, len(changes))
	for name, v := range changes {
		if err := checkChange(name, v); err != nil {
			return "", err
		}
		names = append(names, name)
	}
	sort.Strings(names)
	if shell == "json" {
		return renderJSON(names, changes), nil
	}
	if err := Check(shell); err != nil {
		return "", err
	}
	d := dialects[shell]
	var b strings.Builder
	l, ok := d.(localer)
	if !ok {
		writeChanges(&b, d, names, changes)
	} else {
		var others, locale []string
		for _, name := range names {
			if l.locale(name) {
				locale = append(locale, name)
			} else {
				others = append(others, name)
			}
		}
		writeChanges(&b, d, others, changes)
		if len(locale) > 0 {
			writeChanges(&b, d, locale, changes)
			b.WriteString(l.relocale(changes))
		}
	}
	for _, m := range more {
		b.WriteString(m)
	}
	return Frame(shell, b.String()), nil
}

// writeChanges writes the changes of names, in their order: the
// variables set, then those unset.
func writeChanges(b *strings.Builder, d dialect, names []string, changes Changes) {
	var unset []string
	for _, name := range names {
		if v := changes[name]; v == nil {
			unset = append(unset, name)
		} else {
			d.set(b, name, *v)
		}
	}
	if len(unset) > 0 {
		d.unset(b, unset)
	}
}

// Frame returns code for shell with the set-up it needs around it, so
// that words from Quote mean what they say: for tcsh, history
// substitution and backslash_quote off while it runs. Other shells need
// none.
func Frame(shell, code string) string {
	if f, ok := dialects[shell].(framer); ok && code != "" {
		return f.frame(code)
	}
	return code
}

// Quote returns s quoted for shell (one of Names but json) as one word
// that the shell reads back exactly (tcsh: within Frame).
func Quote(shell, s string) (string, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", fmt.Errorf("value %q holds a NUL byte, which no shell can carry", s)
	}
	switch shell {
	case "bash", "zsh":
		return quotePOSIX(s), nil
	case "fish":
		return quoteFish(s), nil
	case "tcsh":
		return quoteTcsh(s), nil
	case "elvish":
		return quoteElvish(s), nil
	}
	return "", fmt.Errorf("unknown shell %q (want bash, zsh, fish, tcsh or elvish)", shell)
}

// checkChange rejects what no shell can hold: a name that is not an
// identifier, a value with a NUL byte.
func checkChange(name string, v *string) error {
	if !ValidName(name) {
		return fmt.Errorf("variable name %q is not a shell identifier", name)
	}
	if v != nil && strings.IndexByte(*v, 0) >= 0 {
		return fmt.Errorf("variable %s: value holds a NUL byte, which no shell can carry", name)
	}
	return nil
}

// ValidName reports whether name is an identifier every shell can set:
// a letter or underscore, then letters, digits and underscores.
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// PathLike reports whether name holds a ':'-separated list of directories:
// its name ends in PATH or DIRS (PATH, MANPATH, PKG_CONFIG_PATH,
// XDG_DATA_DIRS, ...). fish gets such variables as lists, and noxenv
// reverts them entry by entry.
func PathLike(name string) bool {
	return strings.HasSuffix(name, "PATH") || strings.HasSuffix(name, "DIRS")
}
